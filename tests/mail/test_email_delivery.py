"""Booking emails end to end: API changes write email rows, the real worker sends them with
aiosmtplib to a real SMTP server (aiosmtpd on loopback, with AUTH), and the test parses what
arrives: MIME parts, the iCalendar METHOD/UID/SEQUENCE, the manage link."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import text

from rendezvous.db.engine import session_factory
from rendezvous.integrations.mail import SmtpServer, parse_smtp_url
from rendezvous.worker.kinds import load_handlers
from rendezvous.worker.runner import Worker
from tests.api.helpers import attendee

TUE_09 = "2030-01-08T09:00:00Z"
# AUTH without TLS is what this loopback test server does on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
load_handlers()  # the worker's own registry: "email" (issue 16) and "webhook"


@dataclass
class Inbox:
    port: int
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[str, str]] = field(default_factory=list)
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == ("mailer", "s3cret/+"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(port=_free_port())
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def _mail_settings(settings, inbox: Inbox, **extra: Any):
    # The password has characters that must be percent-encoded in the URL.
    url = f"smtp://mailer:s3cret%2F%2B@127.0.0.1:{inbox.port}"
    return settings.model_copy(
        update={"smtp_url": url, "smtp_security": "none", "smtp_timeout": 5.0} | extra
    )


async def _run_worker(settings, db, clock) -> int:
    worker = Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5)
    try:
        return await worker.run_once()
    finally:
        await worker.aclose()


def _calendar(msg: EmailMessage) -> tuple[str, icalendar.Calendar]:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return str(part.get_param("method")), icalendar.Calendar.from_ical(part.get_content())


def _event(cal: icalendar.Calendar) -> Any:
    return next(iter(cal.walk("VEVENT")))


async def _email_rows(db) -> list[tuple[str, str, int]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT topic, status, attempts FROM outbox WHERE kind = 'email' ORDER BY id")
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_create_reschedule_cancel_mail_attendee_and_host_one_event_moving(
    client, make_user, make_event_type, settings, db, clock, inbox
):
    bob = await make_user("bob", time_zone="Europe/Rome", name="Bob Host")
    et = await make_event_type(bob, "intro", duration=30)
    body = {
        "start": TUE_09,
        "eventTypeId": et,
        "attendee": attendee(),
        "guests": ["guest@example.com"],
    }
    created = await client.post("/v2/bookings", json=body)
    assert created.status_code == 201, created.text
    uid = created.json()["data"]["uid"]
    moved = await client.post(
        f"/v2/bookings/{uid}/reschedule", json={"start": "2030-01-08T10:00:00Z"}
    )
    new_uid = moved.json()["data"]["uid"]
    await client.post(f"/v2/bookings/{new_uid}/cancel", json={"cancellationReason": "ill"})

    mail_settings = _mail_settings(settings, inbox)
    await _run_worker(mail_settings, db, clock)
    assert inbox.logins and inbox.logins[0] == ("mailer", "s3cret/+")
    # 3 changes × (host, jane, guest), one row each
    assert [s for _, s, _ in await _email_rows(db)] == ["done"] * 9

    for address in ("jane@example.com", "bob@example.com", "guest@example.com"):
        received = inbox.to(address)
        assert len(received) == 3, address
        seen = []
        for msg in received:
            kinds = [p.get_content_type() for p in msg.walk()]
            assert "text/plain" in kinds and "text/html" in kinds, kinds
            assert any(p.get_filename() == "invite.ics" for p in msg.walk())
            method, cal = _calendar(msg)
            assert str(cal["METHOD"]) == method
            ev = _event(cal)
            seen.append((method, str(ev["UID"]), int(ev["SEQUENCE"]), ev.decoded("DTSTART")))
        by_seq = sorted(seen, key=lambda s: s[2])
        assert [(m, q) for m, _, q, _ in by_seq] == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
        assert len({u for _, u, _, _ in by_seq}) == 1  # one calendar event, moved then cancelled
        assert by_seq[1][3].isoformat() == "2030-01-08T10:00:00+00:00"

    first = next(
        m for m in inbox.to("jane@example.com") if "confirmed" in str(m["Subject"]).lower()
    )
    text_part = first.get_body(preferencelist=("plain",)).get_content()
    assert f"https://cal.example.com/booking/{uid}" in text_part
    assert "04:00" in text_part  # 09:00Z on Jane's clock (America/New_York)
    html = first.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://cal.example.com/booking/{uid}"' in html
    cancel_mail = next(m for m in inbox.to("bob@example.com") if "Cancelled" in str(m["Subject"]))
    assert "ill" in cancel_mail.get_body(preferencelist=("plain",)).get_content()


async def test_a_rolled_back_booking_mails_nobody(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    et = await make_event_type(bob, "intro")
    body = {"start": TUE_09, "eventTypeId": et, "attendee": attendee()}
    assert (await client.post("/v2/bookings", json=body)).status_code == 201
    assert (await client.post("/v2/bookings", json=body)).status_code == 409
    assert [t for t, _, _ in await _email_rows(db)] == ["created", "created"]  # host + jane


async def test_a_refused_recipient_fails_alone_and_a_dead_server_is_retried(
    client, make_user, make_event_type, settings, db, clock, inbox
):
    bob = await make_user("bob")
    et = await make_event_type(bob, "intro")
    body = {"start": TUE_09, "eventTypeId": et, "attendee": attendee()}
    assert (await client.post("/v2/bookings", json=body)).status_code == 201
    inbox.refuse.add("jane@example.com")
    await _run_worker(_mail_settings(settings, inbox), db, clock)
    assert sorted(s for _, s, _ in await _email_rows(db)) == ["done", "failed"]
    assert len(inbox.to("bob@example.com")) == 1

    dead = settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{_free_port()}", "smtp_security": "none"}
    )
    body["start"] = "2030-01-08T11:00:00Z"
    assert (await client.post("/v2/bookings", json=body)).status_code == 201
    await _run_worker(dead, db, clock)
    rows = await _email_rows(db)
    assert [(s, a) for _, s, a in rows[2:]] == [("pending", 1), ("pending", 1)]


async def test_without_an_smtp_url_mails_are_logged_not_sent(
    client, make_user, make_event_type, settings, db, clock, caplog
):
    bob = await make_user("bob")
    et = await make_event_type(bob, "intro")
    body = {"start": TUE_09, "eventTypeId": et, "attendee": attendee()}
    assert (await client.post("/v2/bookings", json=body)).status_code == 201
    with caplog.at_level("INFO", logger="rendezvous.mail"):
        await _run_worker(settings, db, clock)
    assert [s for _, s, _ in await _email_rows(db)] == ["done", "done"]
    assert "mail not sent (no RENDEZVOUS_SMTP_URL)" in caplog.text


async def test_a_changed_address_is_verified_by_the_mailed_link(
    client, make_user, settings, db, clock, inbox
):
    bob = await make_user("bob")
    changed = await client.patch("/v2/me", json={"email": "new@example.com"}, headers=bob.auth)
    assert changed.status_code == 200
    await _run_worker(_mail_settings(settings, inbox), db, clock)
    [msg] = inbox.to("new@example.com")
    body = msg.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https://cal\.example\.com(/verify-email\?token=\S+)", body)
    assert link, body
    page = await client.get(link.group(1))
    assert page.status_code == 200 and "Confirm my address" in page.text
    token = link.group(1).split("token=")[1]
    async with db.connect() as conn:
        before = (await conn.execute(text("SELECT email_verified_at FROM users"))).scalar()
    assert before is None  # opening the link (e.g. a mail scanner) verified nothing
    done = await client.post(
        "/verify-email", data={"token": token}, headers={"Origin": "http://test"}
    )
    assert done.status_code == 200 and "new@example.com is now verified" in done.text
    async with db.connect() as conn:
        after = (await conn.execute(text("SELECT email_verified_at FROM users"))).scalar()
    assert after is not None
    again = await client.post(
        "/verify-email", data={"token": token}, headers={"Origin": "http://test"}
    )
    assert again.status_code == 404


def test_smtp_urls_are_parsed_with_their_security():
    assert parse_smtp_url("smtp://u:p%40w@mail.example.com") == SmtpServer(
        "mail.example.com", 25, "u", "p@w", "auto"
    )
    assert parse_smtp_url("smtps://mail.example.com").port == 465
    assert parse_smtp_url("smtps://mail.example.com").security == "tls"
    assert parse_smtp_url("smtp://h", "starttls").port == 587
    with pytest.raises(ValueError):
        parse_smtp_url("http://h")


async def test_requested_confirmed_and_declined_bookings_are_mailed(
    client, make_user, make_event_type, settings, db, clock, inbox
):
    bob = await make_user("bob")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    et = await make_event_type(bob, "intro", settings={"confirmationPolicy": policy})
    body = {"start": TUE_09, "eventTypeId": et, "attendee": attendee()}
    first = (await client.post("/v2/bookings", json=body)).json()["data"]["uid"]
    confirmed = await client.post(f"/v2/bookings/{first}/confirm", headers=bob.auth)
    assert confirmed.status_code == 200
    body["start"] = "2030-01-08T11:00:00Z"
    second = (await client.post("/v2/bookings", json=body)).json()["data"]["uid"]
    declined = await client.post(
        f"/v2/bookings/{second}/decline", json={"reason": "Busy"}, headers=bob.auth
    )
    assert declined.status_code == 200
    await _run_worker(_mail_settings(settings, inbox), db, clock)
    assert [t for t, _, _ in await _email_rows(db)] == [
        "requested", "requested", "confirmed", "confirmed",
        "requested", "requested", "rejected", "rejected",
    ]  # fmt: skip
    host = {str(m["Subject"]): m for m in inbox.to("bob@example.com")}
    assert any("needs your confirmation" in s for s in host)
    jane = inbox.to("jane@example.com")
    found = []
    for msg in jane:
        method, cal = _calendar(msg)
        ev = _event(cal)
        found.append(
            (str(msg["Subject"]).split(":")[0], method, str(ev["STATUS"]), int(ev["SEQUENCE"]))
        )
    assert sorted(found) == sorted([
        ("Your booking request was sent", "REQUEST", "TENTATIVE", 0),
        ("Confirmed", "REQUEST", "CONFIRMED", 1),
        ("Your booking request was sent", "REQUEST", "TENTATIVE", 0),
        ("Declined", "CANCEL", "CANCELLED", 1),
    ])  # fmt: skip


async def _email_outcomes(db) -> dict[str, tuple[str, int]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload, status, attempts FROM outbox WHERE kind = 'email'")
        )
        return {
            (p if isinstance(p, dict) else json.loads(p))["to"]["email"]: (s, a) for p, s, a in rows
        }


async def test_international_addresses_are_mailed_or_refused_for_good(
    client, make_user, make_event_type, settings, db, clock, inbox
):
    bob = await make_user("bob")
    et = await make_event_type(bob, "intro")
    body = {
        "start": TUE_09,
        "eventTypeId": et,
        "attendee": attendee() | {"email": "jöe@exämple.com", "name": 'Jöe "J", <x>'},
        "guests": ["ann@bücher.example"],
    }
    assert (await client.post("/v2/bookings", json=body)).status_code == 201
    await _run_worker(_mail_settings(settings, inbox), db, clock)
    # The IDN domain is sent in its ASCII form; the UTF-8 local part as UTF-8 (SMTPUTF8).
    assert len(inbox.to("ann@xn--bcher-kva.example")) == 1
    [joe] = inbox.to("jöe@xn--exmple-cua.com")
    shown = joe["To"].addresses[0].display_name  # raw UTF-8 header (RFC 6532), as parsed
    assert shown.encode("utf-8", "surrogateescape").decode() == 'Jöe "J", <x>'
    assert set((await _email_outcomes(db)).values()) == {("done", 1)}

    # A server without SMTPUTF8 cannot take the UTF-8 address: failed for good, at once.
    plain = Inbox(port=_free_port())
    controller = Controller(plain, hostname="127.0.0.1", port=plain.port, enable_SMTPUTF8=False)
    controller.start()
    try:
        body["start"] = "2030-01-08T11:00:00Z"
        body["guests"] = []
        body["attendee"]["email"] = "zoë@example.com"
        assert (await client.post("/v2/bookings", json=body)).status_code == 201
        url = f"smtp://127.0.0.1:{plain.port}"
        await _run_worker(
            settings.model_copy(update={"smtp_url": url, "smtp_security": "none"}), db, clock
        )
    finally:
        controller.stop()
    assert (await _email_outcomes(db))["zoë@example.com"] == ("failed", 1)
    assert len(plain.to("bob@example.com")) == 1
