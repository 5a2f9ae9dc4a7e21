"""How an event type's hosts combine into the availability the slot engine judges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import NotFound
from rendezvous.domain.hosts import Host, HostTimes, combine_hosts, host_ids
from rendezvous.domain.models import Busy, Schedule


def _host(user_id: int, zone: str = "Europe/Rome", week_start: str = "Monday") -> Host:
    user = User(
        id=user_id,
        email=f"u{user_id}@example.com",
        username=f"u{user_id}",
        name=None,
        time_zone=zone,
        week_start=week_start,
    )
    return Host(user=user, schedule=Schedule(time_zone=zone))


def test_a_personal_event_type_is_booked_on_its_one_hosts_schedule_and_busy_times():
    busy = [Busy(datetime(2030, 1, 7, 9, tzinfo=UTC), datetime(2030, 1, 7, 10, tzinfo=UTC))]
    only = HostTimes(_host(1), busy)
    combined = combine_hosts([only])
    assert combined.host.schedule.time_zone == "Europe/Rome"
    assert list(combined.busy) == busy


def test_an_event_type_without_hosts_is_not_found():
    with pytest.raises(NotFound):
        combine_hosts([])


def test_a_hosts_week_starts_on_its_users_week_start_day():
    assert _host(1, week_start="Sunday").week_start == 7
    assert _host(2).week_start == 1
    assert host_ids([_host(3), _host(4)]) == [3, 4]
