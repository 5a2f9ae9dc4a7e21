"""Schemathesis drives the app from its own /openapi.json on SQLite, as an attacker or a fuzzer
would: every operation, with valid and invalid data (its coverage and fuzzing phases), then
chains of calls that follow the ids the API hands out (its stateful phase). No request may get
a 5xx, and every response must match the schema the document gives for it.

The caller is a real user with an API key, a default schedule and an event type, so generated
requests reach the code behind authentication; half the generated ``eventTypeId``/``scheduleId``
values (path, query and body) are those two, so slots, bookings and edits reach the engine
instead of stopping at "not found". The number of examples per operation is
bounded (``RENDEZVOUS_FUZZ_EXAMPLES``, default below) and the seed fixed (``RENDEZVOUS_FUZZ_SEED``)
so that `make test` is repeatable; change either to explore further.
``RENDEZVOUS_FUZZ_DATABASE_URL`` runs it against another (fresh, empty) database instead, e.g.
``postgresql+asyncpg://postgres@127.0.0.1:5432/fuzz``."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from rendezvous.api.app import create_app
from rendezvous.config import Settings
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.migrate import upgrade
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.models import EventRules
from rendezvous.services import accounts

EXAMPLES = int(os.environ.get("RENDEZVOUS_FUZZ_EXAMPLES", "50"))
SEED = int(os.environ.get("RENDEZVOUS_FUZZ_SEED", "20261129"))
DATABASE_URL = os.environ.get("RENDEZVOUS_FUZZ_DATABASE_URL")
CHECKS = ("not_a_server_error", "response_schema_conformance")
PHASES = ("examples", "coverage", "fuzzing", "stateful")


async def _seed_world(url: str) -> tuple[str, int, int]:
    """Migrate, and create a user with a default schedule and one event type: the API key, the
    event type's id and the schedule's."""
    await upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with UnitOfWork(session_factory(engine), write=True) as uow:
            user = await accounts.create_user(
                uow, email="fuzz@ex.com", username="fuzz", name="Fuzz", time_zone="UTC", now=now
            )
            issued = await accounts.issue_key(uow, user_id=user.id, now=now)
            event_type = await uow.event_types.add(
                owner_id=user.id,
                slug="intro",
                title="Intro",
                hidden=False,
                schedule_id=None,
                rules=EventRules(duration=30, minimum_notice=0),
                settings={"lengthInMinutes": 30, "title": "Intro", "slug": "intro"},
                now=now,
            )
            await uow.commit()
    finally:
        await engine.dispose()
    assert user.default_schedule_id is not None
    return issued.key, event_type.id, user.default_schedule_id


def _names(request: Any, event_type_id: int, schedule_id: int) -> bool:
    text = request.uri + (request.body or b"").decode("utf-8", "replace")
    pattern = (
        rf"(eventTypeId=|event-types/|\"eventTypeId\": ){event_type_id}(?![0-9])"
        rf"|(schedules/|\"(default)?[sS]cheduleId\": ){schedule_id}(?![0-9])"
    )
    return re.search(pattern, text) is not None


def _failures(recorder: Any) -> list[str]:
    found = []
    for checks in recorder.checks.values():
        for check in checks:
            if check.status == Status.FAILURE and check.failure_info is not None:
                info = check.failure_info
                found.append(f"{check.name}: {info.failure.title}\n  {info.code_sample}")
    return found


def test_no_generated_request_gets_a_server_error_or_an_undocumented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = DATABASE_URL or f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"
    key, event_type_id, schedule_id = asyncio.run(_seed_world(url))
    seeded = {"dictionary": "seeded-event-type", "probability": 0.5}
    schedule = {"dictionary": "seeded-schedule", "probability": 0.5}
    settings = Settings(
        database_url=url,
        rate_limit=10_000_000,
        auth_failure_limit=10_000_000,
        # Generated calendar URLs must never reach the network (not even a DNS lookup): every
        # connect is refused before the outbound guard runs.
        calendars_enabled=False,
        # schemathesis runs the app's lifespan: with the in-process worker on, a generated
        # subscriberUrl naming a public address would be sent real deliveries. Nothing leaves.
        worker_in_serve=False,
        credentials_key="fuzz-key-is-never-used-since-nothing-connects",
        # Generated subscriberUrl hosts are made up: never send them to a DNS server.
        outbound_resolve_names=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "continue-on-failure": True,
            "headers": {"Authorization": f"Bearer {key}"},
            "dictionaries": {
                "seeded-event-type": {"values": [event_type_id]},
                "seeded-schedule": {"values": [schedule_id]},
            },
            "parameters": {
                "path.eventTypeId": seeded,
                "query.eventTypeId": seeded,
                "body.eventTypeId": seeded,
                "path.scheduleId": schedule,
                "body.scheduleId": schedule,
                "body.defaultScheduleId": schedule,
            },
            "generation": {"max-examples": EXAMPLES},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {phase: {"enabled": True} for phase in PHASES},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    operations = {op.ok().label for op in schema.get_all_operations()}

    started = time.monotonic()
    cases: Counter[str] = Counter()
    reaching = 0  # requests that name the seeded event type or schedule
    tested: set[str] = set()
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] += len(event.recorder.interactions)
            reaching += sum(
                _names(i.request, event_type_id, schedule_id)
                for i in event.recorder.interactions.values()
            )
            if event.recorder.interactions:
                tested.add(event.recorder.label)
            failures += _failures(event.recorder)
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error in {event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    elapsed = time.monotonic() - started

    with capsys.disabled():
        print(
            f"\nfuzz: {sum(cases.values())} requests ({dict(cases)}; {reaching} naming the seeded "
            f"event type or schedule) over {len(operations)} operations in {elapsed:.1f} s, "
            f"{EXAMPLES} examples each, seed {SEED}, {url.split(':', 1)[0]}"
        )
    assert not failures, "\n".join(sorted(set(failures)))
    untested = {op for op in operations if not any(op in label for label in tested)}
    assert not untested, f"operations never called: {sorted(untested)}"
