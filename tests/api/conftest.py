"""Fixtures of the API tests beyond tests/conftest.py: real calendar providers on loopback."""

from tests.calendar_servers import feed_server, radicale

__all__ = ["feed_server", "radicale"]
