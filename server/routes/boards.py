"""REST: boards, snapshots, canvases, health and metrics."""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from canvas_schema import canvas_to_json, list_canvases, load_canvas, summary_to_json

from ..auth import BOARD_ID_RE, Principal, resolve_role
from ..boards import (
    BoardInputError,
    NewBoard,
    board_links,
    clean_text,
    create_board,
    snapshot_board,
)
from ..state import AppState
from ..sync.document import doc_view, load_doc
from ..sync.errors import CloseCode

MAX_BODY = 16_384


class HTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.cocanvas
    return state


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 as soon as it passes max_bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise HTTPError(413, f"request body larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HTTPError(413, f"request body larger than {max_bytes} bytes")
    return bytes(body)


async def read_json(request: Request, max_bytes: int = MAX_BODY) -> dict[str, Any]:
    body = await read_body(request, max_bytes)
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise HTTPError(400, "request body must be JSON") from exc
    if not isinstance(data, dict):
        raise HTTPError(400, "request body must be a JSON object")
    return data


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def authorize(request: Request, *roles: str) -> Principal:
    """The caller's role on the board in the path; 404 for unknown boards, 401/403 else."""
    state = _state(request)
    board_id = request.path_params["board_id"]
    if not BOARD_ID_RE.match(board_id):
        raise HTTPError(404, "no such board")
    record = await state.store.get_board(board_id)
    if record is None:
        raise HTTPError(404, "no such board")
    role = resolve_role(record, _bearer(request))
    if role is None:
        raise HTTPError(401, "send a link token as 'Authorization: Bearer TOKEN'")
    if roles and role not in roles:
        raise HTTPError(403, f"this needs the {' or '.join(roles)} link")
    return Principal(board_id, role)


def base_url(request: Request) -> str:
    state = _state(request)
    if state.settings.public_url:
        return state.settings.public_url
    return f"{request.url.scheme}://{request.url.netloc}"


def _rate_ok(state: AppState, key: str) -> bool:
    per_minute = float(state.settings.create_per_minute)
    now = time.monotonic()
    tokens, stamp = state.create_buckets.get(key, (per_minute, now))
    tokens = min(per_minute, tokens + (now - stamp) * per_minute / 60)
    if tokens < 1:
        state.create_buckets[key] = (tokens, now)
        return False
    state.create_buckets[key] = (tokens - 1, now)
    if len(state.create_buckets) > 10_000:
        state.create_buckets.clear()
    return True


def create_allowed(request: Request) -> None:
    """Creating (or importing) boards: the optional create token, and a per-address rate."""
    state = _state(request)
    token = state.settings.create_token
    if token and not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        raise HTTPError(401, "creating boards needs the server's create token")
    client = request.client.host if request.client else "unknown"
    if not _rate_ok(state, client):
        raise HTTPError(429, "too many boards created; wait a minute")


async def post_board(request: Request) -> Response:
    state = _state(request)
    create_allowed(request)
    body = await read_json(request)
    try:
        new = await create_board(
            state.store,
            body.get("canvas", "ko-kreation"),
            body.get("title"),
            body.get("locale"),
            state.settings.limits.max_title_chars,
            state.canvas_dirs,
            state.settings.join_code_hours,
        )
    except BoardInputError as exc:
        raise HTTPError(400, str(exc)) from exc
    return new_board_response(request, new)


def new_board_response(request: Request, new: NewBoard, **extra: Any) -> JSONResponse:
    """201 with a new board's id, title, the four links and their tokens."""
    return JSONResponse(
        {
            "id": new.record.id,
            "title": new.record.title,
            "links": board_links(base_url(request), new.record.id, new.tokens),
            "tokens": new.tokens,
            **extra,
        },
        status_code=201,
    )


async def get_board(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    record = await state.store.get_board(principal.board)
    assert record is not None
    return JSONResponse(
        {
            "id": record.id,
            "canvas": record.canvas,
            "canvas_version": record.canvas_version,
            "title": record.title,
            "locale": record.locale,
            "created_at": record.created_at,
            "role": principal.role,
        }
    )


async def delete_board(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request, "moderator")
    room = state.rooms.get_loaded(principal.board)
    if room is not None:
        for conn in list(room.conns):
            conn.close(CloseCode.BOARD_NOT_FOUND, "this board was deleted")
        await state.rooms.unload(principal.board, force=True)
    await state.store.delete_board(principal.board)
    return Response(status_code=204)


async def list_snapshots(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    infos = await state.store.list_snapshots(principal.board)
    return JSONResponse({"snapshots": [_snapshot_json(i) for i in infos]})


async def post_snapshot(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request, "moderator")
    body = await read_json(request)
    try:
        label = clean_text(body.get("label", ""), "label", 200, required=False)
    except BoardInputError as exc:
        raise HTTPError(400, str(exc)) from exc
    info = await snapshot_board(state.store, state.rooms, principal.board, label, "manual")
    return JSONResponse(_snapshot_json(info), status_code=201)


async def get_snapshot(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    found = await state.store.get_snapshot(principal.board, request.path_params["sid"])
    if found is None:
        raise HTTPError(404, "no such snapshot")
    info, snap_state = found
    return JSONResponse({**_snapshot_json(info), "board": doc_view(load_doc(snap_state, []))})


def _snapshot_json(info: Any) -> dict[str, Any]:
    return {
        "sid": info.sid,
        "label": info.label,
        "kind": info.kind,
        "created_at": info.created_at,
        "notes": info.notes,
    }


async def get_canvases(request: Request) -> Response:
    state = _state(request)
    return JSONResponse(
        {"canvases": [summary_to_json(c) for c in list_canvases(state.canvas_dirs)]}
    )


async def get_canvas(request: Request) -> Response:
    state = _state(request)
    try:
        canvas = load_canvas(request.path_params["canvas_id"], state.canvas_dirs)
    except LookupError as exc:
        raise HTTPError(404, str(exc).strip("'\"")) from exc
    return JSONResponse(canvas_to_json(canvas))


async def healthz(request: Request) -> Response:
    state = _state(request)
    if not state.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok", "rooms": len(state.rooms.rooms)})


async def readyz(request: Request) -> Response:
    """Ready to take traffic: started, and every loaded board can save (P22)."""
    state = _state(request)
    if not state.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    paused = sorted(r.board_id for r in state.rooms.rooms.values() if r.store_failed)
    if paused:
        return JSONResponse({"status": "saving-paused", "boards": len(paused)}, status_code=503)
    return JSONResponse({"status": "ok", "rooms": len(state.rooms.rooms)})


async def metrics(request: Request) -> Response:
    state = _state(request)
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")
