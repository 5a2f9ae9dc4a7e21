"""Half-open interval sets."""

from __future__ import annotations

from datetime import UTC, datetime

from rendezvous.domain.intervals import (
    PointSet,
    clip,
    from_epoch,
    intersect,
    merge,
    subtract,
    to_epoch,
)


def test_merge_coalesces_overlapping_and_touching_intervals_and_drops_empty_ones():
    assert merge([(5, 7), (1, 3), (3, 4), (6, 9), (10, 10), (12, 11)]) == [(1, 4), (5, 9)]


def test_subtract_punches_holes_and_trims_edges():
    assert subtract([(0, 10), (20, 30)], [(2, 4), (8, 22), (29, 40)]) == [
        (0, 2),
        (4, 8),
        (22, 29),
    ]


def test_subtract_of_nothing_keeps_everything():
    assert subtract([(0, 10)], []) == [(0, 10)]


def test_intersect_keeps_only_common_points():
    assert intersect([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]
    assert intersect([(0, 5)], [(5, 9)]) == []


def test_clip_cuts_a_set_to_a_range():
    assert clip([(0, 10), (20, 30), (40, 50)], 5, 25) == [(5, 10), (20, 25)]


def test_point_set_treats_touching_intervals_as_not_overlapping():
    taken = PointSet([(10, 20), (30, 40)])
    assert not taken.overlaps(0, 10)
    assert not taken.overlaps(20, 30)
    assert taken.overlaps(19, 21)
    assert taken.overlaps(0, 100)
    assert not taken.overlaps(40, 41)


def test_interval_operations_work_on_datetimes_too():
    a = datetime(2027, 1, 1, 9, tzinfo=UTC)
    b = datetime(2027, 1, 1, 10, tzinfo=UTC)
    c = datetime(2027, 1, 1, 11, tzinfo=UTC)
    assert merge([(b, c), (a, b)]) == [(a, c)]
    assert from_epoch(to_epoch(a)) == a
