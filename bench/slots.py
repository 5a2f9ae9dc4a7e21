"""The slots benchmark of the slots issue: the pure engine over W1 and W2 (and, for teams, a
20-host round robin and a 5-host collective over W1, with their ratios to W1)
(``_slots_engine.py``), then ``GET /v2/slots`` over HTTP for W1 against one server process
(``_slots_http.py``), then W1 with one selected CalDAV calendar of 100 events, warm and cold
cache, next to the no-calendar figure of the same server (``_slots_calendar.py``). One JSON
line per figure, each with ``"bench": "slots"`` and the ``part``.

``--duration`` (wrk seconds per run) and ``--runs`` (sequential HTTP requests) go to the HTTP part.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _slots_calendar
import _slots_engine
import _slots_http

if __name__ == "__main__":
    _slots_engine.main()
    _slots_http.main()
    _slots_calendar.main()
