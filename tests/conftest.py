"""Shared fixtures: a real server process per test (or per module), boards, anyio."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.live import LiveServer
from tests.support.pgserver import PgServer
from tests.support.redis_server import RedisServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Factory: start_server(**env) -> a running LiveServer; all are stopped afterwards."""
    started: list[LiveServer] = []

    def start(data_dir: Path | None = None, **env: str) -> LiveServer:
        server = LiveServer(data_dir or tmp_path / "data", env=env)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., LiveServer]) -> LiveServer:
    return start_server()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a whole test module, for tests that only need their own board."""
    server = LiveServer(tmp_path_factory.mktemp("shared") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session; skipped without PostgreSQL, failed in CI."""
    server = PgServer.create()
    yield server
    server.destroy()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """An empty database of the test's own on the session's PostgreSQL server."""
    return pg_server.new_database()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server (no persistence) on a free loopback port."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
