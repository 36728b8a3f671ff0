"""REST for the follow-up: exports, compare, restore, import (P80-P83)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..export import ArchiveError
from ..history import (
    ALL_FORMATS,
    HistoryError,
    compare_states,
    import_archive,
    render_export,
    restore_as_copy,
)
from ..state import AppState
from ..sync.appmsg import AppError
from .boards import (
    HTTPError,
    authorize,
    create_allowed,
    new_board_response,
    read_body,
    read_json,
)

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.cocanvas
    return state


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


async def export(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    fmt = request.path_params["fmt"]
    if fmt not in ALL_FORMATS:
        raise HTTPError(404, f"unknown export format {fmt!r}; one of: {', '.join(ALL_FORMATS)}")
    record = await state.store.get_board(principal.board)
    assert record is not None
    if fmt == "cocanvas" and (_flag(request, "anonymize") or request.query_params.get("snapshot")):
        raise HTTPError(
            400,
            "an archive holds the whole board with its history and names; "
            "use another format for a snapshot or an export without names",
        )
    try:
        rendered = await render_export(
            state.store,
            state.rooms,
            record,
            fmt,
            sid=request.query_params.get("snapshot") or None,
            anonymize=_flag(request, "anonymize"),
            locale=request.query_params.get("locale"),
            pool=state.export_pool,
            canvas_dirs=state.canvas_dirs,
        )
    except HistoryError as exc:
        raise HTTPError(404, str(exc)) from exc
    disposition = f"attachment; filename*=UTF-8''{quote(rendered.filename)}"
    return Response(
        rendered.data,
        media_type=rendered.media_type,
        headers={"content-disposition": disposition, "cache-control": "no-store"},
    )


async def compare(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    first = request.query_params.get("from", "")
    second = request.query_params.get("to") or None
    if not first:
        raise HTTPError(400, "give ?from=SNAPSHOT and optionally &to=SNAPSHOT (default: now)")
    try:
        diff = await compare_states(state.store, state.rooms, principal.board, first, second)
    except HistoryError as exc:
        raise HTTPError(404, str(exc)) from exc
    return JSONResponse(diff)


async def restore(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request, "moderator")
    body = await read_json(request)
    sid = request.path_params["sid"]
    mode = body.get("mode", "in-place")
    record = await state.store.get_board(principal.board)
    assert record is not None
    if mode == "copy":
        title = body.get("title")
        if title is not None and not isinstance(title, str):
            raise HTTPError(400, "'title' must be a string")
        try:
            hours = state.settings.join_code_hours
            new = await restore_as_copy(state.store, record, sid, title, hours)
        except HistoryError as exc:
            raise HTTPError(404, str(exc)) from exc
        return new_board_response(request, new)
    if mode != "in-place":
        raise HTTPError(400, "'mode' must be 'in-place' or 'copy'")
    room = await state.rooms.acquire(principal.board)
    try:
        result: dict[str, Any] = await room.services["board"].restore(
            sid, None, by={"role": "moderator", "name": None, "via": "api"}
        )
    except AppError as exc:
        raise HTTPError(404, exc.message) from exc
    finally:
        state.rooms.release(room)
    return JSONResponse(result)


async def import_board(request: Request) -> Response:
    state = _state(request)
    create_allowed(request)
    body = await read_body(request, MAX_ARCHIVE_BYTES)
    title = request.query_params.get("title") or None
    started = time.monotonic()
    try:
        hours = state.settings.join_code_hours
        new = await import_archive(state.store, body, title, MAX_ARCHIVE_BYTES, hours)
    except ArchiveError as exc:
        raise HTTPError(400, str(exc)) from exc
    return new_board_response(request, new, seconds=round(time.monotonic() - started, 3))
