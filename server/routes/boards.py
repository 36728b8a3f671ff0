"""REST: boards, snapshots, canvases, health and metrics."""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from canvas_schema import canvas_to_json, list_canvases, load_canvas, summary_to_json

from ..auth import LoginError, Principal, login
from ..boards import (
    BoardInputError,
    NewBoard,
    board_links,
    clean_text,
    create_board,
    snapshot_board,
)
from ..clientaddr import client_key
from ..state import AppState
from ..store.base import BoardRecord
from ..sync.document import doc_view, load_doc
from ..sync.errors import CloseCode
from ..sync.vocabulary import Role
from ..throttle import retry_seconds

MAX_BODY = 16_384


class HTTPError(Exception):
    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def error_response(status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def too_many(what: str, retry_after: int) -> HTTPError:
    """429 with Retry-After; the message says when to try again."""
    return HTTPError(429, f"{what}; try again in {retry_after} s", retry_after)


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


async def authorize(request: Request, *roles: Role) -> Principal:
    """The caller's role on the board in the path; 404 for unknown boards, 401/403 else,
    429 with Retry-After after too many failed attempts (P161)."""
    state = _state(request)
    board_id = request.path_params["board_id"]
    client = client_key(request.scope, state.guards.proxies)
    try:
        role = await login(state.store, state.guards.auth, client, board_id, _bearer(request))
    except LoginError as exc:
        if exc.kind == "throttled":
            raise too_many("too many failed attempts", exc.retry_after) from exc
        if exc.kind == "unknown":
            raise HTTPError(404, "no such board") from exc
        raise HTTPError(401, "send a link token as 'Authorization: Bearer TOKEN'") from exc
    if roles and role not in roles:
        raise HTTPError(403, f"this needs the {' or '.join(roles)} link")
    return Principal(board_id, role)


async def board_record(state: AppState, board_id: str) -> BoardRecord:
    """The board's record; 404 when it was deleted since its token was checked."""
    record = await state.store.get_board(board_id)
    if record is None:
        raise HTTPError(404, "no such board")
    return record


def base_url(request: Request) -> str:
    state = _state(request)
    if state.settings.public_url:
        return state.settings.public_url
    return f"{request.url.scheme}://{request.url.netloc}"


def create_allowed(request: Request) -> None:
    """Creating (or importing) boards (P166): with a create token set, only its holders,
    counted together; otherwise counted per client address. A wrong create token is a
    failed login."""
    state = _state(request)
    guards = state.guards
    client = client_key(request.scope, guards.proxies)
    token = state.settings.create_token
    if token:
        # an operator picks this token and it may be guessable: refuse before comparing
        wait = guards.auth.wait(client, "", False)
        if wait:
            raise too_many("too many failed attempts", retry_seconds(wait))
        if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
            guards.auth.failed(client, None, False)
            raise HTTPError(401, "creating boards needs the server's create token")
        wait = guards.create_by_token.take("create-token")
    else:
        wait = guards.create_by_address.take(client)
    if wait:
        raise too_many("too many boards created", retry_seconds(wait))


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
    record = await board_record(state, principal.board)
    return JSONResponse(
        {
            "id": record.id,
            "canvas": record.canvas,
            "canvas_version": record.canvas_version,
            "title": record.title,
            "locale": record.locale,
            "created_at": record.created_at,
            "role": principal.role,
            # what the projector shows people to type (P242)
            "join_url": f"{base_url(request).rstrip('/')}/join",
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
    """Ready to take traffic: started, every loaded board can save (P22), and the relay
    answers when there is one (P328)."""
    state = _state(request)
    if not state.ready:
        return JSONResponse({"status": "starting"}, status_code=503)
    paused = sorted(r.board_id for r in state.rooms.rooms.values() if r.store_failed)
    if paused:
        return JSONResponse({"status": "saving-paused", "boards": len(paused)}, status_code=503)
    if state.relay is not None and not await state.relay.ping():
        # P328: this node's boards would not hear the other nodes
        return JSONResponse({"status": "relay-unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "rooms": len(state.rooms.rooms)})


async def metrics(request: Request) -> Response:
    state = _state(request)
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")
