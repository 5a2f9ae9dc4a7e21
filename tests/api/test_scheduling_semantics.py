"""Scheduling semantics from real bug reports (issue 10), over HTTP on both engines: an end of
23:59 is midnight, booking limits count events not seats, the schedule's zone defines a day, and
a listed slot fits inside the requested range.

The default clock is Monday 2030-01-07 08:00 UTC; tests about April 2027 move it back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

EVENT_TYPES = {"cal-api-version": "2024-06-14"}
SCHEDULES = {"cal-api-version": "2024-06-11"}
SEATS = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}
NY = "America/New_York"
ALL_WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


async def event_type(client, user, **fields: Any) -> int:
    body = {"lengthInMinutes": 30, "title": "Intro", "slug": "intro"} | fields
    response = await client.post("/v2/event-types", json=body, headers=user.auth | EVENT_TYPES)
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


async def set_hours(client, user, availability=None, overrides=None) -> None:
    change: dict[str, Any] = {}
    if availability is not None:
        change["availability"] = availability
    if overrides is not None:
        change["overrides"] = overrides
    response = await client.patch(
        f"/v2/schedules/{user.default_schedule_id}", json=change, headers=user.auth | SCHEDULES
    )
    assert response.status_code == 200, response.text


async def book(client, event_type_id: int, start: str, email: str = "ann@example.com"):
    return await client.post(
        "/v2/bookings",
        json={
            "start": start,
            "eventTypeId": event_type_id,
            "attendee": {"name": email.split("@")[0], "email": email, "timeZone": "UTC"},
        },
    )


async def listed(client, event_type_id: int, start: str, end: str, zone: str = "UTC", **extra):
    params = {"eventTypeId": event_type_id, "start": start, "end": end, "timeZone": zone} | extra
    response = await client.get("/v2/slots", params=params)
    assert response.status_code == 200, response.text
    return [slot for day in response.json()["data"].values() for slot in day]


def starts(slots: list[dict[str, Any]]) -> list[str]:
    return [s["start"] for s in slots]


# --- 23:59 is the end of the day ---------------------------------------------------------------


async def test_a_weekly_rule_ending_23_59_offers_and_books_the_last_half_hour(client, make_user):
    bob = await make_user("bob")
    await set_hours(client, bob, [{"days": ["Monday"], "startTime": "22:00", "endTime": "23:59"}])
    event_type_id = await event_type(client, bob)
    got = await listed(client, event_type_id, "2030-01-14", "2030-01-14")
    assert [s[11:16] for s in starts(got)] == ["22:00", "22:30", "23:00", "23:30"]
    assert (await book(client, event_type_id, "2030-01-14T23:30:00Z")).status_code == 201


async def test_a_date_override_ending_23_59_offers_and_books_the_last_half_hour(client, make_user):
    bob = await make_user("bob", time_zone="Europe/Berlin")
    await set_hours(
        client, bob, overrides=[{"date": "2030-01-15", "startTime": "22:00", "endTime": "23:59"}]
    )
    event_type_id = await event_type(client, bob)
    got = await listed(client, event_type_id, "2030-01-15", "2030-01-15", "Europe/Berlin")
    assert [s[11:16] for s in starts(got)] == ["22:00", "22:30", "23:00", "23:30"]
    # 23:30 in Berlin is 22:30 UTC.
    assert (await book(client, event_type_id, "2030-01-15T22:30:00Z")).status_code == 201


@pytest.mark.parametrize("end", ["23:59", "24:00"])
async def test_a_day_ending_23_59_joins_a_next_day_starting_00_00(client, make_user, end):
    bob = await make_user("bob")
    await set_hours(
        client,
        bob,
        [
            {"days": ["Monday"], "startTime": "22:00", "endTime": end},
            {"days": ["Tuesday"], "startTime": "00:00", "endTime": "02:00"},
        ],
    )
    event_type_id = await event_type(client, bob, lengthInMinutes=60, slotInterval=30)
    got = await listed(client, event_type_id, "2030-01-14", "2030-01-15")
    assert "2030-01-14T23:30:00.000Z" in starts(got)
    assert (await book(client, event_type_id, "2030-01-14T23:30:00Z")).status_code == 201


# --- booking limits count events, not seats ----------------------------------------------------


@pytest.mark.parametrize(
    "limit",
    [
        {"bookingLimitsCount": {"week": 1}},
        {"bookingLimitsCount": {"day": 1}},
        {"bookingLimitsDuration": {"day": 30}},
        {"bookingLimitsDuration": {"week": 45}},
    ],
    ids=["count-week", "count-day", "duration-day", "duration-week"],
)
async def test_a_second_attendee_joins_a_seated_booking_when_the_limit_is_reached(
    client, make_user, limit
):
    bob = await make_user("bob")
    event_type_id = await event_type(client, bob, seats=SEATS, **limit)
    first = await book(client, event_type_id, "2030-01-08T10:00:00Z", "ann@example.com")
    assert first.status_code == 201, first.text
    # The listing keeps the seated start, with two seats free, and drops every other start.
    got = await listed(client, event_type_id, "2030-01-08", "2030-01-08")
    assert got == [
        {
            "start": "2030-01-08T10:00:00.000Z",
            "seatsBooked": 1,
            "seatsRemaining": 2,
            "seatsTotal": 3,
            "bookingUid": first.json()["data"]["uid"],
            "attendeesCount": 1,
        }
    ]
    second = await book(client, event_type_id, "2030-01-08T10:00:00Z", "sam@example.com")
    assert second.status_code == 201, second.text
    assert second.json()["data"]["uid"] == first.json()["data"]["uid"]
    # Another start would be a second event: the limit refuses it.
    other = await book(client, event_type_id, "2030-01-08T11:00:00Z", "kim@example.com")
    assert other.status_code == 422, other.text
    assert "limit" in other.json()["error"]["message"]


# --- the schedule's zone defines a day ---------------------------------------------------------


async def auckland_host_with_a_new_york_schedule(client, make_user, clock, hours: str):
    """A host whose profile zone is Pacific/Auckland and whose event type uses a New York
    schedule (Auckland is 16 hours ahead in April 2027)."""
    clock.now = datetime(2027, 4, 1, tzinfo=UTC)
    bob = await make_user("bob", time_zone="Pacific/Auckland")
    start, end = hours.split("-")
    days = ALL_WEEK if start == "07:00" else ALL_WEEK[:5]
    response = await client.post(
        "/v2/schedules",
        json={
            "name": "New York hours",
            "timeZone": NY,
            "isDefault": False,
            "availability": [{"days": days, "startTime": start, "endTime": end}],
        },
        headers=bob.auth | SCHEDULES,
    )
    assert response.status_code == 201, response.text
    return bob, response.json()["data"]["id"]


async def test_a_range_window_is_read_in_the_schedules_zone(client, make_user, clock):
    bob, schedule_id = await auckland_host_with_a_new_york_schedule(
        client, make_user, clock, "09:00-17:00"
    )
    event_type_id = await event_type(
        client,
        bob,
        scheduleId=schedule_id,
        bookingWindow={"type": "range", "value": ["2027-04-09", "2027-04-09"]},
    )
    got = starts(await listed(client, event_type_id, "2027-04-05", "2027-04-12", NY))
    assert {s[:10] for s in got} == {"2027-04-09"}
    assert got[0] == "2027-04-09T09:00:00.000-04:00" and len(got) == 16
    # New York's 2027-04-09 16:30 is bookable; its 2027-04-08 (Auckland's 04-09) is not.
    assert (await book(client, event_type_id, "2027-04-09T20:30:00Z")).status_code == 201
    refused = await book(client, event_type_id, "2027-04-08T14:00:00Z", "sam@example.com")
    assert refused.status_code == 422
    assert "window" in refused.json()["error"]["message"]


async def test_a_daily_limit_counts_new_york_days_for_a_new_york_schedule(client, make_user, clock):
    bob, schedule_id = await auckland_host_with_a_new_york_schedule(
        client, make_user, clock, "07:00-22:00"
    )
    event_type_id = await event_type(
        client, bob, scheduleId=schedule_id, bookingLimitsCount={"day": 1}
    )
    # New York Tuesday 07:00 is Auckland Tuesday 23:00; New York Monday 21:00 is Auckland
    # Tuesday 13:00: one Auckland day, two New York days, so both are accepted.
    tuesday_7 = await book(client, event_type_id, "2027-04-06T11:00:00Z", "ann@example.com")
    assert tuesday_7.status_code == 201, tuesday_7.text
    monday_21 = await book(client, event_type_id, "2027-04-06T01:00:00Z", "sam@example.com")
    assert monday_21.status_code == 201, monday_21.text
    # New York Monday 07:00 (Auckland Monday 23:00) is the same New York day as Monday 21:00.
    monday_7 = await book(client, event_type_id, "2027-04-05T11:00:00Z", "kim@example.com")
    assert monday_7.status_code == 422, monday_7.text
    got = starts(await listed(client, event_type_id, "2027-04-05", "2027-04-07", NY))
    assert [s[:10] for s in got if s < "2027-04-07"] == []
    assert got[0] == "2027-04-07T07:00:00.000-04:00"


async def test_a_weekly_limit_counts_new_york_weeks_for_a_new_york_schedule(
    client, make_user, clock
):
    bob, schedule_id = await auckland_host_with_a_new_york_schedule(
        client, make_user, clock, "07:00-22:00"
    )
    event_type_id = await event_type(
        client, bob, scheduleId=schedule_id, bookingLimitsCount={"week": 1}
    )
    # New York Sunday 2027-04-11 20:00 is Auckland Monday 04-12 12:00, but it ends New York's
    # week of Monday 04-05.
    sunday = await book(client, event_type_id, "2027-04-12T00:00:00Z", "ann@example.com")
    assert sunday.status_code == 201, sunday.text
    friday = await book(client, event_type_id, "2027-04-09T13:00:00Z", "sam@example.com")
    assert friday.status_code == 422, friday.text
    monday = await book(client, event_type_id, "2027-04-12T13:00:00Z", "kim@example.com")
    assert monday.status_code == 201, monday.text
    got = starts(await listed(client, event_type_id, "2027-04-05", "2027-04-18", NY))
    assert got == []


# --- a listed slot fits inside the requested range ---------------------------------------------


async def test_the_last_listed_slot_ends_by_the_requested_end(client, make_user):
    bob = await make_user("bob")
    event_type_id = await event_type(client, bob, slotInterval=15)
    got = await listed(
        client,
        event_type_id,
        "2030-01-08T14:00:00Z",
        "2030-01-08T15:00:00Z",
        format="range",
    )
    assert got[-1] == {"start": "2030-01-08T14:30:00.000Z", "end": "2030-01-08T15:00:00.000Z"}
    assert len(got) == 3
    legacy = await client.get(
        "/v2/slots/available",
        params={
            "eventTypeId": event_type_id,
            "startTime": "2030-01-08T14:00:00Z",
            "endTime": "2030-01-08T15:00:00Z",
            "slotFormat": "range",
        },
    )
    assert legacy.status_code == 200, legacy.text
    ranges = legacy.json()["data"]["slots"]["2030-01-08"]
    assert ranges[-1]["endTime"] == "2030-01-08T15:00:00.000Z"
    # 14:45 is still a slot: it is listed by a range that holds it, and it can be booked.
    later = await listed(client, event_type_id, "2030-01-08T14:45:00Z", "2030-01-08T15:15:00Z")
    assert starts(later) == ["2030-01-08T14:45:00.000Z"]
    assert (await book(client, event_type_id, "2030-01-08T14:45:00Z")).status_code == 201


@pytest.mark.parametrize("end", ["2030-01-14T23:59:59Z", "2030-01-14T23:59:59.999Z"])
async def test_a_query_through_23_59_59_keeps_the_slot_ending_at_midnight(client, make_user, end):
    # Clients ask for "the whole day" as …T23:59:59(.999)Z; Cal.com gives an open time clipped to
    # 23:59 its minute back, so a day open to midnight keeps its last slot on both routes.
    bob = await make_user("bob")
    await set_hours(client, bob, [{"days": ["Monday"], "startTime": "22:00", "endTime": "23:59"}])
    event_type_id = await event_type(client, bob)
    got = await listed(client, event_type_id, "2030-01-14T00:00:00Z", end)
    assert [s[11:16] for s in starts(got)] == ["22:00", "22:30", "23:00", "23:30"]
    legacy = await client.get(
        "/v2/slots/available",
        params={"eventTypeId": event_type_id, "startTime": "2030-01-14T00:00:00Z", "endTime": end},
    )
    assert legacy.status_code == 200, legacy.text
    times = [s["time"][11:16] for s in legacy.json()["data"]["slots"]["2030-01-14"]]
    assert times == ["22:00", "22:30", "23:00", "23:30"]
    assert (await book(client, event_type_id, "2030-01-14T23:30:00Z")).status_code == 201


async def test_a_query_ending_one_second_before_a_slot_ends_keeps_that_slot(client, make_user):
    # Cal.com lets a slot end one second after the range end: "through 14:59:59" keeps 14:30.
    bob = await make_user("bob")
    event_type_id = await event_type(client, bob)
    got = await listed(client, event_type_id, "2030-01-08T13:00:00Z", "2030-01-08T14:59:59Z")
    assert [s[11:16] for s in starts(got)] == ["13:00", "13:30", "14:00", "14:30"]
    legacy = await client.get(
        "/v2/slots/available",
        params={
            "eventTypeId": event_type_id,
            "startTime": "2030-01-08T13:00:00Z",
            "endTime": "2030-01-08T14:59:58Z",
        },
    )
    assert legacy.status_code == 200, legacy.text
    times = [s["time"][11:16] for s in legacy.json()["data"]["slots"]["2030-01-08"]]
    assert times == ["13:00", "13:30", "14:00"]


# --- a recurring series keeps the attendee's wall-clock time -----------------------------------


async def recurring_new_york_monday(client, make_user, clock) -> int:
    """A weekly event type (4 occurrences) of a host whose profile zone is Pacific/Auckland and
    whose schedule is New York's Mondays 09:00–17:00."""
    clock.now = datetime(2027, 2, 1, tzinfo=UTC)
    bob = await make_user("bob", time_zone="Pacific/Auckland")
    await set_hours(client, bob, [{"days": ["Monday"], "startTime": "09:00", "endTime": "17:00"}])
    response = await client.patch(
        f"/v2/schedules/{bob.default_schedule_id}",
        json={"timeZone": NY},
        headers=bob.auth | SCHEDULES,
    )
    assert response.status_code == 200, response.text
    recurrence = {"interval": 1, "occurrences": 4, "frequency": "weekly"}
    return await event_type(client, bob, recurrence=recurrence)


async def series(client, event_type_id: int, start: str, zone: str) -> list[str]:
    response = await client.post(
        "/v2/bookings",
        json={
            "start": start,
            "eventTypeId": event_type_id,
            "attendee": {"name": "Ann", "email": "ann@example.com", "timeZone": zone},
        },
    )
    assert response.status_code == 201, response.text
    return [b["start"] for b in response.json()["data"]]


async def test_a_weekly_series_stays_at_10_new_york_across_new_yorks_dst_change(
    client, make_user, clock
):
    # New York attendee, New York schedule, Auckland profile: New York moves its clocks on
    # 2027-03-14, so 10:00 there is 15:00 UTC, then 14:00 UTC. The host's profile zone, which
    # does not change then, must not move the meeting to 11:00.
    event_type_id = await recurring_new_york_monday(client, make_user, clock)
    got = await series(client, event_type_id, "2027-03-01T15:00:00Z", NY)
    assert got == [
        "2027-03-01T15:00:00.000Z",
        "2027-03-08T15:00:00.000Z",
        "2027-03-15T14:00:00.000Z",
        "2027-03-22T14:00:00.000Z",
    ]


async def test_a_weekly_series_keeps_the_attendees_local_time_as_in_cal_com(
    client, make_user, clock
):
    # A London attendee books New York's 10:00 (14:00 in London) on 2027-03-22. London moves its
    # clocks on 03-28 and Auckland on 04-04: the series stays at 14:00 London (13:00 UTC), which
    # is neither the schedule's 10:00 New York (14:00 UTC) nor the profile's 03:00 Auckland.
    event_type_id = await recurring_new_york_monday(client, make_user, clock)
    got = await series(client, event_type_id, "2027-03-22T14:00:00Z", "Europe/London")
    assert got == [
        "2027-03-22T14:00:00.000Z",
        "2027-03-29T13:00:00.000Z",
        "2027-04-05T13:00:00.000Z",
        "2027-04-12T13:00:00.000Z",
    ]
