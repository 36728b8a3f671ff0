"""Deleting a board deletes it: nothing of it stays readable in any file of the data
directory, nor in the server's log (PROTOCOL.md P200)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pycrdt import Map

from server.auth import hash_token, normalize_join_code
from server.sync.errors import CloseCode
from tests.support.live import LiveServer
from tests.support.ops import ok
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def traces(data_dir: Path, markers: list[bytes]) -> dict[str, list[bytes]]:
    """Which markers occur in the raw bytes of which file of the data directory."""
    found: dict[str, list[bytes]] = {}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        hits = [m for m in markers if m in raw]
        if hits:
            found[path.name] = hits
    return found


async def fill_board(server: LiveServer, mark: str, notes: int) -> list[bytes]:
    """A board holding the marker in every kind of stored data; returns what to look for."""
    board = server.create_board(title=f"Titel-{mark}")
    markers = [mark.encode()] + [hash_token(t) for t in board.tokens.values()]
    async with (
        PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m,
        PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p,
    ):
        await m.synced.wait()
        await p.synced.wait()
        mod = await ok(m, "hello", pid=secrets.token_urlsafe(24), name=f"Mod-{mark}")
        markers.append(normalize_join_code(mod["join_code"]).encode())
        part = await ok(p, "hello", pid=secrets.token_urlsafe(24), name=f"Pia-{mark}")
        markers.append(part["author_id"].encode())
        for i in range(notes):
            await p.add_note(f"n{i}-{mark}", "B2", f"Idee {i} {mark}", author=f"Pia-{mark}")
        # an edit after the first compaction, so old states and log rows were replaced
        note = p.notes[f"n0-{mark}"]
        assert isinstance(note, Map)
        await p.insert_text(f"n0-{mark}", 0, f"Neu-{mark} ")
        await ok(m, "private.set", field="B1", on=True)
        await ok(p, "private.put", note=f"pn-{mark}", field="B1", text=f"Geheim-{mark}")
        await ok(m, "vote.open", fields=["B2"], per_person=2)
        await p.wait_for(lambda: p.view()["control"].get("voting", {}).get("state") == "open")
        await ok(p, "vote.cast", note=f"n1-{mark}")
        auth = {"Authorization": f"Bearer {board.tokens['moderator']}"}
        async with httpx.AsyncClient(base_url=server.http, headers=auth, timeout=30) as http:
            snap = await http.post(
                f"/api/boards/{board.id}/snapshots", json={"label": f"Etappe-{mark}"}
            )
            assert snap.status_code == 201, snap.text
            await ok(m, "clock")
            # every marker is stored somewhere before: the search can find each of them
            found = {x for hits in traces(server.data_dir, markers).values() for x in hits}
            assert found == set(markers)
            # still connected: deleting closes them
            gone = await http.delete(f"/api/boards/{board.id}")
            assert gone.status_code == 204, gone.text
        await p.closed.wait()
        assert p.close_info is not None and p.close_info.code == CloseCode.BOARD_NOT_FOUND
    return markers


async def test_p200_a_deleted_board_leaves_no_trace_in_the_data_dir_or_log(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(COCANVAS_COMPACT_AFTER_ROWS="5")
    data_dir = server.data_dir
    keep_mark = "bleibt" + secrets.token_hex(6)
    kept = server.create_board(title=f"Titel-{keep_mark}")
    async with PyClient.connect(server.ws, kept.id, kept.tokens["participant"]) as k:
        await k.synced.wait()
        for i in range(12):
            await k.add_note(f"k{i}", "A1", f"Bleibt {i} {keep_mark}")
        await ok(k, "clock")
        mark = "weg" + secrets.token_hex(6)
        markers = await fill_board(server, mark, 12)
        # the server is still running: the deletion must hold now, not at shutdown
        assert traces(data_dir, markers) == {}
        assert keep_mark.encode() in (data_dir / "cocanvas.db").read_bytes() + (
            (data_dir / "cocanvas.db-wal").read_bytes()
            if (data_dir / "cocanvas.db-wal").exists()
            else b""
        )
        await k.add_note("k-after", "A1", "nach dem Löschen")
        await ok(k, "clock")
    server.stop()
    assert traces(data_dir, markers) == {}
    log = server.log().encode()
    assert [m for m in markers if m in log] == []
    assert b"Titel-" not in log and b"Idee" not in log


async def test_p200_deleting_an_unloaded_board_also_erases_it(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    mark = "leer" + secrets.token_hex(6)
    board = server.create_board(title=f"Titel-{mark}")
    async with PyClient.connect(server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.add_note("n", "A1", f"Text {mark}")
        await ok(p, "clock")
    auth = {"Authorization": f"Bearer {board.tokens['moderator']}"}
    async with httpx.AsyncClient(headers=auth, timeout=30) as http:
        gone = await http.delete(f"{server.http}/api/boards/{board.id}")
    assert gone.status_code == 204
    assert traces(server.data_dir, [mark.encode()]) == {}
    # the data directory is empty on purpose now: the next start must accept that (P224)
    server.stop()
    server.start()
