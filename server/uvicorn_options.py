"""uvicorn options for cocanvas: slow and oversized request headers are cut off (P167).

uvicorn starts no timer until a first response is sent, and its keep-alive timer stops
at the first byte of the next request, so a client that sends a header line every few
seconds would hold a connection forever. Proxy headers are left to `clientaddr`.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .settings import Settings
from .ws_direct import DirectWebSocketProtocol

MAX_HEADER_BYTES = 65_536  # request line and headers; more is closed with 431
SPARE_FILES = 256  # database, logs, export workers' pipes, listening socket
log = logging.getLogger(__name__)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """httptools HTTP/1.1 with a deadline and a size cap on every request's headers."""

    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    def _arm(self) -> None:
        self._disarm()
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # the event loop hands stream protocols a full transport
        super().connection_made(cast(asyncio.Transport, transport))
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting = self._header_timer is not None
        super().data_received(data)
        # only bytes read while the headers are still incomplete count: a body that
        # arrives in the same read as its headers is the body, not more headers
        if waiting and self._header_timer is not None:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._disarm()
                self.transport.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                    b"content-length: 0\r\nconnection: close\r\n\r\n"
                )
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # then the next request's headers are in already
        super().on_response_complete()
        # the next request on this connection gets the same deadline
        if not pipelined and not self.transport.is_closing():
            self._arm()


def http_protocol(header_timeout: float) -> type[HeaderTimeoutProtocol]:
    """HeaderTimeoutProtocol with this deadline in seconds."""

    class Configured(HeaderTimeoutProtocol):
        pass

    Configured.header_timeout = header_timeout
    return Configured


WS_IMPLS = ("direct", "websockets-sansio", "websockets", "wsproto")
EVENT_LOOPS = ("uvloop", "asyncio")


def ws_impl(name: str) -> str | type[asyncio.Protocol]:
    """The websocket protocol by name: ours (`direct`, P365) or one of uvicorn's; raises
    ValueError for another name."""
    if name not in WS_IMPLS:
        raise ValueError(f"COCANVAS_WS_IMPL={name!r}: choose one of {', '.join(WS_IMPLS)}")
    return DirectWebSocketProtocol if name == "direct" else name


def event_loop(name: str) -> str:
    """The event loop by name; raises ValueError for another name."""
    if name not in EVENT_LOOPS:
        raise ValueError(f"COCANVAS_EVENT_LOOP={name!r}: choose one of {', '.join(EVENT_LOOPS)}")
    return name


def uvicorn_config(app: Any, settings: Settings, log_config: dict[str, Any]) -> uvicorn.Config:
    """The uvicorn configuration `cocanvas serve` runs with."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=log_config,
        log_level=settings.log_level,
        http=http_protocol(settings.header_timeout_seconds),
        ws=ws_impl(settings.ws_impl),
        loop=event_loop(settings.event_loop),
        ws_max_size=16 * 1024 * 1024,
        ws_per_message_deflate=False,
        lifespan="on",
        server_header=False,
        # clientaddr decides who the client is, from COCANVAS_TRUSTED_PROXIES only
        proxy_headers=False,
        timeout_keep_alive=5,
        limit_concurrency=settings.max_open_connections or None,
    )


def raise_file_limit(connections: int) -> int:
    """Lift the soft open-file limit (often 1024) towards the hard one, so `connections`
    sockets fit; past the limit accept() fails for everyone. Returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + SPARE_FILES
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        soft = want
    if soft != resource.RLIM_INFINITY and soft < connections + SPARE_FILES:
        log.warning(
            "open-file limit %d is below COCANVAS_MAX_OPEN_CONNECTIONS=%d + %d; "
            "raise it (ulimit -n, LimitNOFILE=) or lower the setting",
            soft,
            connections,
            SPARE_FILES,
        )
    return soft
