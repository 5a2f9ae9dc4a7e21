"""The public pages: ``/``, ``/{username}``, ``/{username}/{slug}`` (the ``bookingUrl``),
``/team/{teamSlug}/{slug}``, ``/booking/{uid}`` (confirmation, ``.ics``, cancel, reschedule)
and ``/verify-email``.

Every page reads and writes through the services the API uses: slots from
``services.slots.find_slots`` (as ``GET /v2/slots``), bookings through
``services.transactions.run`` with ``services.bookings.create/cancel/reschedule`` (as
``POST /v2/bookings``, ``…/cancel``, ``…/reschedule``), the form read as the API's create body.
Cancel and reschedule act by uid with no login, as the API's (and Cal.com's public pages) do.
Posts are CSRF-safe by a same-origin check (``forms.same_origin``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import RedirectResponse, Response

from rendezvous import __version__
from rendezvous.api.deps import Now, SettingsDep, Uow
from rendezvous.api.errors import DOMAIN_STATUS
from rendezvous.api.routers.bookings import context, new_booking, renderer
from rendezvous.api.schemas.bookings import (
    CancelBookingInput,
    CreateBookingInput,
    RescheduleBookingInput,
)
from rendezvous.domain import errors
from rendezvous.domain.accounts import RESERVED_USERNAMES
from rendezvous.domain.booking_fields import phone_only
from rendezvous.domain.bookings import Booking
from rendezvous.domain.bounds import EARLIEST_YEAR, LATEST_YEAR
from rendezvous.domain.invitations import Change, calendar_event, main_attendees
from rendezvous.integrations.ics import calendar_bytes
from rendezvous.services import accounts
from rendezvous.services import bookings as svc
from rendezvous.services.public import public_profile
from rendezvous.services.slots import find_slots
from rendezvous.services.transactions import run
from rendezvous.web import forms, picker, targets
from rendezvous.web.render import page

ZONES = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
_ZONE_SET = frozenset(ZONES)


class Username(Convertor[str]):
    """A first path segment that names a user: never one of the server's own paths (``v2``,
    ``docs``, ``booking``…), so ``/v2/unknown`` stays the API's 404 and ``POST /v2/me`` its
    405 rather than a page."""

    _words = "|".join(sorted((w.replace(".", r"\.") for w in RESERVED_USERNAMES), key=len)[::-1])
    regex = rf"(?!(?:{_words})(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("username", Username())
router = APIRouter(include_in_schema=False)


def _zone(value: str | None, default: str) -> str:
    return value if value and value in _ZONE_SET else default


def _status(exc: errors.DomainError) -> int:
    return next((s for cls, s in DOMAIN_STATUS if isinstance(exc, cls)), 400)


def _not_found(request: Request, message: str) -> Response:
    return page(request, "message.html", {"title": "Not found", "message": message}, 404)


def _forbidden(request: Request) -> Response:
    return page(
        request,
        "message.html",
        {
            "title": "Refused",
            "message": "This form was not sent from this site. Go back, reload the page and "
            "try again.",
        },
        403,
    )


def _too_many_fields(request: Request) -> Response:
    message = f"This form has too many fields (at most {forms.MAX_FORM_FIELDS})."
    return page(request, "message.html", {"title": "Not sent", "message": message}, 400)


MONTHS_AROUND = 120  # how far from today the picker goes: ten years either way


def _month(month: str | None, day: date | None, today: date) -> date:
    """The month to show: ``month`` (``YYYY-MM``), else the chosen day's, else today's; one
    that is unreadable or more than MONTHS_AROUND months away shows today's (the engine would
    find nothing there, and the calendar arithmetic must stay inside years 1–9999)."""
    first = None
    if month:
        try:
            year, _, number = month.partition("-")
            first = date(int(year), int(number), 1)
        except ValueError:
            first = None
    first = first or (day.replace(day=1) if day else None)
    if first is None or abs((first.year - today.year) * 12 + first.month - today.month) > (
        MONTHS_AROUND
    ):
        return today.replace(day=1)
    return first


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _instant(value: str | None) -> datetime | None:
    """An aware instant in the years the API accepts (``domain.bounds``), as UTC; None for
    anything else (unreadable, naive, or so far away that calendar arithmetic overflows)."""
    try:
        moment = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if EARLIEST_YEAR <= moment.year <= LATEST_YEAR else None


def _problems(exc: ValidationError) -> list[str]:
    """Each refused field as ``path: reason`` (the API's wording, without pydantic's prefix)."""
    return [
        f"{'.'.join(str(p) for p in e['loc'] if not isinstance(p, int))}: "
        + str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors()
    ]


async def _picker(
    uow: Any,
    now: datetime,
    target: targets.Target,
    params: dict[str, str | None],
    *,
    reschedule_uid: str | None = None,
) -> dict[str, Any]:
    """What the date-and-time picker shows: the month's days with free slots, the chosen day's
    times and the chosen slot (None when absent or no longer offered) — from ``find_slots``,
    the engine of ``GET /v2/slots``."""
    zone = _zone(params.get("tz"), target.owner.time_zone)
    today = now.astimezone(ZoneInfo(zone)).date()
    chosen_day = _day(params.get("date"))
    first = _month(params.get("month"), chosen_day, today)
    start, end = picker.month_range(first, zone)
    slots = await find_slots(
        uow,
        target.event_type,
        target.hosts,
        start=start,
        end=end,
        now=now,
        display_time_zone=zone,
        reschedule_uid=reschedule_uid,
    )
    days = picker.by_day(slots, zone)
    if chosen_day is not None and (chosen_day.year, chosen_day.month) != (first.year, first.month):
        chosen_day = None
    day_slots = days.get(chosen_day, []) if chosen_day else []
    wanted = _instant(params.get("slot"))
    chosen = next((s for s in day_slots if s.start == wanted), None) if wanted else None
    return {
        "zone": zone,
        "zones": ZONES,
        "month": picker.month_grid(first, days, target.owner.week_start),
        "day": chosen_day,
        "day_slots": day_slots,
        "slot": chosen,
        "slot_gone": wanted is not None and chosen is None,
        "today": today,
        "twelve_hour": target.owner.time_format == 12,
    }


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _event_view(target: targets.Target) -> dict[str, Any]:
    event_type = target.event_type
    settings = event_type.settings
    offered = forms.offered_locations(event_type.booking.locations)
    return {
        "target": target,
        "event_type": event_type,
        "description": settings.get("description") or "",
        "duration": event_type.rules.duration,
        "locations": [
            {"index": i, "label": forms.location_label(loc), "text": forms.needs_text(loc)}
            for i, loc in enumerate(offered)
        ],
        "custom_fields": forms.custom_fields(event_type.booking.booking_fields),
        "phone_field": forms.phone_field(event_type.booking.booking_fields),
        # Contract §4.4: the email field hidden and not required with a phone field — the
        # attendee books with a phone number alone, and the page does not ask for an email.
        "email_asked": not phone_only(event_type.booking.booking_fields),
        "guests_allowed": not event_type.booking.guests_disabled,
    }


async def _booking_page(
    request: Request,
    uow: Any,
    now: datetime,
    target: targets.Target,
    params: dict[str, str | None],
    *,
    message: str | None = None,
    problems: list[str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    fields = {"problems": problems or [], "values": values or {}, "mode": "book"}
    return await _picker_page(request, uow, now, target, params, message, fields, status)


async def _picker_page(
    request: Request,
    uow: Any,
    now: datetime,
    target: targets.Target,
    params: dict[str, str | None],
    message: str | None,
    fields: dict[str, Any],
    status: int,
    *,
    reschedule_uid: str | None = None,
) -> Response:
    """book.html for ``target``: the event, the picker and the form, with ``fields`` saying
    which mode (book or reschedule) and what to show again; an engine refusal is a 422 page."""
    try:
        view = await _picker(uow, now, target, params, reschedule_uid=reschedule_uid)
    except errors.DomainError as exc:
        return page(request, "message.html", {"title": "Unavailable", "message": str(exc)}, 422)
    context = {"action": target.path, "message": message, "query": _query} | fields
    return page(request, "book.html", _event_view(target) | view | context, status)


def _params(request: Request) -> dict[str, str | None]:
    q = request.query_params
    return {name: q.get(name) for name in ("tz", "month", "date", "slot")}


# --- pages -----------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request, settings: SettingsDep) -> Response:
    """What this server is, and where its API is documented."""
    return page(request, "home.html", {"version": __version__, "public_url": settings.public_url})


@router.get("/verify-email")
async def verify_email_page(request: Request, token: str = "") -> Response:
    # Opening the link only shows a button: mail scanners that fetch links verify nothing.
    return page(request, "verify.html", {"token": token[:200], "done": None})


@router.post("/verify-email")
async def verify_email(request: Request, uow: Uow, now: Now, settings: SettingsDep) -> Response:
    """Verify the address the mailed link was sent to (``services.accounts``)."""
    if not forms.same_origin(request, settings.public_url):
        return _forbidden(request)
    fields = await forms.form_fields(request)
    if fields is None:
        return _too_many_fields(request)
    try:
        user = await accounts.verify_email_token(uow, forms.first(fields, "token"), now)
    except errors.NotFound as exc:
        return page(request, "verify.html", {"token": "", "done": None, "error": str(exc)}, 404)
    return page(request, "verify.html", {"token": "", "done": user.email})


@router.get("/booking/{uid}")
async def booking_page(request: Request, uid: str, uow: Uow, now: Now) -> Response:
    """The confirmation page: what, when (in the visitor's zone), where, with whom; the
    ``.ics`` download, cancel and reschedule."""
    try:
        outcome = await svc.get(uow, uid)
    except errors.NotFound:
        return _not_found(request, "There is no booking at this address.")
    booking = outcome.bookings[0]
    attendee_zone = booking.attendees[0].time_zone if booking.attendees else "UTC"
    zone = _zone(request.query_params.get("tz"), attendee_zone)
    hosts = [outcome.hosts[h] for h in booking.host_ids if h in outcome.hosts]
    event_type = outcome.event_type
    return page(
        request,
        "booking.html",
        {
            "booking": booking,
            "series": outcome.bookings if outcome.recurring else [],
            "event_title": event_type.title if event_type else booking.title,
            "hosts": hosts,
            "attendees": main_attendees(booking),
            "zone": zone,
            "zones": ZONES,
            "past": booking.end <= now,
            "can_change": _unchangeable(booking, now) is None,
            "query": _query,
            "notice": request.query_params.get("notice"),
        },
    )


def _unchangeable(booking: Booking, now: datetime) -> str | None:
    """Why the manage page offers no new time for ``booking`` (None: it does). The services
    refuse these too; the page says so before the visitor picks a time."""
    if booking.rescheduled_to_uid:
        return "This booking was moved to a new time already."
    if booking.status == "cancelled":
        return "This booking is cancelled."
    if booking.status == "rejected":
        return "The host declined this booking."
    if not booking.active:
        return f"This booking is {booking.status}."
    if booking.end <= now:
        return "This booking is in the past."
    if booking.seated:
        return "This is a seat of a group booking: ask the host to change it."
    return None


def _ics_change(booking: Booking) -> Change:
    if booking.status in ("cancelled", "rejected"):
        return "cancelled"
    return "requested" if booking.status == "pending" else "created"


@router.get("/booking/{uid}/ics")
async def booking_ics(request: Request, uid: str, uow: Uow, now: Now) -> Response:
    """The booking as an iCalendar file ("add to calendar"): the same UID and SEQUENCE the
    mailed invitations carry."""
    try:
        outcome = await svc.get(uow, uid)
    except errors.NotFound:
        return _not_found(request, "There is no booking at this address.")
    booking = outcome.bookings[0]
    if booking.rescheduled_to_uid:  # its event (same UID) lives on in the successor
        return RedirectResponse(f"/booking/{booking.rescheduled_to_uid}/ics", 303)
    organizer = outcome.hosts.get(booking.user_id) or next(iter(outcome.hosts.values()), None)
    if organizer is None:  # every host was deleted: there is nobody to name as organizer
        return _not_found(request, "This booking has no host any more.")
    hosts = [outcome.hosts[h] for h in booking.host_ids if h in outcome.hosts]
    event = calendar_event(booking, organizer, change=_ics_change(booking), hosts=hosts)
    return Response(
        calendar_bytes(event, stamp=now, method=None),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="booking.ics"'},
    )


@router.post("/booking/{uid}/cancel")
async def cancel(request: Request, uid: str, uow: Uow, now: Now, settings: SettingsDep) -> Response:
    """Cancel through ``services.bookings.cancel``, as ``POST /v2/bookings/{uid}/cancel``
    without credentials."""
    if not forms.same_origin(request, settings.public_url):
        return _forbidden(request)
    fields = await forms.form_fields(request)
    if fields is None:
        return _too_many_fields(request)
    zone = _zone(forms.first(fields, "tz"), "UTC")
    try:  # the reason is checked as the API's cancel body checks it (length, NUL, controls)
        body = CancelBookingInput.model_validate(
            {"cancellationReason": forms.first(fields, "reason") or None}
        )
    except ValidationError as exc:
        message = "; ".join(_problems(exc))
        return page(request, "message.html", {"title": "Not cancelled", "message": message}, 400)
    reason = body.cancellation_reason
    ctx = context(settings, now, None)
    try:
        await run(
            uow, lambda: svc.cancel(uow, uid, ctx, reason=reason), renderer(None, 200), now=now
        )
    except errors.DomainError as exc:
        await uow.rollback()
        return page(
            request, "message.html", {"title": "Not cancelled", "message": str(exc)}, _status(exc)
        )
    return RedirectResponse(f"/booking/{uid}?{_query(tz=zone, notice='cancelled')}", 303)


async def _reschedule_target(uow: Any, uid: str) -> tuple[Booking, targets.Target]:
    outcome = await svc.get(uow, uid)
    booking = outcome.bookings[0]
    if outcome.event_type is None:
        raise errors.NotFound("The event type of this booking no longer exists")
    return booking, await targets.for_event_type(
        uow, outcome.event_type, path=f"/booking/{uid}/reschedule"
    )


@router.get("/booking/{uid}/reschedule")
async def reschedule_page(request: Request, uid: str, uow: Uow, now: Now) -> Response:
    """The same picker, for a new time of this booking (its own time counts as free)."""
    try:
        booking, target = await _reschedule_target(uow, uid)
    except errors.NotFound:
        return _not_found(request, "There is no booking at this address.")
    return await _reschedule_view(request, uow, now, booking, target, _params(request))


async def _reschedule_view(
    request: Request,
    uow: Any,
    now: datetime,
    booking: Booking,
    target: targets.Target,
    params: dict[str, str | None],
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    why_not = _unchangeable(booking, now)
    if why_not is not None:
        return page(
            request,
            "message.html",
            {
                "title": "This booking cannot be moved",
                "message": why_not,
                "link": (
                    f"/booking/{booking.rescheduled_to_uid or booking.uid}",
                    "See the booking",
                ),
            },
            409,
        )
    if not params.get("tz") and booking.attendees:
        params = params | {"tz": booking.attendees[0].time_zone}
    fields = {"problems": [], "values": {}, "mode": "reschedule", "booking": booking}
    return await _picker_page(
        request, uow, now, target, params, message, fields, status, reschedule_uid=booking.uid
    )


@router.post("/booking/{uid}/reschedule")
async def reschedule(
    request: Request, uid: str, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    """Reschedule through ``services.bookings.reschedule``, as
    ``POST /v2/bookings/{uid}/reschedule`` without credentials."""
    if not forms.same_origin(request, settings.public_url):
        return _forbidden(request)
    fields = await forms.form_fields(request)
    if fields is None:
        return _too_many_fields(request)
    zone = _zone(forms.first(fields, "tz"), "UTC")
    start = _instant(forms.first(fields, "start"))
    ctx = context(settings, now, None)
    try:
        if not forms.first(fields, "start"):
            raise errors.InvalidInput("Choose a time first", {"fields": ["start"]})
        try:  # checked as the API's reschedule body is (start in range, reason text)
            parsed = RescheduleBookingInput.model_validate(
                {
                    "start": forms.first(fields, "start"),
                    "reschedulingReason": forms.first(fields, "reason") or None,
                }
            )
        except ValidationError as exc:
            raise errors.InvalidInput("; ".join(_problems(exc))) from None
        new_start, reason = parsed.start, parsed.rescheduling_reason
        _code, body = await run(
            uow,
            lambda: svc.reschedule(uow, uid, new_start, ctx, reason=reason),
            renderer(None, 201),
            now=now,
        )
    except errors.DomainError as exc:
        await uow.rollback()
        try:
            booking, target = await _reschedule_target(uow, uid)
        except errors.NotFound:
            return _not_found(request, "There is no booking at this address.")
        day = start.astimezone(ZoneInfo(zone)).date().isoformat() if start else None
        params = {"tz": zone, "date": day, "month": day[:7] if day else None, "slot": None}
        return await _reschedule_view(
            request, uow, now, booking, target, params, message=_explain(exc), status=_status(exc)
        )
    new_uid = body["data"]["uid"]
    return RedirectResponse(f"/booking/{new_uid}?{_query(tz=zone, notice='rescheduled')}", 303)


def _explain(exc: errors.DomainError) -> str:
    if isinstance(exc, errors.SlotTaken | errors.SeatsFull):
        return "Sorry, that time was just taken by someone else. Please choose another time."
    return str(exc)


async def _book(
    request: Request, uow: Any, now: datetime, settings: Any, target: targets.Target
) -> Response:
    """The booking form's post: validated as the API's create body, booked through
    ``services.bookings.create``; a refusal re-renders the page with the reason."""
    if not forms.same_origin(request, settings.public_url):
        return _forbidden(request)
    fields = await forms.form_fields(request)
    if fields is None:
        return _too_many_fields(request)
    zone = _zone(forms.first(fields, "tz"), target.owner.time_zone)
    view = _event_view(target)
    offered = forms.offered_locations(target.event_type.booking.locations)
    body = forms.booking_body(
        fields,
        event_type_id=target.event_type.id,
        time_zone=zone,
        offered=offered,
        custom=view["custom_fields"],
    )
    start = _instant(body["start"])
    day = start.astimezone(ZoneInfo(zone)).date().isoformat() if start else None
    params = {"tz": zone, "date": day, "month": day[:7] if day else None, "slot": body["start"]}
    values = {
        name: forms.first(fields, name) for name in ("name", "email", "phone", "notes", "guests")
    }
    try:
        parsed = CreateBookingInput.model_validate(body)
    except ValidationError as exc:
        problems = _problems(exc)
        return await _booking_page(
            request, uow, now, target, params, problems=problems, values=values, status=400
        )
    ctx = context(settings, now, None)
    new = new_booking(parsed)
    try:
        _status_code, answer = await run(
            uow, lambda: svc.create(uow, new, ctx), renderer(None, 201), now=now
        )
    except errors.DomainError as exc:
        await uow.rollback()
        params["slot"] = (
            None if isinstance(exc, errors.SlotTaken | errors.SeatsFull) else body["start"]
        )
        return await _booking_page(
            request,
            uow,
            now,
            target,
            params,
            message=_explain(exc),
            values=values,
            status=_status(exc),
        )
    data = answer["data"]
    uid = (data[0] if isinstance(data, list) else data)["uid"]
    return RedirectResponse(f"/booking/{uid}?{_query(tz=zone)}", 303)


@router.get("/team/{team_slug}/{slug}")
async def team_event_page(
    request: Request, team_slug: str, slug: str, uow: Uow, now: Now
) -> Response:
    try:
        target = await targets.resolve(uow, team_slug=team_slug, slug=slug)
    except errors.NotFound as exc:
        return _not_found(request, str(exc))
    return await _booking_page(request, uow, now, target, _params(request))


@router.post("/team/{team_slug}/{slug}")
async def team_event_book(
    request: Request, team_slug: str, slug: str, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    try:
        target = await targets.resolve(uow, team_slug=team_slug, slug=slug)
    except errors.NotFound as exc:
        return _not_found(request, str(exc))
    return await _book(request, uow, now, settings, target)


@router.get("/{username:username}")
async def profile_page(request: Request, username: str, uow: Uow) -> Response:
    """A user's public event types."""
    try:
        user, event_types = await public_profile(uow, username)
    except errors.NotFound:
        return _not_found(request, "There is nobody with this name here.")
    return page(request, "profile.html", {"user": user, "event_types": event_types})


@router.get("/{username:username}/{slug}")
async def event_page(request: Request, username: str, slug: str, uow: Uow, now: Now) -> Response:
    """The ``bookingUrl``: the event, a month of days with free slots, the chosen day's times
    in the visitor's zone, and the booking form."""
    try:
        target = await targets.resolve(uow, username=username, slug=slug)
    except errors.NotFound:
        return _not_found(request, "There is no such event type here.")
    return await _booking_page(request, uow, now, target, _params(request))


@router.post("/{username:username}/{slug}")
async def event_book(
    request: Request, username: str, slug: str, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    try:
        target = await targets.resolve(uow, username=username, slug=slug)
    except errors.NotFound:
        return _not_found(request, "There is no such event type here.")
    return await _book(request, uow, now, settings, target)
