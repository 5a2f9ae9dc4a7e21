"""Event-type locations, cal-api-version 2024-06-14 (contract §4.3): one model per ``type``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from rendezvous.api.schemas.bounds import LOCATION_MAX, PHONE_MAX
from rendezvous.api.schemas.common import WireModel
from rendezvous.api.schemas.event_type_fields import HttpUrlString, dispatch

Integration = Literal[
    "cal-video", "google-meet", "zoom", "whereby-video", "whatsapp-video", "webex-video",
    "telegram-video", "tandem", "sylaps-video", "skype-video", "sirius-video", "signal-video",
    "shimmer-video", "salesroom-video", "roam-video", "riverside-video", "ping-video",
    "office365-video", "mirotalk-video", "jitsi", "jelly-video", "jelly-conferencing", "huddle",
    "facetime-video", "element-call-video", "eightxeight-video", "discord-video",
    "demodesk-video", "campfire-video",
]  # fmt: skip

DEFAULT_LOCATIONS: tuple[dict[str, Any], ...] = (
    {"type": "integration", "integration": "cal-video"},
)

_PHONE_NOISE = re.compile(r"[\s().-]")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def check_phone(value: str) -> str:
    """International form, as class-validator's IsPhoneNumber() without a region demands."""
    if len(value) > PHONE_MAX or not _E164.fullmatch(_PHONE_NOISE.sub("", value)):
        raise ValueError("must be a phone number in international form, e.g. +37120993151")
    return value


PhoneNumber = Annotated[str, AfterValidator(check_phone)]


class AddressLocation(WireModel):
    type: Literal["address"]
    address: Annotated[str, Field(min_length=1, max_length=LOCATION_MAX)]  # may span lines
    public: bool


class LinkLocation(WireModel):
    type: Literal["link"]
    link: HttpUrlString
    public: bool


class PhoneLocation(WireModel):
    type: Literal["phone"]
    phone: PhoneNumber
    public: bool


class IntegrationLocation(WireModel):
    type: Literal["integration"]
    integration: Integration


class AttendeeAddressLocation(WireModel):
    type: Literal["attendeeAddress"]


class AttendeePhoneLocation(WireModel):
    type: Literal["attendeePhone"]


class AttendeeDefinedLocation(WireModel):
    type: Literal["attendeeDefined"]


class OrganizersDefaultAppLocation(WireModel):
    """Team event types only."""

    type: Literal["organizersDefaultApp"]


_USER_TYPES: dict[str, type[BaseModel]] = {
    "address": AddressLocation,
    "link": LinkLocation,
    "phone": PhoneLocation,
    "integration": IntegrationLocation,
    "attendeeAddress": AttendeeAddressLocation,
    "attendeePhone": AttendeePhoneLocation,
    "attendeeDefined": AttendeeDefinedLocation,
}
_TEAM_TYPES = {**_USER_TYPES, "organizersDefaultApp": OrganizersDefaultAppLocation}


def _chooser(types: Mapping[str, type[BaseModel]]) -> Any:
    def choose(value: Mapping[str, Any]) -> type[BaseModel] | str:
        kind = value.get("type")
        if isinstance(kind, str) and kind in types:
            return types[kind]
        if kind is None:
            return "Field required"
        return "must be one of " + ", ".join(types)

    return choose


UserLocation = (
    AddressLocation
    | LinkLocation
    | PhoneLocation
    | IntegrationLocation
    | AttendeeAddressLocation
    | AttendeePhoneLocation
    | AttendeeDefinedLocation
)
Location = Annotated[UserLocation, dispatch(_chooser(_USER_TYPES))]
TeamLocation = Annotated[
    UserLocation | OrganizersDefaultAppLocation, dispatch(_chooser(_TEAM_TYPES))
]
