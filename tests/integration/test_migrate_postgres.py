"""`cocanvas migrate --to postgresql://...` copies a SQLite data directory into a real
PostgreSQL server: a server on PostgreSQL then exports every board and snapshot exactly
as the SQLite server did, with the update log, secrets and tokens (P303), and a node with
older code refuses the upgraded database (P300)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from server.store.postgres import PostgresStore
from server.store.sqlite import SqliteStore
from tests.integration.test_cli import cocanvas
from tests.support.live import LiveServer
from tests.support.ops import ok
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


async def exports(server: LiveServer, board_id: str, token: str) -> dict[str, Any]:
    """The board's JSON export and each snapshot's, by snapshot id ('' for the board)."""
    auth = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=server.http, headers=auth, timeout=30) as http:
        r = await http.get(f"/api/boards/{board_id}/snapshots")
        r.raise_for_status()
        sids = [""] + [s["sid"] for s in r.json()["snapshots"]]
        for sid in sids:
            params = {"snapshot": sid} if sid else {}
            r = await http.get(f"/api/boards/{board_id}/export.json", params=params)
            r.raise_for_status()
            data = json.loads(r.content)
            data.pop("exported_at")
            out[sid] = data
    return out


async def test_p303_migrate_copies_every_board_with_history_snapshots_and_secrets(
    pg_url: str, start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    # a compaction never runs, and the server is killed: the update log is what there is
    server = start_server(COCANVAS_COMPACT_AFTER_ROWS="100000")
    board = server.create_board(title="Bürgerrat Ulm")
    empty = server.create_board(title="Leer")
    mod = board.tokens["moderator"]
    pid = secrets.token_urlsafe(24)
    async with (
        PyClient.connect(server.ws, board.id, mod) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        await ok(p, "hello", pid=pid, name="Pia")
        for i in range(20):
            await p.add_note(f"n{i}", "A1", f"Idee {i}")
            await m.wait_for_note(f"n{i}")  # a log row each, not one burst (P370)
        await ok(m, "private.set", field="B1", on=True)
        await ok(p, "private.put", note="geheim", field="B1", text="nur für Pia")
        auth = {"Authorization": f"Bearer {mod}"}
        async with httpx.AsyncClient(base_url=server.http, headers=auth, timeout=10) as http:
            r = await http.post(f"/api/boards/{board.id}/snapshots", json={"label": "Teil A"})
            assert r.status_code == 201
        await p.add_note("later", "C2", "nach dem Stand")
        await m.wait_for(lambda: "later" in m.notes)
        await ok(p, "clock")
    before = await exports(server, board.id, mod)
    before_empty = await exports(server, empty.id, empty.tokens["moderator"])
    assert len(before) >= 2 and "nach dem Stand" in json.dumps(before[""])
    server.kill()
    db = server.data_dir / "cocanvas.db"
    async with SqliteStore(db) as sqlite:
        log_rows = (await sqlite.log_stats(board.id)).rows
        assert log_rows > 20  # the history is in the log, not compacted away

    done = cocanvas("migrate", "--to", pg_url, "--data", str(server.data_dir))
    assert done.returncode == 0, done.stderr
    compared = len(before) + len(before_empty)
    assert f"2 boards copied, 0 already there; {compared} JSON exports compared" in done.stdout

    async with PostgresStore(pg_url) as pg:
        assert (await pg.log_stats(board.id)).rows == log_rows
    again = cocanvas("migrate", "--to", pg_url, "--data", str(server.data_dir))
    assert again.returncode == 0, again.stderr
    assert "0 boards copied, 2 already there" in again.stdout
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        update = "UPDATE boards SET title = %s WHERE id = %s"
        await conn.execute(update, ("anders", board.id))
        changed = cocanvas("migrate", "--to", pg_url, "--data", str(server.data_dir))
        assert changed.returncode == 2 and "differ" in changed.stderr
        await conn.execute(update, ("Bürgerrat Ulm", board.id))

    on_pg = start_server(data_dir=tmp_path / "pg-node", COCANVAS_STORE_URL=pg_url)
    assert await exports(on_pg, board.id, mod) == before
    assert await exports(on_pg, empty.id, empty.tokens["moderator"]) == before_empty
    async with PyClient.connect(on_pg.ws, board.id, board.tokens["participant"]) as q:
        await q.synced.wait()
        back = await ok(q, "hello", pid=pid, name="Pia")  # the secrets came along
        assert [n["text"] for n in back["private_notes"]] == ["nur für Pia"]


async def test_p300_serve_refuses_a_database_from_a_newer_version(pg_url: str) -> None:
    async with PostgresStore(pg_url):
        pass
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute("INSERT INTO cocanvas_schema VALUES (7, 'from the future', 0)")
    done = cocanvas("serve", "--port", "0", "--store", pg_url)
    assert done.returncode == 2
    assert "newer cocanvas (schema 7, this version knows up to 1)" in done.stderr
    assert "upgrade cocanvas" in done.stderr
