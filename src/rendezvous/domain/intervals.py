"""Half-open interval sets [start, end) over epoch seconds (or any comparable points).

An interval set is a sorted list of disjoint, non-empty, non-touching ``(start, end)`` tuples, as
``merge`` returns it. The operations keep that form and run in linear time (or logarithmic, with
``bisect``, for point queries), so the slot engine can work on plain integers in its loops.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

T = TypeVar("T", int, datetime)
Interval = tuple[T, T]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def to_epoch(moment: datetime) -> int:
    """Whole seconds since the epoch for an aware datetime (sub-second parts are dropped)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; the domain works with aware UTC datetimes only")
    return (moment - EPOCH) // _SECOND


def from_epoch(seconds: int) -> datetime:
    """The aware UTC datetime for epoch ``seconds``."""
    return datetime.fromtimestamp(seconds, UTC)


def merge(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sort, drop empty intervals and coalesce overlapping or touching ones."""
    items = sorted(iv for iv in intervals if iv[0] < iv[1])
    out: list[tuple[T, T]] = []
    for start, end in items:
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def clip(intervals: list[tuple[T, T]], lo: T, hi: T) -> list[tuple[T, T]]:
    """The part of a merged set inside [lo, hi)."""
    out: list[tuple[T, T]] = []
    for start, end in intervals:
        if end <= lo:
            continue
        if start >= hi:
            break
        out.append((max(start, lo), min(end, hi)))
    return out


def intersect(a: list[tuple[T, T]], b: list[tuple[T, T]]) -> list[tuple[T, T]]:
    """Points in both merged sets."""
    out: list[tuple[T, T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[tuple[T, T]], b: list[tuple[T, T]]) -> list[tuple[T, T]]:
    """Points in merged set ``a`` that are not in merged set ``b``."""
    out: list[tuple[T, T]] = []
    j = 0
    for start, end in a:
        cur = start
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            if cur >= end:
                break
            k += 1
        if cur < end:
            out.append((cur, end))
    return out


class PointSet:
    """A merged interval set prepared for fast "does [a, b) meet anything?" queries."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, merged: list[tuple[int, int]]) -> None:
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        """True when [start, end) shares at least one point with the set."""
        i = bisect_right(self._ends, start)
        return i < len(self._starts) and self._starts[i] < end

    def __len__(self) -> int:
        return len(self._starts)
