"""create_app(settings): routes, lifespan, handlers; the one place that picks implementations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from . import native
from .boards import resolve_canvas, restore_in_place, snapshot_room
from .compose import open_store
from .export_pool import WorkerPool
from .export_queue import ExportQueue
from .metrics import Metrics
from .moderation import BoardContext, Facilitation
from .moderation.base import apply_control
from .moderation.shared import read_secrets_first
from .recovery import BoardDamagedError, load_board
from .relay.base import Relay
from .relay.link import BoardLink, LinkStats
from .retention import run_retention
from .routes import boards, history, join, pages, sync
from .settings import Settings
from .state import AppState
from .store.base import BoardRecord, CommitTimed, DocStore, SnapshotInfo
from .sync.appmsg import AppError, ErrorCode
from .sync.errors import SyncError
from .sync.policy import Rules
from .sync.room import Room, RoomConfig
from .sync.rooms import RoomFactory, Rooms
from .sync.vocabulary import SnapshotKind
from .throttle import Guards
from .upgrade import restorable_state, upgrade_stored

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def open_relay(settings: Settings) -> Relay | None:
    """The relay named by COCANVAS_RELAY_URL; None for a single node."""
    url = settings.relay_url
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError(f"COCANVAS_RELAY_URL must be a redis:// or rediss:// URL, not {url!r}")
    from .relay.redis import RedisRelay  # extra [redis]: imported only when configured

    return RedisRelay(url)


class RelayStats(LinkStats):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def owned(self, delta: int) -> None:
        self.metrics.boards_owned.inc(delta)

    def lag(self, seconds: float) -> None:
        self.metrics.relay_lag.observe(seconds)

    def caught_up(self) -> None:
        self.metrics.relay_catch_ups.inc()


def room_builder(
    settings: Settings,
    store: DocStore,
    metrics: Metrics,
    guards: Guards,
    relay: Relay | None = None,
) -> RoomFactory:
    limits = settings.limits
    dirs = (settings.canvas_dir,) if settings.canvas_dir else ()

    async def build_room(record: BoardRecord) -> Room:
        try:
            doc, loaded, recovery = await load_board(store, record.id)
        except BoardDamagedError as exc:
            log.error("%s", exc)
            raise SyncError(
                "this board's stored data cannot be read; ask the administrator to restore"
                " it from a backup"
            ) from exc
        canvas = resolve_canvas(record.canvas, dirs)
        await upgrade_stored(store, record, doc, loaded.last_seq, canvas)
        rules = Rules(
            field_kinds={f.id: str(f.kind) for f in canvas.fields},
            max_notes=limits.max_notes_per_board,
            max_note_chars=limits.max_note_chars,
        )
        config = RoomConfig(
            max_message_bytes=limits.max_message_bytes,
            max_app_message_bytes=limits.max_app_message_bytes,
            messages_per_second=limits.messages_per_second,
            message_burst=limits.message_burst,
            max_connections=limits.max_connections_per_board,
            send_queue_messages=limits.send_queue_messages,
            max_awareness_bytes=limits.max_awareness_bytes,
            violations_before_close=limits.violations_before_close,
            compact_after_rows=settings.compact_after_rows,
            compact_after_bytes=settings.compact_after_bytes,
            rules=rules,
            max_board_bytes=limits.max_board_bytes,
            update_bytes_per_second=limits.update_bytes_per_second,
            update_bytes_burst=limits.update_bytes_burst,
            awareness_bytes_per_second=limits.awareness_bytes_per_second,
            awareness_bytes_burst=limits.awareness_bytes_burst,
            presence_interval_ms=limits.presence_interval_ms,
            admit_author=guards.new_authors.admit,
            held=guards.held,
        )
        room = Room(record.id, doc, store, config, loaded.last_seq, metrics.observe_update)

        async def snapshot(label: str, kind: SnapshotKind) -> SnapshotInfo:
            return await snapshot_room(store, room, label, kind)

        async def restore(sid: str) -> None:
            found = await store.get_snapshot(record.id, sid)
            if found is None:  # deleted since the caller checked
                raise AppError(ErrorCode.NOT_FOUND, f"no snapshot {sid!r}")
            restore_in_place(room, restorable_state(found[1], canvas, record.canvas_version))
            facilitation.refresh()

        ctx = BoardContext(
            record,
            canvas,
            store,
            snapshot,
            restore,
            join_code_hours=settings.join_code_hours,
            keep_auto_snapshots=settings.keep_auto_snapshots,
        )
        facilitation = Facilitation(room, ctx)
        shared = relay is not None  # P329: secrets may change on other nodes
        for extension in read_secrets_first(facilitation) if shared else facilitation.extensions():
            room.extend(extension)
        await facilitation.load()
        if recovery.damaged:
            # P223: everyone sees in the decision log that and how the board was recovered
            apply_control(
                room,
                None,
                "board.recovered",
                "stored data was damaged; recovered",
                {},
                details=recovery.details(),
            )
            await room.compact()
        if relay is not None:
            link = BoardLink(room, relay, store, RelayStats(metrics))
            room.shared = link
            room.after_relayed = facilitation.refresh  # a timer set elsewhere wakes ours
            link.on_all_left = facilitation.all_left
            link.on_secrets = facilitation.secrets_changed
            await link.start()
        return room

    return build_room


@contextlib.asynccontextmanager
async def retention(settings: Settings, store: DocStore, rooms: Rooms) -> AsyncIterator[None]:
    """The retention sweep, while the app runs, if COCANVAS_RETENTION_DAYS is set."""
    if settings.retention_days <= 0:
        yield
        return
    days, every = settings.retention_days, settings.retention_check_seconds
    task = asyncio.create_task(run_retention(store, rooms, days, every), name="retention")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def create_app(settings: Settings, static_dir: Path = STATIC_DIR) -> Starlette:
    """Raises ValueError for settings that do not parse (trusted proxies)."""
    metrics = Metrics()
    guards = Guards.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        native.report(log)
        store = open_store(settings)
        relay = open_relay(settings)
        await store.open()
        if isinstance(store, CommitTimed):
            store.commit_seconds = metrics.observe_commit
        store.shared_log = relay is not None  # P320: several nodes append to one log
        try:
            build = room_builder(settings, store, metrics, guards, relay)
            grace = settings.room_grace_seconds
            sweep = min(5.0, max(0.05, grace / 2))
            async with contextlib.AsyncExitStack() as stack:
                if relay is not None:
                    await stack.enter_async_context(relay)  # before Rooms, closed after
                rooms = await stack.enter_async_context(Rooms(store, build, grace, sweep))
                await stack.enter_async_context(retention(settings, store, rooms))
                rooms.on_room_count = metrics.count_rooms
                state = AppState(settings, store, rooms, metrics, static_dir, guards)
                state.relay = relay
                # PDFs and images take seconds: separate processes keep live boards moving
                async with (
                    WorkerPool(settings.export_workers, metrics) as pool,
                    ExportQueue(
                        pool,
                        per_board=settings.export_queue_per_board,
                        total=settings.export_queue_total,
                        cache_bytes=settings.export_cache_bytes,
                        seconds=settings.export_seconds,
                        metrics=metrics,
                    ) as exports,
                ):
                    state.exports = exports
                    app.state.cocanvas = state
                    state.ready = True
                    yield
                    state.ready = False
        finally:
            await store.close()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, boards.HTTPError)
        metrics.http_errors.labels(str(exc.status)).inc()
        return boards.error_response(exc.status, exc.message, exc.retry_after)

    async def starlette_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return boards.error_response(exc.status_code, str(exc.detail))

    routes = [
        Route("/", pages.landing),
        Route("/join", pages.landing),
        Route("/b/{board_id}", pages.board_page),
        Route("/assets/{name:path}", pages.asset),
        Route("/api/boards", boards.post_board, methods=["POST"]),
        Route("/api/boards/{board_id}", boards.get_board, methods=["GET"]),
        Route("/api/boards/{board_id}", boards.delete_board, methods=["DELETE"]),
        Route("/api/boards/{board_id}/snapshots", boards.list_snapshots, methods=["GET"]),
        Route("/api/boards/{board_id}/snapshots", boards.post_snapshot, methods=["POST"]),
        Route("/api/boards/{board_id}/snapshots/{sid}", boards.get_snapshot, methods=["GET"]),
        Route("/api/boards/import", history.import_board, methods=["POST"]),
        Route("/api/boards/{board_id}/export.{fmt:path}", history.export, methods=["GET"]),
        Route("/api/boards/{board_id}/compare", history.compare, methods=["GET"]),
        Route("/api/boards/{board_id}/snapshots/{sid}/restore", history.restore, methods=["POST"]),
        Route("/api/join", join.post_join, methods=["POST"]),
        Route("/api/canvases", boards.get_canvases),
        Route("/api/canvases/{canvas_id}", boards.get_canvas),
        Route("/healthz", boards.healthz),
        Route("/readyz", boards.readyz),
        Route("/metrics", boards.metrics),
        WebSocketRoute("/ws/{board_id}", sync.SyncEndpoint()),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(pages.SecurityHeaders)],
        exception_handlers={boards.HTTPError: http_error, HTTPException: starlette_error},
    )
