"""iCalendar → busy intervals (integrations/calendars/ical.py) and the sealed credentials
(secrets.py): plain functions, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from rendezvous.integrations.calendars import ical
from rendezvous.integrations.calendars.secrets import KeyProblem, Sealer
from tests.calendar_servers import vcalendar

JAN = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))


def _busy(text: str, zone: str = "UTC") -> list[tuple[str, str]]:
    spans = ical.busy_between(ical.parse(text), *JAN, zone)
    return [(s.isoformat(), e.isoformat()) for s, e in spans]


def test_x_wr_timezone_gives_the_zone_of_a_feed_without_tzid() -> None:
    text = vcalendar(
        "UID:a\nDTSTART:20300107T100000\nDTEND:20300107T110000",
        extra="X-WR-TIMEZONE:Europe/Berlin\r\n",
    )
    assert _busy(text, "America/New_York") == [
        ("2030-01-07T09:00:00+00:00", "2030-01-07T10:00:00+00:00")
    ]


def test_floating_times_are_the_hosts_wall_clock() -> None:
    text = vcalendar("UID:a\nDTSTART:20300107T100000\nDTEND:20300107T110000")
    assert _busy(text, "America/New_York") == [
        ("2030-01-07T15:00:00+00:00", "2030-01-07T16:00:00+00:00")
    ]


def test_tzid_times_duration_and_dates_without_end() -> None:
    text = vcalendar(
        "UID:a\nDTSTART;TZID=Europe/Paris:20300107T100000\nDURATION:PT90M",
        "UID:b\nDTSTART;VALUE=DATE:20300109",
        "UID:c\nDTSTART:20300110T100000Z",  # a date-time without end takes no time
    )
    assert _busy(text, "Asia/Tokyo") == [
        ("2030-01-07T09:00:00+00:00", "2030-01-07T10:30:00+00:00"),
        ("2030-01-08T15:00:00+00:00", "2030-01-09T15:00:00+00:00"),
    ]


def test_recurrence_exdate_override_transparent_and_cancelled() -> None:
    text = vcalendar(
        "UID:r\nDTSTART:20300107T090000Z\nDTEND:20300107T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "EXDATE:20300114T090000Z",
        "UID:r\nRECURRENCE-ID:20300121T090000Z\nDTSTART:20300121T120000Z\nDTEND:20300121T130000Z",
        "UID:t\nDTSTART:20300108T090000Z\nDTEND:20300108T100000Z\nTRANSP:TRANSPARENT",
        "UID:x\nDTSTART:20300109T090000Z\nDTEND:20300109T100000Z\nSTATUS:CANCELLED",
    )
    assert _busy(text) == [
        ("2030-01-07T09:00:00+00:00", "2030-01-07T10:00:00+00:00"),
        ("2030-01-21T12:00:00+00:00", "2030-01-21T13:00:00+00:00"),
    ]


def test_text_that_is_not_icalendar_is_refused() -> None:
    with pytest.raises(ical.BadCalendar):
        ical.parse("<html></html>")


def test_merge_joins_overlapping_and_touching_intervals() -> None:
    t = [datetime(2030, 1, 1, h, tzinfo=UTC) for h in range(6)]
    assert ical.merge([(t[2], t[3]), (t[0], t[1]), (t[1], t[2]), (t[4], t[5])]) == [
        (t[0], t[3]),
        (t[4], t[5]),
    ]


def test_the_key_file_is_made_on_first_use_and_opens_what_it_sealed(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "credentials.key"
    sealer = Sealer(None, str(key_file))
    assert not sealer.available()
    token = sealer.seal({"username": "u", "password": "p"})
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "p" not in token.split(".")  # opaque
    assert Sealer(None, str(key_file)).unseal(token) == {"username": "u", "password": "p"}


def test_stored_credentials_without_their_key_refuse_to_start(tmp_path: Path) -> None:
    token = Sealer(Fernet.generate_key().decode(), "unused").seal({"urls": ["https://x"]})
    Sealer(None, str(tmp_path / "k")).check_startup(None)  # nothing stored: fine
    with pytest.raises(KeyProblem, match="is not set"):
        Sealer(None, str(tmp_path / "k")).check_startup(token)
    with pytest.raises(KeyProblem, match="does not open"):
        Sealer(Fernet.generate_key().decode(), "unused").check_startup(token)
    with pytest.raises(KeyProblem, match="32 url-safe"):
        Sealer("not-a-key", "unused").check_startup(token)


def test_bookings_written_back_are_not_read_as_busy_again() -> None:
    """Their time is held in the database already; reading them again would keep a seat from
    joining its own booking and a booking from moving onto its own time."""
    text = vcalendar(
        "UID:abc@rendezvous\nDTSTART:20300107T090000Z\nDTEND:20300107T100000Z",
        "UID:abc@elsewhere\nDTSTART:20300108T090000Z\nDTEND:20300108T100000Z",
    )
    assert _busy(text) == [("2030-01-08T09:00:00+00:00", "2030-01-08T10:00:00+00:00")]


def _guarded(text: str) -> list[tuple[str, str]]:
    """``_busy`` in a thread; 120 s only guards against a hang (these once ran for hours)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(_busy, text).result(timeout=120)
    finally:
        pool.shutdown(wait=False)


ONE_HOUR = "UID:ok\nDTSTART:20300108T100000Z\nDTEND:20300108T110000Z"
OK_SPAN = ("2030-01-08T10:00:00+00:00", "2030-01-08T11:00:00+00:00")


@pytest.mark.parametrize(
    "hostile",
    [
        # As Cal.com: HOURLY, MINUTELY and SECONDLY recurrences are not expanded.
        "UID:s\nDTSTART:19700101T000000Z\nDTEND:19700101T000001Z\nRRULE:FREQ=SECONDLY",
        "UID:m\nDTSTART:19000101T000000Z\nDTEND:19000101T000100Z\n"
        "RRULE:FREQ=MINUTELY;COUNT=1000000000",
        "UID:h\nDTSTART:20300101T000000Z\nDTEND:20300101T000100Z\nRRULE:FREQ=HOURLY",
        # Sub-daily in disguise: 86,400 occurrences a day.
        "UID:d\nDTSTART:20300101T000000Z\nDTEND:20300101T000001Z\nRRULE:FREQ=DAILY;"
        "BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=" + ",".join(map(str, range(60))),
        # Daily since the year 1: 740,000 steps before the first one asked for.
        "UID:y\nDTSTART:00010101T100000Z\nDTEND:00010101T110000Z\nRRULE:FREQ=DAILY",
        # Broken values: that event is skipped, the others still count.
        "UID:b\nDTSTART:2030XX08T100000Z\nDTEND:20300108T110000Z",
        "UID:u\nDTSTART:20300108T120000Z\nDURATION:P99999999W",
    ],
)
def test_hostile_recurrences_are_bounded_and_do_not_hide_other_events(hostile: str) -> None:
    assert _guarded(vcalendar(ONE_HOUR, hostile)) == [OK_SPAN]


def test_a_time_zone_bomb_is_refused() -> None:
    rules = "".join(
        "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=YEARLY;BYMONTH=1\r\n"
        f"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0{i % 10}00\r\nEND:STANDARD\r\n"
        for i in range(2000)
    )
    text = vcalendar(
        "UID:z\nDTSTART;TZID=X:20300108T100000\nDTEND;TZID=X:20300108T110000",
        extra=f"BEGIN:VTIMEZONE\r\nTZID:X\r\n{rules}END:VTIMEZONE\r\n",
    )
    with pytest.raises(ical.BadCalendar, match="time zones"):
        ical.parse(text)


def test_many_one_off_events_and_a_recurring_one_are_all_read() -> None:
    singles = [f"UID:e{i}\nDTSTART:20300108T1{i}0000Z\nDTEND:20300108T1{i}3000Z" for i in range(3)]
    weekly = "UID:w\nDTSTART:20300101T080000Z\nDTEND:20300101T090000Z\nRRULE:FREQ=WEEKLY"
    override = (
        "UID:w\nRECURRENCE-ID:20300115T080000Z\nDTSTART:20300115T070000Z\nDTEND:20300115T073000Z"
    )
    busy = _busy(vcalendar(*singles, weekly, override))
    assert ("2030-01-15T07:00:00+00:00", "2030-01-15T07:30:00+00:00") in busy
    assert ("2030-01-08T08:00:00+00:00", "2030-01-08T09:00:00+00:00") in busy
    assert ("2030-01-08T12:00:00+00:00", "2030-01-08T12:30:00+00:00") in busy
    assert len(busy) == 5 + 3  # 5 Tuesdays in January 2030, 3 one-off events
