"""COLLECTIVE and ROUND_ROBIN over plural hosts, in the pure domain: listing (``team_slots``)
and booking (``free_hosts``) agree with each host's own slots, for hosts in different zones
across daylight-saving changes; round-robin choice is fair, follows priority, keeps mandatory
hosts, and is deterministic and explained."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.booking_rules import check_start
from rendezvous.domain.hosts import (
    Host,
    HostRecord,
    HostTimes,
    choose_round_robin,
    fast_team_slots,
    free_hosts,
    team_slots,
)
from rendezvous.domain.models import Busy, EventRules, Rule, Schedule, Slot
from rendezvous.domain.slots import compute_slots

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
# Weeks holding a daylight-saving change in New York, Berlin or Lord Howe.
DST_DAYS = [
    datetime(2027, 3, 13, tzinfo=UTC),
    datetime(2027, 3, 27, tzinfo=UTC),
    datetime(2027, 4, 3, tzinfo=UTC),
    datetime(2027, 10, 2, tzinfo=UTC),
    datetime(2027, 10, 30, tzinfo=UTC),
    datetime(2027, 11, 6, tzinfo=UTC),
]
NOW = datetime(2027, 1, 1, tzinfo=UTC)
RULES = EventRules(duration=30, minimum_notice=0)


def user(user_id: int, zone: str = "UTC") -> User:
    return User(id=user_id, email=f"u{user_id}@x.test", username=f"u{user_id}", name=None,
                time_zone=zone)  # fmt: skip


def host(user_id: int, zone: str = "UTC", **kw: object) -> Host:
    schedule = Schedule(zone, (Rule(frozenset({1, 2, 3, 4, 5, 6, 7}), 9 * 60, 17 * 60),))
    return Host(user(user_id, zone), schedule, **kw)  # type: ignore[arg-type]


@st.composite
def teams(draw: st.DrawFn) -> tuple[list[Host], list[list[Busy]], datetime, datetime]:
    base = draw(st.sampled_from(DST_DAYS))
    hosts: list[Host] = []
    busy: list[list[Busy]] = []
    for i in range(draw(st.integers(2, 4))):
        zone = draw(st.sampled_from(ZONES))
        start = draw(st.integers(0, 20)) * 60
        end = draw(st.integers(start // 60 + 2, 24)) * 60
        days = draw(st.frozensets(st.integers(1, 7), min_size=3))
        schedule = Schedule(zone, (Rule(days, start, end),))
        hosts.append(Host(user(i + 1, zone), schedule, mandatory=draw(st.booleans()) and i == 0))
        own = []
        for _ in range(draw(st.integers(0, 3))):
            s = base + timedelta(minutes=draw(st.integers(0, 96)) * 30)
            own.append(Busy(s, s + timedelta(minutes=draw(st.sampled_from([30, 60, 120])))))
        busy.append(own)
    return hosts, busy, base, base + timedelta(days=3)


def _own(
    hosts: list[Host], busy: list[list[Busy]], start: datetime, end: datetime
) -> list[list[Slot]]:
    return [
        compute_slots(h.schedule, RULES, range_start=start, range_end=end, now=NOW, busy=b)
        for h, b in zip(hosts, busy, strict=True)
    ]


def _check(hosts: list[Host], busy: list[list[Busy]], start: datetime):
    by_id = {h.user.id: b for h, b in zip(hosts, busy, strict=True)}

    def check(h: Host) -> Slot:
        return check_start(h.schedule, RULES, start, now=NOW, busy=by_id[h.user.id])

    return check


@settings(max_examples=60, deadline=None)
@given(teams())
def test_collective_slots_are_the_intersection_and_bookable_with_every_host(team):
    hosts, busy, start, end = team
    own = _own(hosts, busy, start, end)
    listed = team_slots("COLLECTIVE", hosts, own)
    expected = set.intersection(*({s.start for s in slots} for slots in own))
    assert [s.start for s in listed] == sorted(expected)
    union = set.union(*({s.start for s in slots} for slots in own))
    for t in sorted(union):
        if t in expected:
            slot, free = free_hosts("COLLECTIVE", hosts, _check(hosts, busy, t))
            assert slot.start == t and free == hosts
        else:
            with pytest.raises(errors.DomainError):
                free_hosts("COLLECTIVE", hosts, _check(hosts, busy, t))


@settings(max_examples=60, deadline=None)
@given(teams())
def test_round_robin_slots_are_the_union_less_mandatory_busy_and_bookable_with_the_free_hosts(team):
    hosts, busy, start, end = team
    own = _own(hosts, busy, start, end)
    listed = team_slots("ROUND_ROBIN", hosts, own)
    starts = [{s.start for s in slots} for slots in own]
    expected = set.union(*starts)
    for h, mine in zip(hosts, starts, strict=True):
        if h.mandatory:
            expected &= mine
    assert [s.start for s in listed] == sorted(expected)
    for t in sorted(set.union(*starts)):
        if t in expected:
            _, free = free_hosts("ROUND_ROBIN", hosts, _check(hosts, busy, t))
            assert [h.user.id for h in free] == [
                h.user.id for h, mine in zip(hosts, starts, strict=True) if t in mine
            ]
        else:
            with pytest.raises(errors.DomainError):
                free_hosts("ROUND_ROBIN", hosts, _check(hosts, busy, t))


def test_hosts_in_different_zones_across_dst_meet_only_where_both_work():
    # New York moves to daylight time on 2027-03-14: 09–17 there is 14–22 UTC before, 13–21
    # after; Berlin's 09–17 is 08–16 UTC all that week. Together: 14–16 UTC, then 13–16.
    ny, berlin = host(1, "America/New_York"), host(2, "Europe/Berlin")
    start, end = datetime(2027, 3, 12, tzinfo=UTC), datetime(2027, 3, 16, tzinfo=UTC)
    own = _own([ny, berlin], [[], []], start, end)
    listed = team_slots("COLLECTIVE", [ny, berlin], own)
    by_day: dict[int, list[int]] = {}
    for s in listed:
        by_day.setdefault(s.start.day, []).append(s.start.hour)
    assert sorted(set(by_day[12])) == [14, 15]
    assert sorted(set(by_day[15])) == [13, 14, 15]


def test_a_mandatory_hosts_busy_time_removes_the_slot():
    a, b = host(1, mandatory=True), host(2)
    t = datetime(2027, 6, 15, 10, tzinfo=UTC)
    busy = [[Busy(t, t + timedelta(hours=1))], []]
    own = _own([a, b], busy, t, t + timedelta(hours=1))
    assert team_slots("ROUND_ROBIN", [a, b], own) == []
    with pytest.raises(errors.SlotTaken):
        free_hosts("ROUND_ROBIN", [a, b], _check([a, b], busy, t))
    # Without the mandatory flag the other host takes it.
    loose = [host(1), b]
    assert team_slots("ROUND_ROBIN", loose, own)[0].start == t


def _book_many(hosts: list[Host], n: int) -> Counter[int]:
    records: dict[int, HostRecord] = {}
    counts: Counter[int] = Counter()
    clock = datetime(2030, 1, 1, tzinfo=UTC)
    for i in range(n):
        chosen = choose_round_robin(hosts, records).chosen.user.id
        counts[chosen] += 1
        clock += timedelta(minutes=1 + (i * 7) % 5)
        records[chosen] = HostRecord(counts[chosen], clock)
    return counts


def test_fairness_100_bookings_over_4_equal_hosts_give_each_25_plus_or_minus_1():
    counts = _book_many([host(i) for i in (4, 2, 3, 1)], 100)
    assert sorted(counts) == [1, 2, 3, 4]
    assert all(24 <= c <= 26 for c in counts.values()), counts


def test_weights_share_bookings_in_proportion():
    counts = _book_many([host(1, weight=300), host(2, weight=100)], 100)
    assert 74 <= counts[1] <= 76 and 24 <= counts[2] <= 26


def test_priority_comes_before_fairness():
    high, low = host(1, priority=4), host(2, priority=0)
    counts = _book_many([low, high], 10)
    assert counts == Counter({1: 10})
    # When the high-priority host is not free, the low one gets it.
    assert choose_round_robin([low], {}).chosen is low


def test_least_recently_booked_breaks_ties_and_the_choice_is_deterministic_and_explained():
    a, b = host(1), host(2)
    records = {
        1: HostRecord(3, datetime(2030, 1, 2, tzinfo=UTC)),
        2: HostRecord(3, datetime(2030, 1, 1, tzinfo=UTC)),
    }
    first = choose_round_robin([a, b], records)
    again = choose_round_robin([b, a], dict(reversed(list(records.items()))))
    assert first.chosen is b and again.chosen is b
    assert "priority medium" in first.reason and "3 booking(s)" in first.reason
    assert "2030-01-01" in first.reason


def test_mandatory_hosts_always_attend_and_the_kept_host_stays_when_free():
    m, a, b = host(1, mandatory=True), host(2), host(3)
    chosen = choose_round_robin([m, a, b], {2: HostRecord(1, NOW)})
    assert [h.user.id for h in chosen.hosts] == [3, 1]
    kept = choose_round_robin([m, a, b], {2: HostRecord(1, NOW)}, keep=2)
    assert kept.chosen is a and "rescheduleWithSameRoundRobinHost" in kept.reason
    with pytest.raises(errors.SlotTaken):
        choose_round_robin([], {})


@settings(max_examples=80, deadline=None)
@given(teams(), st.sampled_from(["COLLECTIVE", "ROUND_ROBIN"]), st.sampled_from([0, 15]))
def test_the_fast_path_gives_the_same_slots_as_each_hosts_own(team, kind, buffer):
    hosts, busy, start, end = team
    rules = EventRules(duration=30, minimum_notice=0, before_buffer=buffer, after_buffer=buffer)
    own = [
        compute_slots(h.schedule, rules, range_start=start, range_end=end, now=NOW, busy=b)
        for h, b in zip(hosts, busy, strict=True)
    ]
    times = [HostTimes(h, b) for h, b in zip(hosts, busy, strict=True)]
    fast = fast_team_slots(kind, times, rules, range_start=start, range_end=end, now=NOW)
    assert fast == team_slots(kind, hosts, own)


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(DST_DAYS),
    st.sampled_from([15, 30, 45, 60, 90]),
    st.sampled_from([None, 10, 20, 60]),
    st.sampled_from([0, 5]),
    st.sampled_from([None, 3]),
    st.integers(0, 23 * 60),
    st.integers(1, 24 * 60),
)
def test_a_host_with_nothing_taken_gets_every_grid_start(
    zone, base, duration, interval, offset, seats, first, length
):
    """The engine's shortcut for a host with no busy time (every grid start outside a repeated
    span is taken whole) answers as the start-by-start walk, which a busy time far outside the
    range forces: across DST weeks, zones, slot intervals, offsets, seats and windows crossing
    midnight."""
    end = min(24 * 60, first + length)
    schedule = Schedule(zone, (Rule(frozenset({1, 2, 3, 4, 5, 6, 7}), first, end),))
    rules = EventRules(
        duration=duration,
        minimum_notice=0,
        slot_interval=interval,
        offset_start=offset,
        seats_per_slot=seats,
    )
    far = Busy(datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, 1, tzinfo=UTC))
    kw = {"range_start": base, "range_end": base + timedelta(days=8), "now": NOW}
    assert compute_slots(schedule, rules, busy=(), **kw) == compute_slots(  # type: ignore[arg-type]
        schedule,
        rules,
        busy=[far],
        **kw,  # type: ignore[arg-type]
    )
