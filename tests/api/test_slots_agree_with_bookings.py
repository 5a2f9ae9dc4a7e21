"""Listing and booking agree: every start GET /v2/slots offers can be booked, each booking then
removes exactly the starts whose buffered time it meets and those its booking limits now close,
and starts not offered are refused.

Scenarios are generated from seeds (schedule zones, profile zones that differ from them, weekly
rules with ends written 23:59 and days that run into a next day open from 00:00, durations,
intervals, buffers, notice, seated event types, count and duration limits, booking windows), so
each run covers the same varied set on both engines. Limits are checked on the calendar days of
the schedule's zone: the oracle below counts them with zoneinfo, apart from the engine."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.models import BookingWindow, PeriodLimits

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "Asia/Kathmandu", "America/Sao_Paulo", "Pacific/Auckland",
         "Pacific/Kiritimati"]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SEEDS = range(16)


def clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def scenario(seed: int) -> dict:
    rng = random.Random(seed)
    availability = []
    for n in range(rng.randint(1, 3)):
        start = rng.randrange(0, 20 * 60, 30)
        end = min(24 * 60, start + rng.randrange(60, 8 * 60, 30))
        # The first rule covers Monday–Wednesday, the days listed (in every zone).
        days = set(rng.sample(DAYS, rng.randint(2, 7))) | (set(DAYS[:3]) if n == 0 else set())
        availability.append(
            {
                "days": [d for d in DAYS if d in days],
                "startTime": clock_time(start),
                # Cal.com's editor writes a day that runs to midnight as 23:59.
                "endTime": rng.choice(["23:59", "24:00"]) if end == 1440 else clock_time(end),
            }
        )
    if seed % 2 == 0:
        # A late evening ending 23:59 followed by a day open from 00:00.
        first = rng.randrange(0, 6)
        availability.append({"days": [DAYS[first]], "startTime": "21:00", "endTime": "23:59"})
        availability.append({"days": [DAYS[first + 1]], "startTime": "00:00", "endTime": "03:00"})
    schedule_zone = rng.choice(ZONES)
    duration = rng.choice([15, 30, 45, 60])
    seats = [None, 2, 3][seed % 3]
    return {
        "schedule_zone": schedule_zone,
        "profile_zone": rng.choice([z for z in ZONES if z != schedule_zone]),
        "availability": availability,
        "rules": {
            "duration": duration,
            "slot_interval": rng.choice([None, 15, 30]),
            "before_buffer": rng.choice([0, 5, 10]),
            "after_buffer": rng.choice([0, 10, 15]),
            "minimum_notice": rng.choice([0, 60, 600]),
            "seats_per_slot": seats,
            "count_limits": rng.choice([None, {"day": 1}, {"day": 2}, {"week": 3}]),
            "duration_limits": rng.choice([None, {"day": 2 * duration}, {"week": 4 * duration}]),
            "booking_window": rng.choice(
                [None, None, ("range", "2030-01-08", "2030-01-09"), ("calendarDays", 2)]
            ),
        },
        "pick": rng,
    }


def engine_rules(rules: dict) -> dict:
    """The scenario's rules as the engine's EventRules fields."""
    out = dict(rules)
    for name in ("count_limits", "duration_limits"):
        out[name] = PeriodLimits(**rules[name]) if rules[name] else None
    window = rules["booking_window"]
    if window and window[0] == "range":
        out["booking_window"] = BookingWindow(
            "range",
            start_date=date.fromisoformat(window[1]),
            end_date=date.fromisoformat(window[2]),
        )
    elif window:
        out["booking_window"] = BookingWindow(window[0], window[1])
    return out


def _overlaps(a: datetime, b: datetime, rules: dict) -> bool:
    before = timedelta(minutes=rules["before_buffer"])
    span = timedelta(minutes=rules["duration"] + rules["after_buffer"])
    return a - before < b + span and b - before < a + span


def _period(unit: str, moment: datetime, zone: ZoneInfo) -> object:
    day = moment.astimezone(zone).date()
    if unit == "day":
        return day
    return day - timedelta(days=day.weekday())  # weeks start on Monday (the host's default)


def limits_allow(rules: dict, events: list[datetime], start: datetime, zone: ZoneInfo) -> bool:
    """May a new event start at ``start``, given the events (one per booking, not per seat)?"""
    for unit, limit in (rules["count_limits"] or {}).items():
        same = [e for e in events if _period(unit, e, zone) == _period(unit, start, zone)]
        if len(same) >= limit:
            return False
    for unit, limit in (rules["duration_limits"] or {}).items():
        same = [e for e in events if _period(unit, e, zone) == _period(unit, start, zone)]
        if (len(same) + 1) * rules["duration"] > limit:
            return False
    return True


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@pytest.mark.parametrize("seed", SEEDS)
async def test_every_listed_start_books_and_no_other(
    client, make_user, make_event_type, db, clock, seed
):
    world = scenario(seed)
    rules, rng = world["rules"], world["pick"]
    seats = rules["seats_per_slot"]
    zone = ZoneInfo(world["schedule_zone"])
    host = await make_user("host", time_zone=world["profile_zone"])
    async with UnitOfWork(session_factory(db), write=True) as uow:
        await uow.schedules.update(
            host.default_schedule_id,
            now=clock(),
            time_zone=world["schedule_zone"],
            availability=world["availability"],
            overrides=[],
        )
        await uow.commit()
    seat_settings = {"seatsPerTimeSlot": seats, "showAttendeeInfo": True}
    seating = {"seats": seat_settings} if seats else None
    event_type_id = await make_event_type(host, settings=seating, **engine_rules(rules))
    params = {"eventTypeId": event_type_id, "start": "2030-01-07", "end": "2030-01-09"}

    async def listed() -> list[datetime]:
        response = await client.get("/v2/slots", params=params)
        assert response.status_code == 200, response.text
        return [_at(s["start"]) for day in response.json()["data"].values() for s in day]

    emails = (f"a{n}@example.com" for n in range(100))

    async def book(start: datetime) -> int:
        response = await client.post(
            "/v2/bookings",
            json={
                "start": start.isoformat().replace("+00:00", "Z"),
                "eventTypeId": event_type_id,
                "attendee": {"name": "A", "email": next(emails), "timeZone": "UTC"},
            },
        )
        assert response.status_code in (201, 409, 422), response.text
        return response.status_code

    offered = await listed()
    assert offered, f"scenario {seed} offers nothing: {world}"
    # Starts not offered are refused: off-grid minutes and times outside the range's slots.
    grid = set(offered)
    probes = [s + timedelta(minutes=rng.choice([1, 5, 7])) for s in rng.sample(offered, 3)]
    probes += [
        datetime(2030, 1, 7, 8, 0, tzinfo=UTC) + timedelta(minutes=5 * rng.randrange(500))
        for _ in range(5)
    ]
    for probe in probes:
        if probe not in grid:
            assert await book(probe) in (409, 422), probe
    # Book offered starts one at a time. Each removes exactly the starts its buffered time meets
    # and, when it is a new event, those its period's limits now close; a seat joining a seated
    # booking is no new event, and its start stays until the seats are full.
    events: list[datetime] = []  # one per booking, however many seats it has
    seated: dict[datetime, int] = {}
    for turn in range(min(6, len(offered))):
        if not offered:
            break
        joinable = [s for s in offered if s in seated]
        # New events go to the first event's day where they can, so that limits are reached.
        first_day = [s for s in offered if s not in seated and events
                     and _period("day", s, zone) == _period("day", events[0], zone)]  # fmt: skip
        if seats and turn == 1 and joinable:  # one seat joins the first booking
            chosen = joinable[0]
        else:
            chosen = rng.choice(first_day or offered)
        assert await book(chosen) == 201, chosen
        if chosen in seated:
            seated[chosen] += 1
        else:
            events.append(chosen)
            if seats:
                seated[chosen] = 1

        def stays(s: datetime, chosen: datetime = chosen) -> bool:
            if s == chosen:
                return seats is not None and seated[chosen] < seats
            if _overlaps(s, chosen, rules):
                return False
            return s in seated or limits_allow(rules, events, s, zone)

        expected = [s for s in offered if stays(s)]
        offered = await listed()
        assert offered == expected
        if chosen not in offered:
            assert await book(chosen) in (409, 422)
    # The kinds this scenario was made to cover did happen.
    if seats:
        assert any(n > 1 for n in seated.values()), f"scenario {seed}: no seat joined a booking"
    if rules["count_limits"] or rules["duration_limits"]:
        # Some period reached its limit (whether or not other starts were left in it to close).
        reached = any(not limits_allow(rules, events, e, zone) for e in events)
        assert reached, f"scenario {seed}: no limit was reached"


def test_the_scenarios_cover_each_kind():
    """The seeds above generate every kind of case the agreement test is meant to cover."""
    worlds = [scenario(seed) for seed in SEEDS]
    assert all(w["profile_zone"] != w["schedule_zone"] for w in worlds)
    assert any(a["endTime"] == "23:59" for w in worlds for a in w["availability"])
    assert any(a["startTime"] == "00:00" for w in worlds for a in w["availability"])
    seated = [w["rules"] for w in worlds if w["rules"]["seats_per_slot"]]
    assert any(r["count_limits"] for r in seated)
    assert any(r["duration_limits"] for r in seated)
    windows = {(w["rules"]["booking_window"] or ("none",))[0] for w in worlds}
    assert {"range", "calendarDays", "none"} <= windows
