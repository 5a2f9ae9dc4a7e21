"""Schedule wire models (contract §5, §0 items 10–11): errors name the field; helpers are pure."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from rendezvous.api.schemas.schedules import (
    DEFAULT_AVAILABILITY,
    CreateScheduleInput,
    UpdateScheduleInput,
    availability_items,
    override_items,
    schedule_output,
)


def errors(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


def schedule(**fields: Any) -> dict[str, Any]:
    return {"name": "Work", "timeZone": "Europe/Rome", "isDefault": True, **fields}


def window(days: list[Any], start: str = "09:00", end: str = "17:00") -> dict[str, Any]:
    return {"days": days, "startTime": start, "endTime": end}


def override(day: str, start: str, end: str) -> dict[str, Any]:
    return {"date": day, "startTime": start, "endTime": end}


# --- create -------------------------------------------------------------------------------------


def test_a_schedule_without_availability_gets_monday_to_friday_nine_to_five():
    inp = CreateScheduleInput.model_validate(schedule())
    assert availability_items(inp.availability) == list(DEFAULT_AVAILABILITY)
    assert inp.overrides == []


def test_the_contract_example_round_trips_to_the_documented_output():
    body = {
        "name": "Catch up hours",
        "timeZone": "Europe/Rome",
        "isDefault": True,
        "availability": [{"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"}],
        "overrides": [{"date": "2050-05-20", "startTime": "18:00", "endTime": "21:00"}],
    }
    inp = CreateScheduleInput.model_validate(body)
    out = schedule_output(
        id=254,
        owner_id=478,
        name=inp.name,
        time_zone=inp.time_zone,
        is_default=inp.is_default,
        availability=availability_items(inp.availability),
        overrides=override_items(inp.overrides),
    )
    assert out == {
        "id": 254,
        "ownerId": 478,
        "name": "Catch up hours",
        "timeZone": "Europe/Rome",
        "availability": [{"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"}],
        "isDefault": True,
        "overrides": [{"date": "2050-05-20", "startTime": "18:00", "endTime": "21:00"}],
    }


@pytest.mark.parametrize("field", ["name", "timeZone", "isDefault"])
def test_name_time_zone_and_is_default_are_required(field):
    body = schedule()
    del body[field]
    assert errors(CreateScheduleInput, body) == {field: "Field required"}


def test_an_unknown_time_zone_is_refused():
    assert "timeZone" in errors(CreateScheduleInput, schedule(timeZone="Mars/Olympus"))


def test_unknown_fields_are_ignored():
    inp = CreateScheduleInput.model_validate(schedule(colour="blue"))
    assert not hasattr(inp, "colour")


# --- days ---------------------------------------------------------------------------------------


def test_numeric_days_count_from_sunday_zero_so_one_to_five_is_monday_to_friday():
    inp = CreateScheduleInput.model_validate(schedule(availability=[window([1, 2, 3, 4, 5])]))
    assert inp.availability[0].days == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def test_zero_is_sunday_and_six_is_saturday():
    inp = CreateScheduleInput.model_validate(schedule(availability=[window([0, 6])]))
    assert inp.availability[0].days == ["Sunday", "Saturday"]


def test_names_numbers_zero_fraction_floats_and_any_case_mix_and_duplicates_collapse():
    days = ["Monday", 1, 1.0, "monday", "TUESDAY", "2"]
    inp = CreateScheduleInput.model_validate(schedule(availability=[window(days)]))
    assert inp.availability[0].days == ["Monday", "Tuesday"]


def test_an_empty_days_list_is_refused():
    assert "availability.0.days" in errors(CreateScheduleInput, schedule(availability=[window([])]))


@pytest.mark.parametrize("bad", [7, -1, "Funday", 1.5, True, None])
def test_a_day_that_is_neither_a_name_nor_zero_to_six_is_refused(bad):
    found = errors(CreateScheduleInput, schedule(availability=[window(["Monday", bad])]))
    assert list(found) == ["availability.0.days.1"]


# --- times --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["9:00", "09:60", "25:00", "0900", "24:01", ""])
def test_clock_times_must_be_hh_mm(bad):
    found = errors(CreateScheduleInput, schedule(availability=[window([1], start=bad)]))
    assert list(found) == ["availability.0.startTime"]


@pytest.mark.parametrize("end", ["09:00", "08:00", "00:00"])
def test_an_availability_window_must_end_after_it_starts(end):
    found = errors(CreateScheduleInput, schedule(availability=[window([1], "09:00", end)]))
    assert found == {"availability.0.endTime": "must be after startTime"}


def test_twenty_four_hundred_ends_the_day_but_cannot_start_a_window():
    ok = CreateScheduleInput.model_validate(schedule(availability=[window([1], "18:00", "24:00")]))
    assert ok.availability[0].end_time == "24:00"
    found = errors(CreateScheduleInput, schedule(availability=[window([1], "24:00", "24:00")]))
    assert list(found) == ["availability.0.startTime"]


def test_windows_of_different_items_may_not_overlap_on_the_same_weekday():
    body = schedule(availability=[window([1, 2]), window(["Tuesday"], "12:00", "13:00")])
    found = errors(CreateScheduleInput, body)
    assert found == {"availability.1.startTime": "overlaps availability.0 on Tuesday"}


def test_every_window_inside_a_long_one_is_reported():
    body = schedule(
        availability=[window([1]), window([1], "10:00", "11:00"), window([1], "12:00", "13:00")]
    )
    assert set(errors(CreateScheduleInput, body)) == {
        "availability.1.startTime",
        "availability.2.startTime",
    }


def test_touching_windows_and_same_hours_on_other_days_are_fine():
    body = schedule(
        availability=[
            window([1], "09:00", "12:00"),
            window([1], "12:00", "17:00"),
            window([2], "09:00", "12:00"),
        ]
    )
    assert len(CreateScheduleInput.model_validate(body).availability) == 3


# --- overrides ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2024-02-30", "20-05-2024", "2024-5-1", "2024-05-20T00:00:00"])
def test_an_override_date_must_be_a_real_yyyy_mm_dd_date(bad):
    found = errors(CreateScheduleInput, schedule(overrides=[override(bad, "10:00", "12:00")]))
    assert list(found) == ["overrides.0.date"]


def test_midnight_to_midnight_marks_a_day_off():
    inp = CreateScheduleInput.model_validate(
        schedule(overrides=[override("2050-05-20", "00:00", "00:00")])
    )
    assert override_items(inp.overrides) == [
        {"date": "2050-05-20", "startTime": "00:00", "endTime": "00:00"}
    ]


@pytest.mark.parametrize(
    ("start", "end"), [("12:00", "10:00"), ("10:00", "10:00"), ("09:00", "00:00")]
)
def test_any_other_override_must_end_after_it_starts(start, end):
    found = errors(CreateScheduleInput, schedule(overrides=[override("2050-05-20", start, end)]))
    assert list(found) == ["overrides.0.endTime"]


def test_several_overrides_on_one_date_are_several_windows_but_may_not_overlap():
    fine = [override("2050-05-20", "09:00", "10:00"), override("2050-05-20", "11:00", "12:00")]
    assert len(CreateScheduleInput.model_validate(schedule(overrides=fine)).overrides) == 2
    clash = [override("2050-05-20", "09:00", "11:00"), override("2050-05-20", "10:00", "12:00")]
    found = errors(CreateScheduleInput, schedule(overrides=clash))
    assert found == {"overrides.1.startTime": "overlaps overrides.0 on 2050-05-20"}


def test_a_day_off_cannot_be_mixed_with_windows_on_the_same_date():
    mixed = [override("2050-05-20", "09:00", "11:00"), override("2050-05-20", "00:00", "00:00")]
    assert list(errors(CreateScheduleInput, schedule(overrides=mixed))) == ["overrides.1.startTime"]


# --- update -------------------------------------------------------------------------------------


def test_a_patch_records_which_fields_were_sent():
    assert UpdateScheduleInput.model_validate({}).model_fields_set == set()
    patch = UpdateScheduleInput.model_validate({"name": "Evenings", "availability": []})
    assert patch.model_fields_set == {"name", "availability"}
    assert patch.availability == []


def test_a_patch_may_not_null_a_field():
    assert errors(UpdateScheduleInput, {"name": None, "timeZone": None}) == {
        "name": "may not be null",
        "timeZone": "may not be null",
    }


def test_a_patch_checks_its_windows_like_a_create():
    body = {"availability": [window([1], "10:00", "09:00")]}
    assert list(errors(UpdateScheduleInput, body)) == ["availability.0.endTime"]
    body = {"overrides": [override("2050-02-29", "10:00", "11:00")]}
    assert list(errors(UpdateScheduleInput, body)) == ["overrides.0.date"]
