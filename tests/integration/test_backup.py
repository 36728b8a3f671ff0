"""`cocanvas backup` while a server runs and writes, `cocanvas restore` into a new data
directory, a server there: every note, snapshot and secret is back (PROTOCOL.md P203)."""

from __future__ import annotations

import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pycrdt import Map, Text

from tests.integration.test_cli import cocanvas
from tests.support.live import LiveServer
from tests.support.ops import ok
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio
NOTES = 2_000


async def snapshots(server: LiveServer, board_id: str, token: str) -> list[dict[str, Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.http, headers=auth, timeout=10) as http:
        r = await http.get(f"/api/boards/{board_id}/snapshots")
        r.raise_for_status()
        found: list[dict[str, Any]] = r.json()["snapshots"]
        return found


async def test_p203_backup_of_a_running_server_restores_everything(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server()
    board = server.create_board(title="Sicherung")
    mod_token = board.tokens["moderator"]
    author_pid = secrets.token_urlsafe(24)
    written: list[str] = []
    async with (
        PyClient.connect(server.ws, board.id, mod_token) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        await ok(p, "hello", pid=author_pid, name="Pia")
        with p.doc.transaction():
            for i in range(NOTES - 50):
                p.notes[f"n{i}"] = Map({"field": "B2", "text": Text(f"Idee {i}")})
        await p.flush()
        await ok(m, "private.set", field="B1", on=True)
        await ok(p, "private.put", note="geheim", field="B1", text="nur für Pia")
        auth = {"Authorization": f"Bearer {mod_token}"}
        async with httpx.AsyncClient(base_url=server.http, headers=auth, timeout=10) as http:
            r = await http.post(f"/api/boards/{board.id}/snapshots", json={"label": "Teil A"})
            assert r.status_code == 201
        await m.wait_for(lambda: len(m.notes) == NOTES - 50, within=20)
        before = {k: v for k, v in m.view()["notes"].items()}
        snaps_before = await snapshots(server, board.id, mod_token)
        assert [s["label"] for s in snaps_before] == ["Teil A"]
        backup = tmp_path / "backup.db"

        async def keep_writing() -> None:
            for i in range(50):
                await p.add_note(f"w{i}", "A1", f"während {i}")
                written.append(f"w{i}")
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as tg:
            tg.start_soon(keep_writing)
            done = await anyio.to_thread.run_sync(
                lambda: cocanvas("backup", str(backup), "--data", str(server.data_dir))
            )
        assert done.returncode == 0, done.stderr
        assert "backed up 1 boards" in done.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    snaps_after = await snapshots(server, board.id, mod_token)

    new_dir = tmp_path / "restored"
    restored = cocanvas("restore", str(backup), "--data", str(new_dir))
    assert restored.returncode == 0, restored.stderr
    again = start_server(data_dir=new_dir)
    async with PyClient.connect(again.ws, board.id, board.tokens["participant"]) as q:
        await q.synced.wait()
        notes = q.view()["notes"]
        assert {k: notes[k] for k in before} == before
        assert set(notes) - set(before) <= set(written)  # a consistent moment of the writes
        back = await ok(q, "hello", pid=author_pid, name="Pia")
        assert [n["text"] for n in back["private_notes"]] == ["nur für Pia"]
    snaps = await snapshots(again, board.id, mod_token)
    assert snaps[: len(snaps_before)] == snaps_before
    assert all(s in snaps_after for s in snaps)


def test_p203_restore_refuses_a_database_in_use_and_keeps_the_old_one(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server()
    board = server.create_board(title="Alt")
    backup = tmp_path / "b.db"
    assert cocanvas("backup", str(backup), "--data", str(server.data_dir)).returncode == 0
    again = cocanvas("backup", str(backup), "--data", str(server.data_dir))
    assert again.returncode == 2 and "--force" in again.stderr
    refused = cocanvas("restore", str(backup), "--data", str(server.data_dir))
    assert refused.returncode == 2 and "stop the server" in refused.stderr
    server.stop()
    done = cocanvas("restore", str(backup), "--data", str(server.data_dir))
    assert done.returncode == 0, done.stderr
    kept = list(server.data_dir.glob("cocanvas.db.replaced-*"))
    assert len(kept) == 1
    server.start()
    listed = cocanvas("boards", "--data", str(server.data_dir))
    assert board.id in listed.stdout


def test_p203_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    done = cocanvas("restore", str(junk), "--data", str(tmp_path / "data"))
    assert done.returncode == 2 and "junk.db" in done.stderr
    assert not (tmp_path / "data" / "cocanvas.db").exists()


def test_p203_restore_replaces_a_damaged_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cocanvas("new", "--title", "Heil", "--data", str(data)).returncode == 0
    backup = tmp_path / "b.db"
    assert cocanvas("backup", str(backup), "--data", str(data)).returncode == 0
    (data / "cocanvas.db").write_bytes(b"\x00garbage" * 1000)  # what P224 refuses to serve
    done = cocanvas("restore", str(backup), "--data", str(data))
    assert done.returncode == 0, done.stderr
    listed = cocanvas("boards", "--data", str(data))
    assert "Heil" in listed.stdout
    assert len(list(data.glob("cocanvas.db.replaced-*"))) == 1
