"""The quick start ends with a link to share: the demo user comes with a 30-minute event type,
and the booking page printed for it answers with days to book."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.integration.live_server import base_env, cli, live_server

pytestmark = pytest.mark.slow


async def test_the_demo_user_has_a_booking_page_to_share(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    printed = await cli(base_env(url), "demo", cwd=tmp_path)
    key = printed.splitlines()[1].strip()
    assert key.startswith("cal_")
    [link] = re.findall(r"Booking page: (\S+)", printed)
    assert link.endswith("/demo/30min")
    async with live_server(url, tmp_path) as server:
        path = link.split("://", 1)[1].split("/", 1)[1]
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            page = await http.get(f"/{path}")
            assert page.status_code == 200, page.text[:500]
            assert "30 minute meeting" in page.text
            listed = await http.get("/v2/event-types", headers={"Authorization": f"Bearer {key}"})
            assert listed.status_code == 200, listed.text
            assert "30min" in listed.text
