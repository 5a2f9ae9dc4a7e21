"""Answers sent as the routers built them: JSON bytes straight from the dict, with no response
model validating or converting them on the way out (the OpenAPI document describes them through
``rendezvous.api.openapi.documented`` instead)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

from rendezvous.api.schemas.bounds import readable

_OPTIONS = orjson.OPT_NON_STR_KEYS


# How deep a stored value is served when the fast encoder refuses the answer (orjson stops at
# 255 levels); far deeper than any answer's own structure plus a bounded input.
_FALLBACK_DEPTH = 128


def encode(body: Any) -> bytes:
    """``body`` as JSON bytes. Input bounds keep new values encodable, but a value stored before
    them (or by another tool) may be nested past orjson's 255 levels or hold an integer beyond
    64 bits: such an answer is still sent — the too-deep parts cut to null, big integers as
    written — rather than failing every read of it (issue 9 item 2)."""
    try:
        return orjson.dumps(body, option=_OPTIONS)
    except orjson.JSONEncodeError:
        clipped = readable(body, max_depth=_FALLBACK_DEPTH)
        return json.dumps(clipped, separators=(",", ":"), default=str).encode()


def reply(body: Any, status: int = 200) -> Response:
    """``body`` (JSON-ready: dicts, lists, strings, numbers, booleans, None) as a JSON answer."""
    return Response(encode(body), status_code=status, media_type="application/json")


def success(data: Any, status: int = 200) -> Response:
    """Cal.com's success envelope around ``data``."""
    return reply({"status": "success", "data": data}, status)
