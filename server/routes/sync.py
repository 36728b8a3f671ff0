"""Websocket endpoint: Origin check, token -> role, then hand the connection to Rooms."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..auth import LoginError, login
from ..clientaddr import client_key
from ..state import AppState
from ..store.base import StoreError
from ..sync.channel import (
    ChannelClosedError,
    FastSink,
    MessageHandler,
    PendingSend,
    start_send,
)
from ..sync.errors import CloseCode, MalformedMessageError, SyncError
from ..ws_direct import EXTENSION, FrameWriter

log = logging.getLogger(__name__)
STORE_DOWN = "the server cannot reach its store; retry later"


class WebSocketChannel:
    """Adapts an accepted websocket to the Channel protocol. Frames go straight through
    the ASGI `receive` and `send` (the hot path); Starlette handles handshake and close."""

    def __init__(self, websocket: WebSocket, receive: Receive, send: Send) -> None:
        self.websocket = websocket
        self._receive = receive
        self._send = send
        self._path = websocket.url.path
        writer = websocket.scope.get("extensions", {}).get(EXTENSION)
        self._writer: FrameWriter | None = writer if isinstance(writer, FrameWriter) else None

    @property
    def path(self) -> str:
        return self._path

    @property
    def sink(self) -> FastSink | None:
        # P372: our protocol keeps the transport its frames may go into
        return self._writer.sink if self._writer is not None else None

    async def recv(self) -> bytes:
        message = await self._receive()
        if message["type"] == "websocket.disconnect":
            raise ChannelClosedError()
        data = message.get("bytes")
        if data is None:
            raise MalformedMessageError("text frames are not part of the protocol; send binary")
        assert isinstance(data, bytes)
        return data

    async def send(self, message: bytes) -> None:
        try:
            await self._send({"type": "websocket.send", "bytes": message})
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise ChannelClosedError() from exc

    def send_now(self, message: bytes) -> PendingSend | None:
        # P365: a broadcast passes one bytes object to every connection; it is framed once
        if self._writer is not None and self._writer.send(message):
            return None
        # uvicorn's websocket protocols write into the transport unless it asked to pause
        return start_send(self.send(message))

    def on_message(self, handler: MessageHandler | None) -> bool:
        # P368: our protocol offers messages to the room as they are read
        if self._writer is None:
            return False
        self._writer.on_message(handler)
        return True

    async def close(self, code: int, reason: str) -> None:
        try:
            await self.websocket.close(code, reason.encode()[:120].decode(errors="ignore"))
        except (RuntimeError, OSError):
            pass  # already closed by the peer


def origin_allowed(origin: str | None, host: str | None, allowed: tuple[str, ...]) -> bool:
    """P1: browsers send Origin; it must be this server or an allowed one. Non-browser
    clients send none and authenticate by token alone."""
    if origin is None:
        return True
    origin = origin.rstrip("/").lower()
    if origin in (a.rstrip("/").lower() for a in allowed):
        return True
    parts = urlsplit(origin)
    return host is not None and parts.netloc == host.lower() and parts.scheme in ("http", "https")


class SyncEndpoint:
    """ASGI app for /ws/{board_id} (a class, so Starlette passes the raw `send`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await serve_websocket(scope, receive, send)


async def serve_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    websocket = WebSocket(scope, receive, send)
    state: AppState = websocket.app.state.cocanvas
    connections = state.guards.connections
    client = client_key(scope, state.guards.proxies)
    await websocket.accept()
    channel = WebSocketChannel(websocket, receive, send)
    if not connections.acquire(client):
        reason = "too many connections from your address; retry later"
        await _refuse(state, channel, CloseCode.TOO_MANY_CONNECTIONS, reason)
        return
    try:
        await _serve_counted(state, websocket, channel, client)
    finally:
        connections.release(client)


async def _serve_counted(
    state: AppState, websocket: WebSocket, channel: WebSocketChannel, client: str
) -> None:
    board_id = websocket.path_params["board_id"]
    token = websocket.query_params.get("k", "")
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.headers.get("host"), state.settings.allowed_origins):
        await _refuse(state, channel, CloseCode.FORBIDDEN, "origin not allowed")
        return
    try:
        role = await login(state.store, state.guards.auth, client, board_id, token)
    except StoreError as exc:
        # P302: the store is unreachable; the client retries like on a paused board
        log.error("board %s: cannot check a login, the store failed: %s", board_id, exc)
        await _refuse(state, channel, CloseCode.STORE_UNAVAILABLE, STORE_DOWN)
        return
    except LoginError as exc:
        if exc.kind == "throttled":
            reason = f"too many failed attempts; retry in {exc.retry_after} s"
            await _refuse(state, channel, CloseCode.TOO_MANY_REQUESTS, reason)
        elif exc.kind == "unknown":
            await _refuse(state, channel, CloseCode.BOARD_NOT_FOUND, "no such board")
        else:
            await _refuse(state, channel, CloseCode.UNAUTHORIZED, "missing or invalid link token")
        return
    gauge = state.metrics.connections.labels(role)
    gauge.inc()
    try:
        await state.rooms.serve(board_id, channel, role, client)
    except SyncError as exc:
        await _refuse(state, channel, exc.code, exc.reason)
    except StoreError as exc:
        log.error("board %s: cannot load, the store failed: %s", board_id, exc)
        await _refuse(state, channel, CloseCode.STORE_UNAVAILABLE, STORE_DOWN)
    except Exception:
        # never a bare 1006: the client hears a code it retries on (P223)
        log.exception("board %s: could not serve a connection", board_id)
        await _refuse(state, channel, CloseCode.SERVER_ERROR, "internal error; retrying")
    finally:
        gauge.dec()


async def _refuse(state: AppState, channel: WebSocketChannel, code: int, reason: str) -> None:
    state.metrics.closes.labels(str(code)).inc()
    await channel.close(code, reason)
