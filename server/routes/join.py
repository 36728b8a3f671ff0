"""REST: find a board by its join code (P240), for the code field of the landing page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth import looks_like_join_code, normalize_join_code
from ..clientaddr import client_key
from ..state import AppState
from ..throttle import retry_seconds
from .boards import HTTPError, read_json, too_many

# A code is looked up across all boards, so its failures share one budget besides the
# address's: many addresses guessing "any board's code" are capped like guesses at one
# board. '*' never occurs in a board id, so this key cannot meet a real board's budget.
LOOKUP_BUDGET = "*join-lookup"
MAX_JOIN_BODY = 256


async def post_join(request: Request) -> Response:
    state: AppState = request.app.state.cocanvas
    body = await read_json(request, MAX_JOIN_BODY)
    raw = body.get("code")
    if not isinstance(raw, str) or len(raw) > 32 or not looks_like_join_code(raw):
        raise HTTPError(400, "send {'code': 'ABCD-2345'}: 8 letters and digits")
    throttle = state.guards.auth
    client = client_key(request.scope, state.guards.proxies)
    wait = throttle.wait(client, LOOKUP_BUDGET, True)
    if wait:
        raise too_many("too many failed attempts", retry_seconds(wait))
    record = await state.store.get_board_by_join_code(normalize_join_code(raw))
    if record is None:
        throttle.failed(client, LOOKUP_BUDGET, True)
        raise HTTPError(404, "no board has this code (it may have expired): ask for the new one")
    return JSONResponse({"board": record.id})
