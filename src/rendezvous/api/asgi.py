"""ASGI entry point for uvicorn (``rendezvous.api.asgi:app_factory`` with ``--factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from rendezvous.config import load_settings
from rendezvous.logs import configure


def app_factory() -> FastAPI:
    from rendezvous.api.app import create_app

    settings = load_settings()
    configure(settings.log_level, as_json=settings.log_json)
    return create_app(settings)
