"""Retry backoff for outbox deliveries: exponential with jitter (contract §0 item 7)."""

from __future__ import annotations

from datetime import datetime, timedelta

# Each delay is this many times the one before: with 8 attempts and a first delay of 60 s the
# seven waits add up to about two days (60 s · (3.6⁷ − 1) / 2.6 ≈ 50 h).
BACKOFF_FACTOR = 3.6
# A delay is scaled by a factor drawn in [1 - JITTER, 1 + JITTER], so that rows that failed
# together (a receiver that was down) do not all come back at the same instant.
JITTER = 0.2


def backoff_seconds(failed_attempts: int, *, base_seconds: float, jitter: float) -> float:
    """Seconds to wait after the ``failed_attempts``-th failed attempt (from 1): ``base_seconds``
    times ``BACKOFF_FACTOR`` to the power ``failed_attempts - 1``, scaled by ``1 + JITTER·(2·jitter
    - 1)``. ``jitter`` is a number in [0, 1) drawn by the caller (the domain draws nothing)."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    delay = base_seconds * BACKOFF_FACTOR ** (failed_attempts - 1)
    return delay * (1 + JITTER * (2 * jitter - 1))


def next_attempt_at(
    now: datetime, failed_attempts: int, *, base_seconds: float, jitter: float
) -> datetime:
    """When the next attempt is due, after ``failed_attempts`` failures (see
    ``backoff_seconds``)."""
    return now + timedelta(
        seconds=backoff_seconds(failed_attempts, base_seconds=base_seconds, jitter=jitter)
    )
