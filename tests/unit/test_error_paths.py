"""Validation errors name the caller's field path, whatever validators and unions pydantic
builds the model from (issue 9 item 10; contract §0 item 4)."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, ValidationError, field_validator, model_validator

from rendezvous.api.errors import caller_path


class Pin(BaseModel):
    kind: Literal["pin"]
    code: str

    @model_validator(mode="after")
    def _long_enough(self) -> Pin:
        if len(self.code) < 4:
            raise ValueError("code too short")
        return self


class Card(BaseModel):
    kind: Literal["card"]
    number: int


class Order(BaseModel):
    pay: Pin | Card | str
    items: list[int | list[int]] = []
    notes: dict[str, int] = {}

    @field_validator("items")
    @classmethod
    def _some(cls, value: list[Any]) -> list[Any]:
        return value


def paths(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        Order.model_validate(body)
    return {caller_path(("body", *e["loc"]), body) for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"pay": 42}, {"pay"}),
        # A smart union reports every member's failure, each at the caller's path.
        ({"pay": {"kind": "pin", "code": 7}}, {"pay", "pay.code", "pay.kind", "pay.number"}),
        ({"pay": {"kind": "pin", "code": "1"}}, {"pay", "pay.kind", "pay.number"}),
        ({"pay": {"kind": "card"}}, {"pay", "pay.kind", "pay.code", "pay.number"}),
        ({"pay": "x", "items": [1, "a"]}, {"items.1"}),
        ({"pay": "x", "items": [[1, "b"]]}, {"items.0", "items.0.1"}),
        ({"pay": "x", "notes": {"a": "z"}}, {"notes.a"}),
    ],
)
def test_union_members_and_validators_never_appear_in_an_error_path(body, expected):
    assert paths(body) == expected


def test_a_key_the_caller_sent_is_kept_even_when_it_looks_like_a_label():
    # "str" is a union member's label, but here the caller sent a key of that name.
    body = {"pay": {"str": 1, "kind": "card", "number": "n"}}
    assert "pay.number" in paths(body)
    assert caller_path(("body", "pay", "str"), body) == "pay.str"


def test_query_and_path_parameters_keep_their_names():
    assert caller_path(("query", "take")) == "take"
    assert caller_path(("path", "uid")) == "uid"
    assert caller_path(("body",), None) == "body"
