"""REST for the follow-up: exports, compare, restore, import (P80-P83)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..export import ArchiveError
from ..export_pool import ExportFailedError, ExportTimeoutError
from ..export_queue import ExportBusyError
from ..history import (
    ALL_FORMATS,
    HistoryError,
    Rendered,
    compare_states,
    import_archive,
    render_export,
    restore_as_copy,
)
from ..moderation.board import BoardOps
from ..state import AppState
from ..sync.appmsg import AppError, ErrorCode
from ..sync.rooms import BoardNotFoundError
from .boards import (
    HTTPError,
    authorize,
    board_record,
    create_allowed,
    new_board_response,
    read_body,
    read_json,
)

log = logging.getLogger(__name__)
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
T = TypeVar("T")

# a refusal of the facilitation layer as an HTTP status: every ErrorCode has one
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.INVALID: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.LIMIT: 429,
    ErrorCode.LOCKED: 423,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNKNOWN_OP: 404,
    ErrorCode.IDENTITY: 409,
    ErrorCode.UNKNOWN_GROUP: 400,
    ErrorCode.UNAVAILABLE: 503,
}


def http_error(exc: AppError) -> HTTPError:
    """The HTTP answer for a refusal the facilitation layer raised."""
    return HTTPError(HTTP_STATUS.get(exc.code, 400), exc.message)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.cocanvas
    return state


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


async def unless_client_leaves(
    request: Request, work: Callable[[], Awaitable[T]]
) -> tuple[bool, T | None]:
    """Run `work`, cancelled when the HTTP client disconnects; (True, result) if it stayed."""
    outcome: list[T] = []
    failure: list[Exception] = []

    async def watch(scope: anyio.CancelScope) -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch, tg.cancel_scope)
        try:
            outcome.append(await work())
        except Exception as exc:  # re-raised below, outside the task group
            failure.append(exc)
        tg.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return (True, outcome[0]) if outcome else (False, None)


async def export(request: Request) -> Response:
    state = _state(request)
    principal = await authorize(request)
    fmt = request.path_params["fmt"]
    if fmt not in ALL_FORMATS:
        raise HTTPError(404, f"unknown export format {fmt!r}; one of: {', '.join(ALL_FORMATS)}")
    record = await board_record(state, principal.board)
    if fmt == "cocanvas" and (_flag(request, "anonymize") or request.query_params.get("snapshot")):
        raise HTTPError(
            400,
            "an archive holds the whole board with its history and names; "
            "use another format for a snapshot or an export without names",
        )

    async def work() -> Rendered:
        return await render_export(
            state.store,
            state.rooms,
            record,
            fmt,
            sid=request.query_params.get("snapshot") or None,
            anonymize=_flag(request, "anonymize"),
            locale=request.query_params.get("locale"),
            queue=state.exports,
            canvas_dirs=state.canvas_dirs,
        )

    try:
        stayed, rendered = await unless_client_leaves(request, work)
    except HistoryError as exc:
        raise HTTPError(404, str(exc)) from exc
    except ExportBusyError as exc:
        raise HTTPError(429, str(exc), retry_after=exc.retry_after) from exc
    except ExportTimeoutError as exc:
        raise HTTPError(503, f"{exc}; try a lighter format (md, csv, json)") from exc
    except ExportFailedError as exc:
        log.error("export %s of board %s failed: %s", fmt, principal.board, exc)
        raise HTTPError(500, "the export failed; the server log has the details") from exc
    if not stayed or rendered is None:
        return Response(status_code=499)  # nobody is listening any more
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
    record = await board_record(state, principal.board)
    if mode == "copy":
        title = body.get("title")
        if title is not None and not isinstance(title, str):
            raise HTTPError(400, "'title' must be a string")
        try:
            hours = state.settings.join_code_hours
            new = await restore_as_copy(
                state.store, record, sid, title, hours, canvas_dirs=state.canvas_dirs
            )
        except HistoryError as exc:
            raise HTTPError(404, str(exc)) from exc
        return new_board_response(request, new)
    if mode != "in-place":
        raise HTTPError(400, "'mode' must be 'in-place' or 'copy'")
    try:
        room = await state.rooms.acquire(principal.board)
    except BoardNotFoundError as exc:
        raise HTTPError(404, "no such board") from exc
    try:
        ops = room.extensions.find(BoardOps)
        if ops is None:
            raise HTTPError(503, "restoring is not available on this server")
        result = await ops.restore(sid, None, by={"role": "moderator", "name": None, "via": "api"})
    except AppError as exc:
        raise http_error(exc) from exc
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
        new = await import_archive(
            state.store, body, title, MAX_ARCHIVE_BYTES, hours, canvas_dirs=state.canvas_dirs
        )
    except ArchiveError as exc:
        raise HTTPError(400, str(exc)) from exc
    return new_board_response(request, new, seconds=round(time.monotonic() - started, 3))
