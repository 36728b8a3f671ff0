"""The test servers themselves: a server that could not bind its port is never taken for
one that answers on it (the CI failure of test_p352 on 2026-12-04: a second node's port
was taken by another worker's server, whose /healthz answered in its place)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import live
from tests.support.live import LiveServer


def test_a_server_whose_port_is_taken_is_not_taken_for_the_one_there(
    server: LiveServer, tmp_path: Path
) -> None:
    second = LiveServer(tmp_path / "second", port=server.port)
    try:
        with pytest.raises(RuntimeError, match="already in use"):
            second.start()
        assert second.proc is not None and second.proc.poll() is not None
        assert live.listens(server.proc.pid if server.proc else 0, server.port)
    finally:
        second.stop()  # a harness that took it for started leaves no process behind


def test_a_picked_port_that_is_taken_meanwhile_is_picked_again(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = iter([server.port])
    real: Callable[[], int] = live.free_port
    # the first pick is the port another server holds, as when the race is lost
    monkeypatch.setattr(live, "free_port", lambda: next(ports, None) or real())
    second = LiveServer(tmp_path / "second").start()
    try:
        assert second.port != server.port
        assert second.proc is not None and live.listens(second.proc.pid, second.port)
        assert "already in use" in (tmp_path / f"server-{server.port}.log").read_text()
    finally:
        second.stop()
