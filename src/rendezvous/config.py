"""Settings, read once at start from ``RENDEZVOUS_*`` environment variables (or a ``.env`` file)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/rendezvous.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RENDEZVOUS_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )
    redis_url: str | None = Field(
        None, description="redis://… to share rate limits between processes"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes for `serve`")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="base of public booking URLs; unset, http://127.0.0.1:{port}",
    )
    video_url_template: str = Field(
        "https://meet.jit.si/rendezvous-{uid}",
        description="meeting URL for cal-video locations; {uid} is the booking uid",
    )
    rate_limit: int = Field(120, ge=1, description="requests per window per API key or client IP")
    rate_limit_window: int = Field(60, ge=1, description="window length in seconds")
    rate_limit_enabled: bool = True
    auth_failure_limit: int = Field(
        20,
        ge=1,
        description="failed authentications (401s) per window per client address; past it, "
        "that address's requests with credentials are refused (429) before any key lookup",
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_json: bool = Field(True, description="one JSON object per log line")
    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="largest request body accepted, in bytes; larger ones get a 413",
    )
    smtp_url: str | None = Field(
        None,
        description="smtp://user:pass@host:port (smtps:// for TLS) to send booking emails; "
        "unset, mails are logged instead",
    )
    smtp_security: Literal["auto", "starttls", "tls", "none"] = Field(
        "auto",
        description="auto (STARTTLS when offered), starttls (required), tls (implicit) or none",
    )
    smtp_timeout: float = Field(30.0, gt=0, le=600, description="SMTP timeout in seconds")
    mail_from: str = Field(
        "Rendezvous <rendezvous@localhost>", description="From address of every email"
    )
    credentials_key: str | None = Field(
        None,
        description="Fernet key encrypting stored calendar credentials; unset, read from "
        "credentials_key_file (generated there when the first credential is saved)",
    )
    credentials_key_file: str = Field(
        "./var/credentials.key",
        description="file holding the credentials key when RENDEZVOUS_CREDENTIALS_KEY is unset",
    )
    calendars_enabled: bool = Field(
        True,
        description="read and write external calendars (ICS feeds, CalDAV); false refuses "
        "connecting (400) and never contacts a provider",
    )
    calendar_cache_ttl: float = Field(
        60, gt=0, le=86_400, description="seconds a fetched calendar is used before a refresh"
    )
    calendar_wait: float = Field(
        2,
        gt=0,
        le=60,
        description="seconds a slot request waits for a calendar never fetched before; past "
        "it the answer comes without that calendar's busy times",
    )
    calendar_timeout: float = Field(
        10, gt=0, le=120, description="seconds one request to a calendar provider may take"
    )
    calendar_max_bytes: int = Field(
        10_485_760, ge=1024, description="largest ICS feed read, in bytes"
    )
    allow_private_networks: bool = Field(
        False,
        description="allow outbound requests (webhooks, calendar feeds, CalDAV) to loopback, "
        "private, link-local and CGNAT addresses; metadata addresses are always refused",
    )
    outbound_resolve_names: bool = Field(
        True,
        description="look up the host names of outbound targets (at save and at every connect) "
        "to refuse private ones; false: no DNS query is ever made, a name is accepted unchecked "
        "when saved and refused when connecting (only addresses and localhost are reachable)",
    )
    worker_in_serve: bool = Field(
        True,
        description="`serve` runs the outbox worker (webhook deliveries…) in-process; set false "
        "when separate `rendezvous worker` processes do it",
    )
    worker_poll_seconds: float = Field(
        0.25, gt=0, le=60, description="how often an idle worker looks for due outbox rows"
    )
    worker_lease_seconds: float = Field(
        60,
        gt=0,
        description="a claimed outbox row is claimed again after this long if its worker died",
    )
    worker_batch_size: int = Field(
        50, ge=1, le=1000, description="outbox rows one worker claims and runs at once"
    )
    webhook_retry_base_seconds: float = Field(
        60,
        gt=0,
        description="delay before the first retry of a failed delivery; each next one is 3.6 "
        "times longer (8 attempts span about two days)",
    )
    webhook_timeout_seconds: float = Field(
        10, gt=0, le=120, description="read timeout of one webhook delivery (connect: 5 s)"
    )
    db_pool_size: int = Field(10, ge=1)
    sql_echo: bool = False

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {value.split(':', 1)[0]!r})"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must be an smtp:// or smtps:// URL")
        return value or None

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @model_validator(mode="before")
    @classmethod
    def _default_public_url(cls, data: Any) -> Any:
        # Unset, the public URL follows the port the server listens on (RENDEZVOUS_PORT).
        if isinstance(data, dict) and not data.get("public_url") and data.get("port"):
            return {**data, "public_url": f"http://127.0.0.1:{data['port']}"}
        return data

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class ConfigError(Exception):
    """Invalid configuration, explained in one line."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            name = "RENDEZVOUS_" + "_".join(str(p) for p in err["loc"]).upper()
            parts.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(parts)) from None
