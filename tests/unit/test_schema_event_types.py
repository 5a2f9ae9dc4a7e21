"""Event type wire models (contract §4): validation names the field; stored form; PATCH; output."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from rendezvous.api.schemas.event_type_output import ALWAYS_SENT
from rendezvous.api.schemas.event_types import (
    CreateEventTypeInput,
    EventTypeOutput,
    EventTypeSettingsError,
    UpdateEventTypeInput,
    effective_setting,
    event_type_output,
    legacy_event_type_item,
    merge_update,
    stored_from_create,
    validate_event_type_settings,
)
from rendezvous.domain.errors import InvalidInput

BASE: dict[str, Any] = {"lengthInMinutes": 30, "title": "Intro", "slug": "intro"}

EXAMPLE_REQUEST = json.loads(
    '{"lengthInMinutes":30,"lengthInMinutesOptions":[15,30,60],"title":"Intro","slug":"intro",'
    '"description":"Short intro call",'
    '"locations":[{"type":"integration","integration":"cal-video"}],'
    '"minimumBookingNotice":60,"beforeEventBuffer":5,"afterEventBuffer":10,"slotInterval":15,'
    '"bookingWindow":{"type":"calendarDays","value":30,"rolling":true},"bookingLimitsCount":{"day":4},'
    '"confirmationPolicy":{"type":"time","noticeThreshold":{"unit":"hours","count":24},'
    '"blockUnconfirmedBookingsInBooker":true},'
    '"bookingFields":[{"type":"text","slug":"company","label":"Company","required":false}]}'
)
EXAMPLE_RESPONSE = json.loads(
    '{"id":10,"ownerId":1,"lengthInMinutes":30,"lengthInMinutesOptions":[15,30,60],"title":"Intro",'
    '"slug":"intro","description":"Short intro call",'
    '"locations":[{"type":"integration","integration":"cal-video"}],"bookingFields":['
    '{"isDefault":true,"type":"name","slug":"name","required":true},'
    '{"isDefault":true,"type":"email","slug":"email","required":true,"hidden":false},'
    '{"isDefault":false,"type":"text","slug":"company","label":"Company","required":false,'
    '"hidden":false}],"disableGuests":false,"slotInterval":15,"minimumBookingNotice":60,'
    '"beforeEventBuffer":5,"afterEventBuffer":10,"recurrence":null,"metadata":{},"price":0,'
    '"currency":"usd","lockTimeZoneToggleOnBookingPage":false,"seatsPerTimeSlot":null,'
    '"forwardParamsSuccessRedirect":true,"successRedirectUrl":null,"isInstantEvent":false,'
    '"seatsShowAvailabilityCount":true,"scheduleId":null,"bookingLimitsCount":{"day":4},'
    '"bookingWindow":{"type":"calendarDays","value":30,"rolling":true},'
    '"confirmationPolicy":{"type":"time","noticeThreshold":{"unit":"hours","count":24},'
    '"blockUnconfirmedBookingsInBooker":true},"hidden":false,"bookingRequiresAuthentication":false,'
    '"users":[{"id":1,"name":"Bob Host","username":"bob","avatarUrl":null,"weekStart":"Monday",'
    '"brandColor":null,"darkBrandColor":null,"metadata":{}}],'
    '"bookingUrl":"https://cal.example.com/bob/intro"}'
)
BOB = {"id": 1, "name": "Bob Host", "username": "bob"}
SEATS = {"seatsPerTimeSlot": 4, "showAttendeeInfo": True, "showAvailabilityCount": False}
RECURRENCE = {"interval": 1, "occurrences": 4, "frequency": "weekly"}
ALWAYS = {"type": "always", "blockUnconfirmedBookingsInBooker": False}


def errors(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


def create_errors(**fields: Any) -> dict[str, str]:
    return errors(CreateEventTypeInput, {**BASE, **fields})


def stored(**fields: Any) -> dict[str, Any]:
    return stored_from_create(CreateEventTypeInput.model_validate({**BASE, **fields}))


def output(settings: dict[str, Any]) -> dict[str, Any]:
    return event_type_output(
        settings, id=10, owner_id=1, users=[BOB], booking_url="https://cal.example.com/bob/intro"
    )


def patched(settings: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return merge_update(settings, UpdateEventTypeInput.model_validate(patch))


# --- the contract example -----------------------------------------------------------------------


def test_the_contract_example_goes_through_input_stored_and_output_to_the_documented_shape():
    out = output(stored_from_create(CreateEventTypeInput.model_validate(EXAMPLE_REQUEST)))
    expected = dict(EXAMPLE_RESPONSE)
    # Cal.com's output service also sends the plain settings its example leaves out.
    expected |= {k: v for k, v in ALWAYS_SENT.items() if k not in expected}
    assert {k: v for k, v in out.items() if k != "bookingFields"} == {
        k: v for k, v in expected.items() if k != "bookingFields"
    }
    # The documented fields come out exactly and in order; Cal.com also lists its other built-in
    # fields (title, notes, guests, rescheduleReason) after the custom ones.
    documented = expected["bookingFields"]
    assert [f for f in out["bookingFields"] if f in documented] == documented
    assert [f["slug"] for f in out["bookingFields"]] == [
        "name", "email", "company", "title", "notes", "guests", "rescheduleReason",
    ]  # fmt: skip


def test_the_stored_form_is_the_camel_case_input_as_sent():
    assert (
        stored_from_create(CreateEventTypeInput.model_validate(EXAMPLE_REQUEST)) == EXAMPLE_REQUEST
    )


def test_the_output_fits_the_openapi_model():
    out = output(stored(seats=SEATS, color={"lightThemeHex": "#fff", "darkThemeHex": "#000"}))
    model = EventTypeOutput.model_validate(out)
    assert model.model_dump(exclude_unset=True) == out


def test_integers_may_arrive_as_zero_fraction_floats_but_not_fractions():
    inp = CreateEventTypeInput.model_validate(
        {
            **BASE,
            "lengthInMinutes": 30.0,
            "lengthInMinutesOptions": [30.0, 60.0],
            "seats": {**SEATS, "seatsPerTimeSlot": 4.0},
        }
    )
    assert stored_from_create(inp)["lengthInMinutes"] == 30
    assert stored_from_create(inp)["seats"]["seatsPerTimeSlot"] == 4
    assert list(create_errors(lengthInMinutes=30.5)) == ["lengthInMinutes"]


# --- top-level fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["lengthInMinutes", "title", "slug"])
def test_length_title_and_slug_are_required(field):
    body = dict(BASE)
    del body[field]
    assert errors(CreateEventTypeInput, body) == {field: "Field required"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lengthInMinutes", 0),
        ("minimumBookingNotice", -1),
        ("beforeEventBuffer", -5),
        ("afterEventBuffer", -5),
        ("slotInterval", 0),
        ("offsetStart", -1),
        ("scheduleId", 0),
        ("title", ""),
        ("hidden", "maybe"),
        ("successRedirectUrl", "javascript:alert(1)"),
        ("successRedirectUrl", "not a url"),
        ("metadata", {"k" * 41: "v"}),
    ],
)
def test_each_bad_value_is_reported_at_its_field(field, value):
    assert list(create_errors(**{field: value})) == [field]


def test_zero_notice_buffers_and_offset_and_a_null_slot_interval_are_fine():
    settings = stored(minimumBookingNotice=0, beforeEventBuffer=0, offsetStart=0, slotInterval=None)
    assert "slotInterval" not in settings
    assert settings["minimumBookingNotice"] == 0


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("intro", "intro"),
        ("Intro Call", "intro-call"),
        ("  Café   Crème! ", "cafe-creme"),
        ("--a__b--", "a-b"),
        ("30min", "30min"),
    ],
)
def test_slugs_are_slugified_the_cal_com_way(sent, kept):
    assert stored(slug=sent)["slug"] == kept


@pytest.mark.parametrize("bad", ["", "!!!", "---"])
def test_a_slug_with_no_letter_or_digit_is_refused(bad):
    assert list(create_errors(slug=bad)) == ["slug"]


def test_length_options_must_be_unique_positive_non_empty_and_include_the_length():
    assert list(create_errors(lengthInMinutesOptions=[])) == ["lengthInMinutesOptions"]
    assert list(create_errors(lengthInMinutesOptions=[30, 0])) == ["lengthInMinutesOptions.1"]
    assert list(create_errors(lengthInMinutesOptions=[30, 60, 30])) == ["lengthInMinutesOptions.2"]
    assert create_errors(lengthInMinutesOptions=[15, 60]) == {
        "lengthInMinutesOptions": "must include lengthInMinutes (30)"
    }


def test_unknown_fields_are_stripped():
    assert stored(price=100, interfaceLanguage="de") == {**BASE}


# --- nested objects -----------------------------------------------------------------------------


def test_count_limits_need_a_positive_value_and_at_least_one_period():
    assert list(create_errors(bookingLimitsCount={"day": 0})) == ["bookingLimitsCount.day"]
    assert list(create_errors(bookingLimitsCount={})) == ["bookingLimitsCount"]
    assert stored(bookingLimitsCount={"week": 3})["bookingLimitsCount"] == {"week": 3}


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"day": 5, "week": 3}, "day"),
        ({"day": 5, "year": 4}, "day"),
        ({"week": 10, "month": 9}, "week"),
        ({"month": 13, "year": 12}, "month"),
    ],
)
def test_a_shorter_period_may_not_allow_more_than_a_longer_one(limits, field):
    assert list(create_errors(bookingLimitsCount=limits)) == [f"bookingLimitsCount.{field}"]
    doubled = {k: v * 15 for k, v in limits.items()}
    assert list(create_errors(bookingLimitsDuration=doubled)) == [f"bookingLimitsDuration.{field}"]


def test_duration_limits_are_multiples_of_fifteen_minutes_from_fifteen():
    assert list(create_errors(bookingLimitsDuration={"day": 10})) == ["bookingLimitsDuration.day"]
    assert list(create_errors(bookingLimitsDuration={"week": 50})) == ["bookingLimitsDuration.week"]
    assert stored(bookingLimitsDuration={"day": 60, "week": 300})["bookingLimitsDuration"]


def test_booker_active_bookings_limit_needs_a_positive_maximum():
    path = "bookerActiveBookingsLimit.maximumActiveBookings"
    assert list(create_errors(bookerActiveBookingsLimit={"maximumActiveBookings": 0})) == [path]
    assert list(create_errors(bookerActiveBookingsLimit={})) == [path]
    value = {"maximumActiveBookings": 2, "offerReschedule": True}
    assert stored(bookerActiveBookingsLimit=value)["bookerActiveBookingsLimit"] == value


def test_booker_active_bookings_limit_cannot_be_combined_with_recurrence():
    found = create_errors(
        bookerActiveBookingsLimit={"maximumActiveBookings": 2}, recurrence=RECURRENCE
    )
    assert list(found) == ["bookerActiveBookingsLimit"]


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"type": "businessDays", "value": 0}, "bookingWindow.value"),
        ({"type": "calendarDays", "value": 5, "rolling": "sometimes"}, "bookingWindow.rolling"),
        ({"type": "weeks", "value": 2}, "bookingWindow.type"),
        ({"value": 2}, "bookingWindow.type"),
        ({"type": "range", "value": ["2030-01-01"]}, "bookingWindow.value"),
        ({"type": "range", "value": ["2030-01-01", "2030-02-30"]}, "bookingWindow.value.1"),
        ({"type": "range", "value": ["2030-01-09", "2030-01-01"]}, "bookingWindow.value.1"),
    ],
)
def test_booking_window_variants_are_checked(window, field):
    assert list(create_errors(bookingWindow=window)) == [field]


@pytest.mark.parametrize(
    "window",
    [
        {"type": "businessDays", "value": 5},
        {"type": "calendarDays", "value": 30, "rolling": True},
        {"type": "range", "value": ["2030-01-01", "2030-01-01"]},
    ],
)
def test_booking_window_variants_are_stored_as_sent(window):
    assert stored(bookingWindow=window)["bookingWindow"] == window


def test_confirmation_policy_needs_a_threshold_when_type_is_time():
    found = create_errors(
        confirmationPolicy={"type": "time", "blockUnconfirmedBookingsInBooker": True}
    )
    assert list(found) == ["confirmationPolicy.noticeThreshold"]
    assert list(create_errors(confirmationPolicy={"type": "always"})) == [
        "confirmationPolicy.blockUnconfirmedBookingsInBooker"
    ]
    bad_unit = {**ALWAYS, "type": "time", "noticeThreshold": {"unit": "days", "count": 1}}
    assert list(create_errors(confirmationPolicy=bad_unit)) == [
        "confirmationPolicy.noticeThreshold.unit"
    ]
    assert stored(confirmationPolicy=ALWAYS)["confirmationPolicy"] == ALWAYS


def test_recurrence_needs_positive_interval_and_occurrences_and_a_known_frequency():
    assert list(create_errors(recurrence={**RECURRENCE, "interval": 0})) == ["recurrence.interval"]
    assert list(create_errors(recurrence={**RECURRENCE, "occurrences": 0})) == [
        "recurrence.occurrences"
    ]
    assert list(create_errors(recurrence={**RECURRENCE, "frequency": "daily"})) == [
        "recurrence.frequency"
    ]


@pytest.mark.parametrize("count", [0, 1001])
def test_seats_per_slot_are_between_one_and_a_thousand(count):
    assert list(create_errors(seats={**SEATS, "seatsPerTimeSlot": count})) == [
        "seats.seatsPerTimeSlot"
    ]


def test_seats_need_all_three_settings():
    assert set(create_errors(seats={"seatsPerTimeSlot": 3})) == {
        "seats.showAttendeeInfo",
        "seats.showAvailabilityCount",
    }


def test_seats_cannot_be_combined_with_recurrence_or_confirmation_or_several_locations():
    assert list(create_errors(seats=SEATS, recurrence=RECURRENCE)) == ["seats"]
    assert list(create_errors(seats=SEATS, confirmationPolicy=ALWAYS)) == ["seats"]
    two = [{"type": "attendeePhone"}, {"type": "attendeeDefined"}]
    assert list(create_errors(seats=SEATS, locations=two)) == ["locations"]


def test_booker_layouts_default_must_be_enabled():
    ok = {"defaultLayout": "week", "enabledLayouts": ["month", "week", "week"]}
    assert stored(bookerLayouts=ok)["bookerLayouts"]["enabledLayouts"] == ["month", "week"]
    bad = {"defaultLayout": "column", "enabledLayouts": ["month"]}
    assert list(create_errors(bookerLayouts=bad)) == ["bookerLayouts.defaultLayout"]
    assert list(create_errors(bookerLayouts={**ok, "enabledLayouts": ["day"]})) == [
        "bookerLayouts.enabledLayouts.0"
    ]
    assert list(create_errors(bookerLayouts={"defaultLayout": "week"})) == [
        "bookerLayouts.enabledLayouts"
    ]


def test_colors_are_hex():
    assert list(create_errors(color={"lightThemeHex": "#12345g", "darkThemeHex": "#000"})) == [
        "color.lightThemeHex"
    ]
    color = {"lightThemeHex": "#292929", "darkThemeHex": "fafafa"}
    assert stored(color=color)["color"] == color


def test_disable_cancelling_and_rescheduling_are_echoed():
    settings = stored(
        disableCancelling={"disabled": True},
        disableRescheduling={"minutesBefore": 60},
    )
    assert settings["disableCancelling"] == {"disabled": True}
    assert output(settings)["disableRescheduling"] == {"minutesBefore": 60}
    assert list(create_errors(disableRescheduling={"minutesBefore": 0})) == [
        "disableRescheduling.minutesBefore"
    ]


def test_destination_calendar_and_cal_video_settings_are_echoed():
    calendar = {"integration": "apple_calendar", "externalId": "https://dav.example/cal/"}
    video = {"disableRecordingForGuests": True, "redirectUrlOnExit": "https://example.com/bye"}
    out = output(stored(destinationCalendar=calendar, calVideoSettings=video))
    assert out["destinationCalendar"] == calendar
    assert out["calVideoSettings"] == video
    assert list(create_errors(destinationCalendar={"integration": "x"})) == [
        "destinationCalendar.externalId"
    ]


# --- locations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        {"type": "address", "address": "1 Main St", "public": True},
        {"type": "link", "link": "https://meet.example.com/x", "public": False},
        {"type": "phone", "phone": "+37120993151", "public": True},
        {"type": "integration", "integration": "zoom"},
        {"type": "attendeeAddress"},
        {"type": "attendeePhone"},
        {"type": "attendeeDefined"},
    ],
)
def test_every_location_variant_is_accepted_and_echoed(location):
    assert output(stored(locations=[location]))["locations"] == [location]


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"type": "link", "link": "meet.example.com", "public": True}, "locations.0.link"),
        ({"type": "link", "link": "https://x.example"}, "locations.0.public"),
        ({"type": "integration", "integration": "teams"}, "locations.0.integration"),
        ({"type": "phone", "phone": "12345", "public": True}, "locations.0.phone"),
        ({"type": "address", "public": True}, "locations.0.address"),
        ({"type": "zoom"}, "locations.0.type"),
        ({"type": "organizersDefaultApp"}, "locations.0.type"),
        ({"link": "https://x.example"}, "locations.0.type"),
    ],
)
def test_a_bad_location_names_its_field(location, field):
    assert list(create_errors(locations=[location])) == [field]


def test_locations_may_not_be_empty_and_default_to_cal_video():
    assert list(create_errors(locations=[])) == ["locations"]
    assert output(stored())["locations"] == [{"type": "integration", "integration": "cal-video"}]


# --- booking fields -----------------------------------------------------------------------------


def test_every_custom_field_type_is_accepted():
    fields = [
        {"type": kind, "slug": f"f-{kind}", "label": kind, "required": False}
        for kind in (
            "phone",
            "address",
            "text",
            "number",
            "textarea",
            "multiemail",
            "boolean",
            "url",
        )
    ]
    fields += [
        {"type": kind, "slug": f"f-{kind}", "label": kind, "required": True, "options": ["a", "b"]}
        for kind in ("select", "multiselect", "checkbox", "radio")
    ]
    out = output(stored(bookingFields=fields))["bookingFields"]
    custom = [f for f in out if not f["isDefault"]]
    assert [f["type"] for f in custom] == [f["type"] for f in fields]
    assert all(f["hidden"] is False for f in custom)
    assert custom[-1]["options"] == ["a", "b"]


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ({"type": "select", "slug": "s", "label": "S", "required": True, "options": []}, "options"),
        ({"type": "radio", "slug": "s", "label": "S", "required": True}, "options"),
        ({"type": "text", "label": "S", "required": True}, "slug"),
        ({"type": "text", "slug": "s", "required": True}, "label"),
        ({"type": "text", "slug": "s", "label": "S"}, "required"),
        ({"type": "date", "slug": "s", "label": "S", "required": True}, "type"),
        ({"slug": "s", "label": "S", "required": True}, "type"),
        ({"slug": "notes", "hidden": "perhaps"}, "hidden"),
    ],
)
def test_a_bad_booking_field_names_its_field(field, path):
    assert list(create_errors(bookingFields=[field])) == [f"bookingFields.0.{path}"]


@pytest.mark.parametrize("slug", ["name", "email", "title", "notes", "guests", "rescheduleReason"])
def test_custom_slugs_may_not_take_a_default_fields_slug(slug):
    field = {"type": "text", "slug": slug, "label": "X", "required": False}
    if slug in ("title", "notes", "guests", "rescheduleReason"):
        # Cal.com reads these slugs as the built-in field, whatever the type says.
        assert stored(bookingFields=[field])["bookingFields"] == [
            {"slug": slug, "label": "X", "required": False}
        ]
    else:
        assert list(create_errors(bookingFields=[field])) == ["bookingFields.0.slug"]


def test_custom_slugs_are_unique_and_defaults_appear_once():
    text = {"type": "text", "slug": "company", "label": "C", "required": False}
    assert list(create_errors(bookingFields=[text, text])) == ["bookingFields.1.slug"]
    assert list(create_errors(bookingFields=[{"type": "name"}, {"type": "splitName"}])) == [
        "bookingFields.1.type"
    ]
    assert list(create_errors(bookingFields=[])) == ["bookingFields"]


def test_email_stays_required_and_visible_unless_a_phone_field_takes_over():
    assert create_errors(bookingFields=[{"type": "email", "required": False}]).keys() == {
        "bookingFields.0.required"
    }
    phone = {"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone", "required": True}
    email = {"type": "email", "required": False, "hidden": True}
    out = output(stored(bookingFields=[email, phone]))["bookingFields"]
    assert out[1] == {
        "isDefault": True, "type": "email", "slug": "email", "required": False, "hidden": True,
    }  # fmt: skip


def test_default_fields_can_be_adjusted_and_keep_their_place():
    fields = [
        {"slug": "notes", "required": True, "label": "Agenda"},
        {"type": "text", "slug": "company", "label": "Company", "required": False},
        {"type": "name", "label": "Your name", "placeholder": "Ada"},
    ]
    out = output(stored(bookingFields=fields))["bookingFields"]
    assert [f["slug"] for f in out] == [
        "name", "email", "company", "title", "notes", "guests", "rescheduleReason",
    ]  # fmt: skip
    assert out[0] == {
        "isDefault": True, "type": "name", "slug": "name", "required": True,
        "label": "Your name", "placeholder": "Ada",
    }  # fmt: skip
    assert out[4] == {
        "isDefault": True, "type": "textarea", "slug": "notes", "required": True,
        "hidden": False, "label": "Agenda",
    }  # fmt: skip


def test_split_name_replaces_the_name_field():
    split = {"type": "splitName", "firstNameLabel": "First", "lastNameRequired": True}
    out = output(stored(bookingFields=[split]))["bookingFields"]
    assert out[0] == {
        "isDefault": True, "type": "splitName", "slug": "splitName",
        "firstNameLabel": "First", "lastNameRequired": True,
    }  # fmt: skip


def test_the_location_field_is_listed_only_with_several_locations():
    two = [{"type": "attendeePhone"}, {"type": "integration", "integration": "cal-video"}]
    out = output(stored(locations=two, bookingFields=[{"slug": "location", "label": "Where?"}]))
    slugs = [f["slug"] for f in out["bookingFields"]]
    assert slugs[:3] == ["name", "email", "location"]
    assert out["bookingFields"][2] == {
        "isDefault": True, "type": "radioInput", "slug": "location", "required": False,
        "hidden": False, "label": "Where?",
    }  # fmt: skip
    assert "location" not in [f["slug"] for f in output(stored())["bookingFields"]]


def test_disable_guests_hides_the_guests_field():
    out = output(stored(disableGuests=True))
    assert out["disableGuests"] is True
    assert next(f for f in out["bookingFields"] if f["slug"] == "guests")["hidden"] is True


# --- output -------------------------------------------------------------------------------------


def test_a_minimal_event_type_has_every_required_output_field():
    out = output(stored())
    required = {
        "id", "ownerId", "lengthInMinutes", "title", "slug", "description", "locations",
        "bookingFields", "disableGuests", "recurrence", "metadata", "price", "currency",
        "lockTimeZoneToggleOnBookingPage", "forwardParamsSuccessRedirect", "successRedirectUrl",
        "isInstantEvent", "scheduleId", "hidden", "bookingRequiresAuthentication", "users",
        "bookingUrl",
    }  # fmt: skip
    assert required <= out.keys()
    assert out["description"] == ""
    assert out["recurrence"] is None
    assert out["metadata"] == {}
    assert (out["price"], out["currency"], out["isInstantEvent"]) == (0, "usd", False)
    assert out["minimumBookingNotice"] == 120
    assert "lengthInMinutesOptions" not in out and "bookingLimitsCount" not in out
    # Cal.com's output service answers these as disabled when unset.
    for key in ("bookingWindow", "confirmationPolicy", "seats", "bookerActiveBookingsLimit"):
        assert out[key] == {"disabled": True}


def test_seats_are_echoed_and_also_flattened():
    out = output(stored(seats=SEATS))
    assert out["seats"] == SEATS
    assert (out["seatsPerTimeSlot"], out["seatsShowAvailabilityCount"]) == (4, False)


def test_users_accept_snake_case_and_fill_defaults():
    out = event_type_output(
        stored(),
        id=1,
        owner_id=7,
        users=[{"id": 7, "avatar_url": "a.png", "week_start": "Sunday"}],
        booking_url="u",
    )
    assert out["users"] == [
        {
            "id": 7, "name": None, "username": None, "avatarUrl": "a.png", "weekStart": "Sunday",
            "brandColor": None, "darkBrandColor": None, "metadata": {},
        }
    ]  # fmt: skip


def test_the_legacy_list_item_shape():
    settings = stored(description="Hi", hidden=True)
    assert legacy_event_type_item(settings, 10, 2) == {
        "id": 10, "title": "Intro", "slug": "intro", "length": 30, "description": "Hi",
        "hidden": True, "locations": [{"type": "integration", "integration": "cal-video"}],
        "schedulingType": None, "teamId": None, "position": 2, "price": 0, "currency": "usd",
    }  # fmt: skip


def test_effective_settings_fall_back_to_defaults_and_treat_disabled_as_unset():
    assert effective_setting({}, "minimumBookingNotice") == 120
    assert effective_setting({}, "beforeEventBuffer") == 0
    assert effective_setting({"seats": {"disabled": True}}, "seats") is None
    assert effective_setting(
        {"bookingWindow": {"type": "businessDays", "value": 5}}, "bookingWindow"
    )


# --- PATCH --------------------------------------------------------------------------------------


def test_a_patch_changes_only_what_it_names():
    before = stored(description="Old", bookingLimitsCount={"day": 2}, hidden=True)
    after = patched(before, {"description": "New"})
    assert after == {**before, "description": "New"}
    assert before["description"] == "Old"  # the stored dict is not mutated


def test_a_patch_replaces_nested_objects_and_lists_whole():
    before = stored(bookingLimitsCount={"day": 2, "week": 5}, locations=[{"type": "attendeePhone"}])
    after = patched(
        before, {"bookingLimitsCount": {"month": 20}, "locations": [{"type": "attendeeDefined"}]}
    )
    assert after["bookingLimitsCount"] == {"month": 20}
    assert after["locations"] == [{"type": "attendeeDefined"}]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("bookingLimitsCount", {"day": 2}),
        ("bookingLimitsDuration", {"day": 60}),
        ("bookerActiveBookingsLimit", {"maximumActiveBookings": 1}),
        ("bookingWindow", {"type": "businessDays", "value": 5}),
        ("confirmationPolicy", ALWAYS),
        ("recurrence", RECURRENCE),
        ("seats", SEATS),
    ],
)
def test_disabled_true_resets_every_disableable_setting(key, value):
    before = stored(**{key: value})
    assert key in before
    after = patched(before, {key: {"disabled": True}})
    assert key not in after
    # recurrence is always listed, as null; window, policy, seats and the active-bookings limit
    # as disabled
    assert output(after).get(key) == ALWAYS_SENT.get(key)


def test_disabled_true_on_create_means_not_set():
    assert "seats" not in stored(seats={"disabled": True})


def test_null_resets_optional_settings_but_not_required_ones():
    before = stored(slotInterval=15, description="x")
    after = patched(before, {"slotInterval": None, "description": None})
    assert "slotInterval" not in after and "description" not in after
    assert output(after)["slotInterval"] is None
    assert errors(UpdateEventTypeInput, {"lengthInMinutes": None, "slug": None}) == {
        "lengthInMinutes": "may not be null",
        "slug": "may not be null",
    }


def test_a_patch_validates_its_own_fields_and_normalises_the_slug():
    assert list(errors(UpdateEventTypeInput, {"bookingLimitsCount": {"day": 0}})) == [
        "bookingLimitsCount.day"
    ]
    assert patched(stored(), {"slug": "New Name"})["slug"] == "new-name"


def test_a_patch_body_alone_is_checked_for_rules_among_the_fields_it_names():
    found = errors(UpdateEventTypeInput, {"seats": SEATS, "recurrence": RECURRENCE})
    assert list(found) == ["seats"]


def test_the_merged_result_is_checked_against_every_rule():
    before = stored(lengthInMinutesOptions=[30, 60])
    merged = patched(before, {"lengthInMinutes": 45})
    with pytest.raises(EventTypeSettingsError) as caught:
        validate_event_type_settings(merged)
    assert caught.value.field == "lengthInMinutesOptions"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, InvalidInput)
    assert caught.value.details == {
        "errors": [
            {"property": "lengthInMinutesOptions", "message": "must include lengthInMinutes (45)"}
        ]
    }


def test_seats_added_by_patch_to_a_recurring_event_type_are_refused():
    merged = patched(stored(recurrence=RECURRENCE), {"seats": SEATS})
    with pytest.raises(EventTypeSettingsError) as caught:
        validate_event_type_settings(merged)
    assert caught.value.field == "seats"


def test_a_valid_merge_passes_and_resetting_recurrence_allows_seats():
    merged = patched(
        stored(recurrence=RECURRENCE), {"recurrence": {"disabled": True}, "seats": SEATS}
    )
    validate_event_type_settings(merged)
    assert output(merged)["seatsPerTimeSlot"] == 4


def test_every_stored_document_validates_again_unchanged():
    settings = stored_from_create(CreateEventTypeInput.model_validate(EXAMPLE_REQUEST))
    validate_event_type_settings(settings)
    again = stored_from_create(CreateEventTypeInput.model_validate(settings))
    assert again == settings


def test_team_locations_also_accept_the_organizers_default_app():
    from pydantic import TypeAdapter

    from rendezvous.api.schemas.event_type_locations import TeamLocation

    adapter = TypeAdapter(list[TeamLocation])
    assert adapter.dump_python(
        adapter.validate_python([{"type": "organizersDefaultApp"}, {"type": "attendeePhone"}])
    ) == [{"type": "organizersDefaultApp"}, {"type": "attendeePhone"}]
