"""Browser tests drive Debian's Chromium (``chromium``) with Playwright, never a browser
Playwright downloads. In CI (``CI=true``) a missing Chromium is an error; elsewhere the tests
are skipped with a one-line hint. Screenshots go to ``test-artifacts/browser/`` (or
``$RENDEZVOUS_TEST_ARTIFACTS/browser``) and are listed at the end of the run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

ARTIFACTS = (
    Path(
        os.environ.get(
            "RENDEZVOUS_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"
        )
    )
    / "browser"
)
SHOTS: list[Path] = []
HINT = (
    "Chromium not found: install Debian's chromium (sudo apt-get install -y chromium) "
    "to run the browser tests"
)


def chromium_path() -> str | None:
    return os.environ.get("RENDEZVOUS_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail(f"{HINT} (CI=true makes the browser tests mandatory)", pytrace=False)
        pytest.skip(HINT)
    return path


@pytest.fixture
def shoot() -> Any:
    """``await shoot(page, "name")`` saves a full-page screenshot and records its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    async def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        SHOTS.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SHOTS:
        terminalreporter.write_line(f"browser screenshots ({len(SHOTS)}):")
        for path in SHOTS:
            terminalreporter.write_line(f"  {path}")
