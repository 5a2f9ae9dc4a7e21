"""GET /health: the process is up and the database answers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from rendezvous.api.deps import DatabaseAnswers
from rendezvous.api.middleware import RETRY_AFTER

router = APIRouter(tags=["Operations"])


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unreachable"]


@router.get(
    "/health",
    summary="Liveness and database check",
    description="200 when the database answers; 503 with `Retry-After` when it cannot be "
    "reached (within 5 seconds).",
    response_model=None,
    responses={
        200: {"model": Health, "description": "Up, and the database answers"},
        503: {"model": Health, "description": "Up, but the database does not answer"},
    },
)
async def health(database_ok: DatabaseAnswers) -> Any:
    if not database_ok:
        return JSONResponse(
            {"status": "error", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    return {"status": "ok", "database": "ok"}
