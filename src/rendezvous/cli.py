"""Command line: ``rendezvous serve|worker|migrate|users|keys|orgs|demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import available_timezones

from rendezvous.api.schemas.event_types import CreateEventTypeInput, stored_from_create
from rendezvous.config import ConfigError, Settings, load_settings
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.migrate import upgrade_sync
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.errors import DomainError
from rendezvous.services import accounts, event_types, teams

T = TypeVar("T")
DEMO_SLUG = "30min"


def _now() -> datetime:
    return datetime.now(UTC)


def _run(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with UnitOfWork(session_factory(engine), write=True) as uow:
                result = await work(uow)
                await uow.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _user_by_email(uow: UnitOfWork, email: str) -> Any:
    user = await uow.users.by_email(email.strip().lower())
    if user is None:
        raise DomainError(f"no user with email {email}")
    return user


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    upgrade_sync(settings.database_url)
    print("database is at the latest migration", file=sys.stderr)


def cmd_users_create(settings: Settings, args: argparse.Namespace) -> None:
    if args.time_zone not in available_timezones():
        raise DomainError(f"'{args.time_zone}' is not a valid IANA time zone")

    async def work(uow: UnitOfWork) -> Any:
        return await accounts.create_user(
            uow,
            email=args.email,
            username=args.username,
            name=args.name,
            time_zone=args.time_zone,
            now=_now(),
        )

    user = _run(settings, work)
    print(f"created user {user.id} <{user.email}> (default schedule {user.default_schedule_id})")


def cmd_keys_create(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> accounts.IssuedKey:
        user = await _user_by_email(uow, args.user)
        return await accounts.issue_key(
            uow, user_id=user.id, now=_now(), expires_in_days=args.expires_in_days, note=args.note
        )

    issued = _run(settings, work)
    print(issued.key)  # alone on stdout, so `KEY=$(rendezvous keys create …)` works


def cmd_keys_list(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> list[Any]:
        user = await _user_by_email(uow, args.user)
        return list(await uow.keys.for_user(user.id))

    now = _now()
    print(f"{'ID':>5}  {'PREFIX':<12} {'STATE':<8} {'CREATED':<20} {'EXPIRES':<20} LAST USED")
    for key in _run(settings, work):
        state = "revoked" if key.revoked_at else ("expired" if key.refusal(now) else "active")

        def fmt(value: datetime | None) -> str:
            return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"

        print(
            f"{key.id:>5}  {key.prefix + '…':<12} {state:<8} {fmt(key.created_at):<20} "
            f"{fmt(key.expires_at):<20} {fmt(key.last_used_at)}"
        )


def cmd_keys_revoke(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> None:
        await accounts.revoke_key(uow, args.id, _now())

    _run(settings, work)
    print(f"revoked key {args.id}", file=sys.stderr)


def ensure_demo(settings: Settings) -> str | None:
    """Create the demo user, a key and a 30-minute event type (at ``/demo/30min``) when the
    database has no user yet; return the key."""

    async def work(uow: UnitOfWork) -> str | None:
        if await uow.users.count() > 0:
            return None
        user = await accounts.create_user(
            uow,
            email="demo@example.com",
            username="demo",
            name="Demo User",
            time_zone="UTC",
            now=_now(),
        )
        issued = await accounts.issue_key(uow, user_id=user.id, now=_now(), note="demo")
        # A first event type, so the two-command quick start ends with a link to share.
        first = CreateEventTypeInput.model_validate(
            {"title": "30 minute meeting", "slug": DEMO_SLUG, "lengthInMinutes": 30}
        )
        await event_types.add_event_type(uow, user, stored_from_create(first), _now())
        return issued.key

    return _run(settings, work)


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> None:
    upgrade_sync(settings.database_url)
    key = ensure_demo(settings)
    if key:
        print(f"Demo user demo@example.com created. API key (shown once):\n{key}")
        print(f"Booking page: {settings.public_url}/demo/{DEMO_SLUG}")
    else:
        print(
            "Users already exist; no demo user created. Use `rendezvous keys create --user EMAIL`."
        )


def program() -> str:
    """The command as the user ran it (``.venv/bin/rendezvous`` after ``make serve``, where a bare
    ``rendezvous`` is not on the PATH), for hints they can paste."""
    invoked = sys.argv[0] if sys.argv else ""
    if "/" in invoked and invoked.rsplit("/", 1)[-1] == "rendezvous":
        return invoked
    return "rendezvous"


def check_credentials_key(settings: Settings) -> None:
    """Refuse to serve (ConfigError) when stored calendar credentials cannot be opened."""
    from rendezvous.integrations.calendars import setup

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await setup.check_key(setup.build(settings), session_factory(engine))
        finally:
            await engine.dispose()

    asyncio.run(go())


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from rendezvous.logs import configure
    from rendezvous.serving import EnvelopeHttpToolsProtocol, run_workers

    configure(settings.log_level, as_json=settings.log_json)
    if not args.no_migrate:
        upgrade_sync(settings.database_url)
        check_credentials_key(settings)
        key = ensure_demo(settings)
        if key:
            print(
                "\n  Demo user demo@example.com created. Its API key (shown once):\n\n"
                f"    {key}\n\n  Try: curl -H 'Authorization: Bearer {key}' "
                f"http://{settings.host}:{settings.port}/v2/me\n\n"
                f"  Its booking page, to share: {settings.public_url}/demo/{DEMO_SLUG}\n",
                flush=True,
            )
        else:
            # A restarted server: the demo key was shown once, at the first start.
            prog = program()
            print(
                "\n  Users already exist, so no demo user was created. To get an API key:\n\n"
                f"    {prog} keys create --user EMAIL\n\n"
                "  (the demo user's EMAIL is demo@example.com; "
                f"`{prog} users create --email EMAIL --username NAME` makes a new user.)\n",
                flush=True,
            )
    run_workers(
        "rendezvous.api.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http=EnvelopeHttpToolsProtocol,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        proxy_headers=True,
    )


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> None:
    from rendezvous.logs import configure
    from rendezvous.worker.main import run_standalone

    configure(settings.log_level, as_json=settings.log_json)
    asyncio.run(run_standalone(settings))


def cmd_users_verify_email(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> Any:
        user = await _user_by_email(uow, args.email)
        return await accounts.verify_email(uow, user, _now())

    user = _run(settings, work)
    print(f"the address <{user.email}> of user {user.id} is now verified")


def cmd_orgs_create(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> Any:
        return await teams.create_organization(
            uow, name=args.name, slug=args.slug, owner_email=args.owner, now=_now()
        )

    org = _run(settings, work)
    print(f"created organization '{org.slug}' owned by <{args.owner}>", file=sys.stderr)
    print(org.id)


def cmd_orgs_add_member(settings: Settings, args: argparse.Namespace) -> None:
    async def work(uow: UnitOfWork) -> Any:
        return await teams.add_organization_member(
            uow, org=args.org, email=args.user, role=args.role, now=_now()
        )

    membership = _run(settings, work)
    print(
        f"user {membership.user_id} is now {membership.role} of organization {membership.team_id}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rendezvous", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, create the demo user if none, and serve HTTP")
    serve.add_argument("--no-migrate", action="store_true", help="skip migration and demo user")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser(
        "worker",
        help="deliver outbox rows (webhooks…) until stopped; run several beside "
        "`serve` with RENDEZVOUS_WORKER_IN_SERVE=false",
    ).set_defaults(func=cmd_worker)
    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("demo", help="create a demo user and print its API key").set_defaults(
        func=cmd_demo
    )

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="sub", required=True)
    create = users.add_parser("create", help="create a user (with a default schedule)")
    create.add_argument("--email", required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--name", default=None)
    create.add_argument("--time-zone", default="UTC")
    create.set_defaults(func=cmd_users_create)
    verify = users.add_parser(
        "verify-email",
        help="vouch for a user's current address (it then shows the bookings it attends)",
    )
    verify.add_argument("email")
    verify.set_defaults(func=cmd_users_verify_email)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="sub", required=True)
    kc = keys.add_parser("create", help="create a key; prints it alone on stdout, once")
    kc.add_argument("--user", required=True, metavar="EMAIL")
    kc.add_argument("--expires-in-days", type=int, default=None)
    kc.add_argument("--note", default=None)
    kc.set_defaults(func=cmd_keys_create)
    kl = keys.add_parser("list", help="list a user's keys (never the keys themselves)")
    kl.add_argument("--user", required=True, metavar="EMAIL")
    kl.set_defaults(func=cmd_keys_list)
    kr = keys.add_parser("revoke", help="revoke a key by id")
    kr.add_argument("id", type=int)
    kr.set_defaults(func=cmd_keys_revoke)

    orgs = sub.add_parser("orgs", help="manage organizations").add_subparsers(
        dest="sub", required=True
    )
    oc = orgs.add_parser("create", help="create an organization; prints its id as the last line")
    oc.add_argument("--name", required=True)
    oc.add_argument("--slug", required=True)
    oc.add_argument("--owner", required=True, metavar="EMAIL")
    oc.set_defaults(func=cmd_orgs_create)
    om = orgs.add_parser("add-member", help="add a user to an organization")
    om.add_argument("--org", required=True, metavar="SLUG|ID")
    om.add_argument("--user", required=True, metavar="EMAIL")
    om.add_argument("--role", default="MEMBER", choices=("MEMBER", "ADMIN", "OWNER"))
    om.set_defaults(func=cmd_orgs_add_member)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        args.func(settings, args)
    except ConfigError as exc:
        print(f"rendezvous: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"rendezvous: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
