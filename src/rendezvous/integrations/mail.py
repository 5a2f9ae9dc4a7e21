"""Mail: booking invitations and address verification, rendered from outbox payloads and sent
with an async SMTP client (``aiosmtplib``).

``RENDEZVOUS_SMTP_URL`` (``smtp://user:pass@host:port``, or ``smtps://`` for TLS from the first
byte) names the server; ``RENDEZVOUS_SMTP_SECURITY`` chooses ``starttls`` (required),
``tls`` (implicit, RFC 8314), ``none``, or ``auto`` (STARTTLS when the server offers it).
Without a URL, mails are written to the log instead of sent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, quote
from importlib.resources import files
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosmtplib
from jinja2 import Environment, FunctionLoader, select_autoescape

from rendezvous.integrations.ics import calendar_bytes

log = logging.getLogger("rendezvous.mail")
Security = Literal["auto", "starttls", "tls", "none"]


class MailError(Exception):
    """Sending failed; ``permanent`` when retrying cannot help (e.g. every recipient refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    security: Security
    timeout: float = 30.0


def parse_smtp_url(url: str, security: Security = "auto", timeout: float = 30.0) -> SmtpServer:
    """``smtp://user:pass@host:port`` → SmtpServer. ``smtps://`` means implicit TLS (port 465
    by default); ``smtp://`` defaults to port 587 with STARTTLS, 25 without. User and password
    are percent-decoded. ValueError names what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("names no host")
    if parts.scheme == "smtps" and security == "auto":
        security = "tls"
    default_port = {"tls": 465, "starttls": 587}.get(security, 25)
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        security=security,
        timeout=timeout,
    )


def _template(name: str) -> str:
    return (files("rendezvous.integrations") / "mail_templates" / name).read_text("utf-8")


_env = Environment(
    loader=FunctionLoader(_template),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    keep_trailing_newline=True,
)

_HEADLINES = {
    ("created", "host"): "New booking: {title} with {attendee}",
    ("created", None): "Your booking is confirmed: {title}",
    ("requested", "host"): "Booking request: {title} with {attendee} needs your confirmation",
    ("requested", None): "Your booking request was sent: {title} (awaiting confirmation)",
    ("confirmed", None): "Confirmed: {title}",
    ("rejected", None): "Declined: {title}",
    ("rescheduled", None): "Rescheduled: {title}",
    ("cancelled", None): "Cancelled: {title}",
}


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(start: str, end: str, zone: ZoneInfo) -> str:
    s = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(zone)
    e = datetime.fromisoformat(end.replace("Z", "+00:00")).astimezone(zone)
    return f"{s:%A %d %B %Y}, {s:%H:%M}–{e:%H:%M}"


def mailbox(name: str, address: str) -> str:
    """The header value for ``name`` at ``address``. A non-ASCII domain is written in its
    ASCII form (IDNA, RFC 5890), so any server delivers it; a non-ASCII local part stays UTF-8
    (RFC 6531: ``aiosmtplib`` then asks the server for SMTPUTF8, and a server without it
    refuses the mail for good)."""
    local, at, domain = address.rpartition("@")
    with contextlib.suppress(UnicodeError):  # not IDNA-encodable: left as it is
        domain = domain.encode("idna").decode("ascii")
    address = f"{local}{at}{domain}"
    if address.isascii():
        return formataddr((name, address))
    return f'"{quote(name)}" <{address}>'


def render(
    payload: Mapping[str, Any], *, sender: str, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """The message for one outbox payload (``domain.invitations.messages`` or
    ``verification_message``): a multipart/alternative of text/plain and text/html, and for
    a booking a ``text/calendar; method=…`` part plus the same calendar as ``invite.ics``.
    ``now`` stamps Date and DTSTAMP; ``message_id`` (stable across retries of one outbox row,
    so a receiver can drop a duplicate) defaults to a fresh one."""
    to = payload["to"]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mailbox(to["name"], to["email"])
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id or make_msgid(domain="rendezvous")
    if payload.get("template") == "verify-email":
        subject = "Confirm your email address"
        context = {"to": to, "link": payload["link"], "subject": subject}
        msg["Subject"] = subject
        msg.set_content(_env.get_template("verify.txt").render(context))
        msg.add_alternative(_env.get_template("verify.html").render(context), subtype="html")
        return msg
    event = payload["event"]
    change = payload["change"]
    zone = _zone(to.get("timeZone") or "UTC")
    attendee = ", ".join(a["name"] for a in event["attendees"]) or "—"
    key = (change, "host") if (change, to.get("role")) in _HEADLINES else (change, None)
    headline = _HEADLINES[key].format(title=payload["eventTitle"], attendee=attendee)
    previous = payload.get("previousStart")
    context = {
        "to": to,
        "subject": headline,
        "headline": headline,
        "event": event,
        "event_title": payload["eventTitle"],
        "when": _when(event["start"], event["end"], zone),
        "previous_when": _when(previous, payload["previousEnd"], zone) if previous else "",
        "zone": zone.key,
        "who": ", ".join(
            f"{h['name']} (host)" for h in [event["organizer"], *event.get("coHosts", [])]
        )
        + f", {attendee}",
        "reason": payload.get("reason") or "",
        "manage": change not in ("cancelled", "rejected"),
        "manage_url": payload["manageUrl"],
    }
    msg["Subject"] = headline
    msg.set_content(_env.get_template("booking.txt").render(context))
    msg.add_alternative(_env.get_template("booking.html").render(context), subtype="html")
    ics = calendar_bytes(event, stamp=now, method=event["method"])
    # RFC 6047 §2.4: the iTIP object as a text/calendar part with its method; also attached as
    # a file for mail clients that only offer attachments.
    msg.add_attachment(ics, maintype="text", subtype="calendar", params={"method": event["method"]})
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg


class Mailer:
    """Sends messages to the configured SMTP server, or logs them when there is none."""

    def __init__(self, server: SmtpServer | None, sender: str) -> None:
        self.server = server
        self.sender = sender

    @classmethod
    def from_settings(cls, settings: Any) -> Mailer:
        """From ``Settings`` (``smtp_url``, ``smtp_security``, ``mail_from``)."""
        server = (
            parse_smtp_url(settings.smtp_url, settings.smtp_security, settings.smtp_timeout)
            if settings.smtp_url
            else None
        )
        return cls(server, settings.mail_from)

    async def send(self, msg: EmailMessage) -> None:
        """Send ``msg``; MailError on failure (``permanent`` for a refused recipient or
        sender, 5xx; otherwise temporary: connection refused, timeout, 4xx)."""
        if self.server is None:
            log.info(
                "mail not sent (no RENDEZVOUS_SMTP_URL): to=%s subject=%s",
                msg["To"],
                msg["Subject"],
            )
            return
        server = self.server
        try:
            await aiosmtplib.send(
                msg,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.security == "tls",
                start_tls={"starttls": True, "none": False}.get(server.security),
                timeout=server.timeout,
            )
        except aiosmtplib.SMTPNotSupported as exc:  # e.g. SMTPUTF8 for a UTF-8 address
            raise MailError(f"not supported by the server: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"recipients refused: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc

    async def deliver(
        self, payload: Mapping[str, Any], *, now: datetime, message_id: str | None = None
    ) -> None:
        """Render and send one outbox payload."""
        await self.send(render(payload, sender=self.sender, now=now, message_id=message_id))
