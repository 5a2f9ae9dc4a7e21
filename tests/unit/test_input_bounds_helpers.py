"""The shared bound for free-form JSON and the read-side safety net: no depth exhausts the stack."""

from __future__ import annotations

from typing import Any

from rendezvous.api.schemas.bounds import json_problem, readable, text_problem
from rendezvous.domain.bounds import recurrence_fits


def deep_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def depth_of(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def test_json_deeper_than_the_interpreter_could_recurse_is_measured_without_recursion():
    problem = json_problem(deep_list(200_000), max_depth=8, max_items=10**9, max_bytes=10**9)
    assert problem is not None and "nested at most 8 levels" in problem


def test_each_bound_is_reported():
    bounds = {"max_depth": 2, "max_items": 3, "max_bytes": 20}
    assert json_problem({"a": ["x", "y"]}, **bounds) is None
    assert "nested" in (json_problem({"a": {"b": {"c": 1}}}, **bounds) or "")
    assert "keys and items" in (json_problem({"a": [1, 2, 3]}, **bounds) or "")
    assert "bytes" in (json_problem({"a": "x" * 30}, **bounds) or "")
    assert "finite" in (json_problem({"a": float("nan")}, **bounds) or "")


def test_a_stored_value_too_deep_to_serialise_is_cut_when_read():
    cut = readable(deep_list(100_000), max_depth=32)
    assert depth_of(cut) == 32  # 32 lists kept; the container below them is null
    inner = cut
    for _ in range(32):
        inner = inner[0]
    assert inner is None
    shallow = {"a": [1, {"b": "c"}]}
    assert readable(shallow) is shallow


def test_control_characters_are_found_in_keys_and_nested_values_with_their_path():
    assert text_problem({"a": ["ok", "b\x1b"]}) == (("a", 1), "\x1b")
    assert text_problem({"k\x07": 1}) == (("k\x07",), "\x07")
    assert text_problem({"a": "line\nbreak\ttab\r"}) is None


def test_a_recurrence_must_end_by_the_latest_year():
    assert recurrence_fits(2030, "weekly", 1, 730)
    assert not recurrence_fits(2030, "yearly", 366, 730)
    assert not recurrence_fits(2030, "weekly", 1, 731)
