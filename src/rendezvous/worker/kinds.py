"""The modules that register outbox handlers; the worker imports each before it runs.

To add a kind, add its module here (one line) and call ``worker.handlers.register`` in it.
"""

from __future__ import annotations

import importlib

HANDLER_MODULES: tuple[str, ...] = (
    "rendezvous.worker.webhooks",
    "rendezvous.worker.mail",
    "rendezvous.worker.calendars",
)


def load_handlers() -> None:
    """Import every module of ``HANDLER_MODULES`` (each registers its kind)."""
    for name in HANDLER_MODULES:
        importlib.import_module(name)
