"""Answers sent as the routers built them: JSON bytes straight from the dict, with no response
model validating or converting them on the way out (the OpenAPI document describes them through
``rendezvous.api.openapi.documented`` instead)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

_OPTIONS = orjson.OPT_NON_STR_KEYS


def reply(body: Any, status: int = 200) -> Response:
    """``body`` (JSON-ready: dicts, lists, strings, numbers, booleans, None) as a JSON answer."""
    return Response(
        orjson.dumps(body, option=_OPTIONS), status_code=status, media_type="application/json"
    )


def success(data: Any, status: int = 200) -> Response:
    """Cal.com's success envelope around ``data``."""
    return reply({"status": "success", "data": data}, status)
