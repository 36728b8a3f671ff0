"""The composition root the server and the `cocanvas` command share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.compose import open_store, opened_store
from server.settings import Settings
from server.store.sqlite import SqliteStore
from tests.support.live import ROOT


@pytest.mark.parametrize("mode", ["normal", "FULL"])
def test_open_store_honours_the_synchronous_setting(tmp_path: Path, mode: str) -> None:
    store = open_store(Settings(data_dir=tmp_path, sqlite_synchronous=mode))
    assert isinstance(store, SqliteStore)
    assert store.db.synchronous == mode.upper()
    assert store.path == tmp_path / "cocanvas.db"


def test_open_store_refuses_an_unknown_synchronous_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="COCANVAS_SQLITE_SYNCHRONOUS"):
        open_store(Settings(data_dir=tmp_path, sqlite_synchronous="OFF"))


@pytest.mark.anyio
async def test_opened_store_is_open_inside_the_block(tmp_path: Path) -> None:
    async with opened_store(Settings(data_dir=tmp_path)) as store:
        assert await store.list_boards() == []
    assert (tmp_path / "cocanvas.db").exists()


@pytest.mark.parametrize("command", [["boards"], ["new", "--title", "x"]])
def test_every_cli_command_checks_the_synchronous_setting(
    tmp_path: Path, command: list[str]
) -> None:
    env = {**os.environ, "COCANVAS_SQLITE_SYNCHRONOUS": "SOMETIMES"}
    done = subprocess.run(
        [sys.executable, "-m", "server", *command, "--data", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "COCANVAS_SQLITE_SYNCHRONOUS must be NORMAL or FULL" in done.stderr
    assert not (tmp_path / "cocanvas.db").exists()
