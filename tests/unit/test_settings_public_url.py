"""bookingUrl's base follows the port when no public URL is configured."""

from __future__ import annotations

import pytest

from rendezvous.config import load_settings


def test_the_public_url_follows_the_port_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENDEZVOUS_PUBLIC_URL", raising=False)
    monkeypatch.setenv("RENDEZVOUS_PORT", "9123")
    assert load_settings().public_url == "http://127.0.0.1:9123"


def test_a_configured_public_url_wins_over_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDEZVOUS_PUBLIC_URL", "https://book.example.com/")
    monkeypatch.setenv("RENDEZVOUS_PORT", "9123")
    assert load_settings().public_url == "https://book.example.com"


def test_without_either_the_default_port_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENDEZVOUS_PUBLIC_URL", raising=False)
    monkeypatch.delenv("RENDEZVOUS_PORT", raising=False)
    assert load_settings().public_url == "http://127.0.0.1:8000"
