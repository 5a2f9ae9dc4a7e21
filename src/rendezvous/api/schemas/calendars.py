"""Wire models of /v2/calendars, /v2/selected-calendars and /v2/destination-calendars
(contract §9): inputs, the output models the document shows, and the output builders."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from rendezvous.api.schemas.bounds import IDENTIFIER_MAX, URL_MAX, IntegralFloat, Line
from rendezvous.api.schemas.common import MAX_ID, OutModel, WireModel
from rendezvous.domain import calendars as cals
from rendezvous.domain.calendars import CalendarState, ConnectedCalendar, Credential
from rendezvous.services.calendars import MAX_FEEDS, Connection

SECRET_MAX = 1024


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme.lower(), parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https", "webcal") or not host:
        raise ValueError("must be an absolute http://, https:// or webcal:// URL with a host")
    return value


Url = Annotated[str, Field(min_length=1, max_length=URL_MAX), Line, AfterValidator(_http_url)]
Secret = Annotated[str, Field(min_length=1, max_length=SECRET_MAX), Line]
CredentialId = Annotated[int, Field(ge=1, le=MAX_ID), IntegralFloat]
ExternalId = Annotated[str, Field(min_length=1, max_length=URL_MAX), Line]
Integration = Annotated[str, Field(min_length=1, max_length=IDENTIFIER_MAX), Line]


class IcsFeedInput(WireModel):
    urls: list[Url] = Field(min_length=1, max_length=MAX_FEEDS)
    read_only: bool = True


class CalendarCredentialsInput(WireModel):
    """``CreateCalendarCredentialsInput``; ``url`` is Rendezvous's addition for ``caldav``."""

    username: Secret
    password: Secret
    url: Url | None = Field(None, description="the CalDAV server (required for caldav)")


class DisconnectInput(WireModel):
    id: CredentialId = Field(description="the credential id, as GET /v2/calendars gives it")


class SelectedCalendarInput(WireModel):
    integration: Integration
    external_id: ExternalId
    credential_id: CredentialId


class DestinationCalendarInput(WireModel):
    integration: Integration
    external_id: ExternalId


# --- outputs (for the document) ---------------------------------------------------------------


class CredentialOutput(OutModel):
    id: int
    type: str
    user_id: int | None
    team_id: int | None
    app_id: str | None
    invalid: bool | None


class CalendarError(OutModel):
    message: str


class Integration_(OutModel):
    name: str
    description: str
    type: str
    slug: str
    variant: Literal["calendar"]
    categories: list[str]
    logo: str
    publisher: str
    url: str
    email: str
    location_option: None


class CalendarOutput(OutModel):
    external_id: str
    integration: str
    name: str | None
    primary: bool | None
    read_only: bool
    email: str | None
    is_selected: bool
    credential_id: int
    error: CalendarError | None = None


class ConnectedCalendarOutput(OutModel):
    integration: Integration_
    credential_id: int
    primary: CalendarOutput | None = None
    calendars: list[CalendarOutput]
    error: CalendarError | None = None


class DestinationOutput(OutModel):
    id: int
    integration: str
    external_id: str
    primary_email: str | None
    user_id: int | None
    event_type_id: int | None
    credential_id: int | None
    name: str | None = None
    integration_title: str | None = None


class CalendarsOutput(OutModel):
    connected_calendars: list[ConnectedCalendarOutput]
    destination_calendar: DestinationOutput | None


class BusyTime(OutModel):
    start: str
    end: str
    source: str | None


class SelectedCalendarOutput(OutModel):
    user_id: int
    integration: str
    external_id: str
    credential_id: int | None


class IcsCheckOutput(OutModel):
    checked: bool
    valid: bool


# --- builders ---------------------------------------------------------------------------------


def credential_output(credential: Credential) -> dict[str, Any]:
    return {
        "id": credential.id,
        "type": credential.type,
        "userId": credential.user_id,
        "teamId": None,
        "appId": credential.app_id,
        "invalid": credential.invalid,
    }


def _integration(kind: str) -> dict[str, Any]:
    meta = cals.INTEGRATIONS[kind]
    return {
        "name": meta["name"],
        "description": meta["description"],
        "type": kind,
        "slug": meta["slug"],
        "variant": "calendar",
        "categories": ["calendar"],
        "logo": "",
        "publisher": "Rendezvous",
        "url": "",
        "email": "",
        "locationOption": None,
    }


def _calendar(calendar: ConnectedCalendar, state: CalendarState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "externalId": calendar.external_id,
        "integration": calendar.integration,
        "name": calendar.name,
        "primary": calendar.is_destination,
        "readOnly": calendar.read_only,
        "email": None,
        "isSelected": calendar.is_selected,
        "credentialId": calendar.credential_id,
    }
    if state.error is not None:
        out["error"] = {"message": state.error}
    return out


def calendars_output(connections: list[Connection], user_id: int) -> dict[str, Any]:
    connected = []
    destination: dict[str, Any] | None = None
    for connection in connections:
        calendars = [_calendar(c, s) for c, s in connection.calendars]
        item: dict[str, Any] = {
            "integration": _integration(connection.credential.type),
            "credentialId": connection.credential.id,
            "calendars": calendars,
        }
        primary = [out for out in calendars if out["primary"]]
        if primary:
            item["primary"] = primary[0]
        errors = [s.error for _, s in connection.calendars if s.error is not None]
        if errors:
            item["error"] = {"message": errors[0]}
        connected.append(item)
        for calendar, _ in connection.calendars:
            if calendar.is_destination:
                destination = {
                    "id": calendar.id,
                    "integration": calendar.integration,
                    "externalId": calendar.external_id,
                    "primaryEmail": None,
                    "userId": user_id,
                    "eventTypeId": None,
                    "credentialId": calendar.credential_id,
                    "name": calendar.name,
                    "integrationTitle": cals.INTEGRATIONS[calendar.integration]["name"],
                }
    return {"connectedCalendars": connected, "destinationCalendar": destination}


def selected_output(calendar: ConnectedCalendar) -> dict[str, Any]:
    return {
        "userId": calendar.user_id,
        "integration": calendar.integration,
        "externalId": calendar.external_id,
        "credentialId": calendar.credential_id,
    }
