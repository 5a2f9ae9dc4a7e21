"""SQLAlchemy 2 table definitions. Only ``db/`` imports SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rendezvous.db.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # When ``email`` was verified; NULL: unverified (a changed address), which grants nothing.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SHA-256 (hex) of the verification token mailed to an unverified address; NULL: none sent.
    email_verification_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(Text)
    bio: Mapped[str | None] = mapped_column(Text)
    time_format: Mapped[int] = mapped_column(default=24)
    week_start: Mapped[str] = mapped_column(String(10), default="Monday")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str | None] = mapped_column(String(10), default="en")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType(), default=dict)
    # No ON DELETE action: a schedule that is someone's default cannot be deleted (checked at the
    # end of the statement, so deleting a user with all their schedules still works).
    default_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedules.id", use_alter=True)
    )
    # The one organization (a ``teams`` row with is_organization) the user belongs to. Kept
    # without a foreign key so SQLite adds it without rebuilding the table; the service clears it
    # when the organization goes.
    organization_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 hex of the whole key; the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64))
    # Wire-form lists as the user sent them: [{"days": ["Monday"], "startTime": "09:00", ...}].
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EventType(Base):
    __tablename__ = "event_types"
    __table_args__ = (
        UniqueConstraint("owner_id", "slug"),
        # A team's event type slugs are unique within the team (NULL team ids never collide).
        Index("ix_event_types_team_id_slug", "team_id", "slug", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(index=True)
    # COLLECTIVE, ROUND_ROBIN or MANAGED for team event types (Cal.com's SchedulingType); NULL
    # for personal ones. A managed event type's children point at it with ``parent_id``.
    scheduling_type: Mapped[str | None] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(index=True)
    slug: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    hidden: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # The only place an event type's schedule is kept (not in ``settings``). No ON DELETE action:
    # a schedule an event type uses cannot be deleted, even by a request racing the one that set it.
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"), index=True)
    # The engine's inputs, kept in the engine's own shape so slot requests parse no wire JSON.
    length: Mapped[int]
    length_options: Mapped[list[int]] = mapped_column(JSONType(), default=list)
    slot_interval: Mapped[int | None]
    minimum_notice: Mapped[int] = mapped_column(default=0)
    before_buffer: Mapped[int] = mapped_column(default=0)
    after_buffer: Mapped[int] = mapped_column(default=0)
    offset_start: Mapped[int] = mapped_column(default=0)
    only_first_slot: Mapped[bool] = mapped_column(default=False)
    seats_per_slot: Mapped[int | None]
    booking_window: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    count_limits: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    duration_limits: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    # Every setting in its wire (camelCase) form, echoed by the API.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_user_id_start_at", "user_id", "start_at"),
        Index("ix_bookings_event_type_id_start_at", "event_type_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_types.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(Text, default="")
    meeting_url: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType(), default=dict)
    responses: Mapped[dict[str, Any]] = mapped_column(JSONType(), default=dict)
    guests: Mapped[list[str]] = mapped_column(JSONType(), default=list)
    ics_uid: Mapped[str] = mapped_column(String(255))
    # RFC 5545 SEQUENCE: a reschedule keeps ics_uid and counts one more.
    ics_sequence: Mapped[int] = mapped_column(server_default="0")
    recurring_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    seated: Mapped[bool] = mapped_column(default=False)
    absent_host: Mapped[bool] = mapped_column(default=False)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_email: Mapped[str | None] = mapped_column(String(320))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rescheduling_reason: Mapped[str | None] = mapped_column(Text)
    rescheduled_by_email: Mapped[str | None] = mapped_column(String(320))
    rescheduled_from_uid: Mapped[str | None] = mapped_column(String(64))
    rescheduled_to_uid: Mapped[str | None] = mapped_column(String(64))
    # Why a round-robin booking went to its host (priority, weight, bookings, last booked).
    assignment_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookingHost(Base):
    """Who hosts a booking. Start, end and status are copied from the booking (start and end
    never change; status follows every transition) so that a host's bookings page and count
    from one index range, however many bookings the host has."""

    __tablename__ = "booking_hosts"
    __table_args__ = (
        Index("ix_booking_hosts_user_id_start_at_booking_id", "user_id", "start_at", "booking_id"),
    )

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))


class Attendee(Base):
    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="en")
    phone_number: Mapped[str | None] = mapped_column(String(32))
    seat_uid: Mapped[str | None] = mapped_column(String(64), unique=True)
    responses: Mapped[dict[str, Any]] = mapped_column(JSONType(), default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType(), default=dict)
    absent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Occupancy(Base):
    """One row per host of each booking that holds time, covering [start − buffer before,
    end + buffer after); slot reservations hold time the same way until they expire.

    On PostgreSQL an exclusion constraint (migration 0002) makes two overlapping rows for one host
    impossible; on SQLite writers serialise with BEGIN IMMEDIATE and check before inserting."""

    __tablename__ = "occupancy"
    __table_args__ = (
        Index("ix_occupancy_user_id_start_at_end_at", "user_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("slot_reservations.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SlotReservation(Base):
    __tablename__ = "slot_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    event_type_id: Mapped[int] = mapped_column(
        ForeignKey("event_types.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime())
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime())
    duration: Mapped[int]
    until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Team(Base):
    """A team, or an organization (``is_organization``) that owns teams (``parent_id``).
    ``availability`` is the team's default schedule (wire form, in ``time_zone``); ``settings``
    keeps the other Cal.com team fields as sent (camelCase)."""

    __tablename__ = "teams"
    # A team's slug is unique within its organization; an organization's slug (no parent) is
    # unique among organizations (a partial index: NULL parents never collide in the first).
    __table_args__ = (
        Index("ix_teams_parent_id_slug", "parent_id", "slug", unique=True),
        Index(
            "ix_teams_top_level_slug",
            "slug",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), index=True)
    is_organization: Mapped[bool] = mapped_column(default=False)
    time_zone: Mapped[str] = mapped_column(String(64))
    week_start: Mapped[str] = mapped_column(String(10))
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSONType())
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """A user's membership of a team or organization with its role (MEMBER, ADMIN, OWNER)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    accepted: Mapped[bool] = mapped_column(default=False)
    disable_impersonation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EventTypeHost(Base):
    """A host of a team event type (Cal.com ``Host``): mandatory and priority (0 lowest … 4
    highest) matter for round robin, weight for its fair share."""

    __tablename__ = "event_type_hosts"

    event_type_id: Mapped[int] = mapped_column(
        ForeignKey("event_types.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    mandatory: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=2)
    weight: Mapped[int] = mapped_column(default=100)


class Outbox(Base):
    """Side effects written in the transaction that caused them; the worker delivers them."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    booking_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    # The subscription a "webhook" row is delivered to; deleting it withdraws its rows.
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType())
    # pending (due at due_at; a claimed row's due_at is its lease end), done, failed.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarCredential(Base):
    """A connected calendar account: an ICS feed or a CalDAV account (Cal.com's Credential).
    ``secret`` is a Fernet token (the feed URLs, or the CalDAV username and password as JSON)."""

    __tablename__ = "calendar_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(
        String(64)
    )  # ics-feed_calendar, apple_calendar, caldav_calendar
    app_id: Mapped[str] = mapped_column(String(64))  # ics-feed, apple, caldav
    server_url: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    invalid: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConnectedCalendar(Base):
    """One calendar of a credential; ``is_selected``: its busy times are checked for conflicts."""

    __tablename__ = "connected_calendars"
    __table_args__ = (UniqueConstraint("credential_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_credentials.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(2048))
    name: Mapped[str | None] = mapped_column(String(255))
    read_only: Mapped[bool] = mapped_column(default=False)
    is_selected: Mapped[bool] = mapped_column(default=True)
    is_destination: Mapped[bool] = mapped_column(default=False)


class OutboxAttempt(Base):
    """One attempt at an outbox row: when, how long, the outcome and the status received."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int]
    # delivered, retry (failed, another attempt is due), failed (no further attempt)
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)


class Webhook(Base):
    """A webhook subscription (contract §8.1): a user's, or one event type's when
    ``event_type_id`` is set."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_types.id", ondelete="CASCADE"), index=True
    )
    subscriber_url: Mapped[str] = mapped_column(Text)
    triggers: Mapped[list[str]] = mapped_column(JSONType())
    active: Mapped[bool]
    payload_template: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(16))
    time: Mapped[int | None]
    time_unit: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    # Plain JSON, not JSONB: a replay must repeat the first response byte for byte (key order).
    response: Mapped[dict[str, Any]] = mapped_column(JSON())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


__all__ = [
    "ApiKey",
    "Attendee",
    "Base",
    "Booking",
    "BookingHost",
    "CalendarCredential",
    "ConnectedCalendar",
    "EventType",
    "EventTypeHost",
    "IdempotencyKey",
    "Membership",
    "Occupancy",
    "Outbox",
    "OutboxAttempt",
    "Schedule",
    "SlotReservation",
    "Team",
    "User",
    "Webhook",
]
