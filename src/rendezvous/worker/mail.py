"""The "email" outbox kind (issue 16): render one booking email or verification mail from its
row and send it through ``integrations.mail``.

A refused recipient or a 5xx answer gives up at once; a connection failure, a timeout or a 4xx
is retried with the worker's backoff. The SMTP server is the operator's own setting, not a URL
a user gave, so the outbound guard for user-supplied targets does not apply to it.
"""

from __future__ import annotations

from rendezvous.integrations.mail import Mailer, MailError
from rendezvous.worker.handlers import GiveUp, OutboxItem, Retry, WorkerContext, register

KIND = "email"


async def deliver(item: OutboxItem, ctx: WorkerContext) -> int | None:
    """Send one attempt of an email row; 250 (the SMTP reply code) when accepted or logged."""
    mailer = Mailer.from_settings(ctx.settings)
    try:
        # One Message-ID per row: a retry after a lost answer is recognisably the same mail.
        await mailer.deliver(
            item.payload, now=ctx.clock(), message_id=f"<outbox-{item.id}@rendezvous>"
        )
    except MailError as exc:
        if exc.permanent:
            raise GiveUp(str(exc)) from None
        raise Retry(str(exc)) from None
    return 250


register(KIND, deliver)
