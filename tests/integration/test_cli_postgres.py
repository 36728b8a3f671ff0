"""`cocanvas new`, `boards`, `snapshot`, `export` and `import` on a PostgreSQL store
(`--store` or COCANVAS_STORE_URL), against a real PostgreSQL server (P333)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pycrdt import Map

from server.sync.document import META
from tests.support.live import ROOT, LiveServer
from tests.support.pyclient import PyClient


def cocanvas(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def links(out: str) -> dict[str, str]:
    return dict(re.findall(r"^(moderator|participant|viewer|projector):\s+(\S+)$", out, re.M))


@pytest.mark.anyio
async def test_p333_board_commands_work_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    created = cocanvas("new", "--title", "Landkreis Tag 1", "--store", pg_url, "--data", str(data))
    assert created.returncode == 0, created.stderr
    link = links(created.stdout)
    board_id = link["viewer"].split("/b/")[1].split("#")[0]
    token = link["participant"].split("#k=")[1]

    # the environment setting is enough, and nothing is written to a SQLite file
    listed = cocanvas("boards", "--data", str(data), COCANVAS_STORE_URL=pg_url)
    assert listed.returncode == 0, listed.stderr
    assert board_id in listed.stdout and "Landkreis Tag 1" in listed.stdout
    assert not (data / "cocanvas.db").exists()

    snap = cocanvas("snapshot", board_id, "--label", "Ende Teil A", "--store", pg_url)
    assert snap.returncode == 0, snap.stderr
    out = tmp_path / "board.json"
    exported = cocanvas("export", board_id, "--format", "json", "-o", str(out), "--store", pg_url)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["board"]["title"] == "Landkreis Tag 1"

    archive = tmp_path / "board.cocanvas"
    done = cocanvas(
        "export", board_id, "--format", "cocanvas", "-o", str(archive), "--store", pg_url
    )
    assert done.returncode == 0, done.stderr
    imported = cocanvas("import", str(archive), "--title", "Kopie", "--store", pg_url)
    assert imported.returncode == 0, imported.stderr
    copy_id = links(imported.stdout)["viewer"].split("/b/")[1].split("#")[0]
    listed = cocanvas("boards", "--store", pg_url)
    assert copy_id in listed.stdout and "Kopie" in listed.stdout

    # a node on the same database serves the board the command made
    server = LiveServer(tmp_path / "node", env={"COCANVAS_STORE_URL": pg_url}).start()
    try:
        async with PyClient.connect(server.ws, board_id, token) as c:
            await c.synced.wait()
            assert c.doc.get(META, type=Map)["title"] == "Landkreis Tag 1"
    finally:
        server.stop()


def test_p333_sqlite_backup_commands_point_to_pg_dump(pg_url: str, tmp_path: Path) -> None:
    for args in (("backup", str(tmp_path / "b.db")), ("restore", str(tmp_path / "b.db"))):
        done = cocanvas(*args, "--data", str(tmp_path / "data"), COCANVAS_STORE_URL=pg_url)
        assert done.returncode == 2
        assert "pg_dump" in done.stderr


def test_p333_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    url = "postgresql://cocanvas@127.0.0.1:1/nothing"
    done = cocanvas("boards", "--store", url)
    assert done.returncode == 2
    assert "127.0.0.1:1" in done.stderr and "Traceback" not in done.stderr
