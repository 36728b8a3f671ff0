"""uvicorn options: the open-file limit is lifted to fit the connection cap (P167); the
websocket protocol and event loop are settings (P363); ours is the default (P365)."""

from __future__ import annotations

import resource

import pytest

from server.uvicorn_options import SPARE_FILES, raise_file_limit


def test_p167_the_soft_file_limit_is_raised_to_fit_the_connection_cap() -> None:
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        soft, hard = before
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(512, hard), hard))
        got = raise_file_limit(1000)
        expected = 1000 + SPARE_FILES
        if hard != resource.RLIM_INFINITY:
            expected = min(expected, hard)
        assert got == expected
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (expected, hard)
        # never lowered
        assert raise_file_limit(10) == expected
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)


def test_p363_websocket_protocol_and_loop_come_from_the_settings() -> None:
    from server.redact import logging_config
    from server.settings import Settings
    from server.uvicorn_options import uvicorn_config
    from server.ws_direct import DirectWebSocketProtocol

    default = uvicorn_config(object(), Settings(), logging_config("info"))
    assert (default.ws, default.loop) == (DirectWebSocketProtocol, "uvloop")  # P365
    chosen = Settings(ws_impl="websockets", event_loop="asyncio")
    config = uvicorn_config(object(), chosen, logging_config("info"))
    assert (config.ws, config.loop) == ("websockets", "asyncio")
    for wrong in (Settings(ws_impl="tornado"), Settings(event_loop="trio")):
        with pytest.raises(ValueError, match="choose one of"):
            uvicorn_config(object(), wrong, logging_config("info"))
