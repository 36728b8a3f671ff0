"""Follow-up on a real server: exports over REST and CLI, compare, restore, archives (P80-P83)."""

from __future__ import annotations

import csv
import functools
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from server.sync.vocabulary import Role
from tests.support.live import ROOT, Board, LiveServer
from tests.support.pyclient import PyClient

pytestmark = pytest.mark.anyio


def auth(board: Board, role: Role = "moderator") -> dict[str, str]:
    return {"authorization": f"Bearer {board.tokens[role]}"}


async def fill(server: LiveServer, board: Board) -> None:
    async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
        await m.synced.wait()
        await m.add_note("a1", "A1", "Gemeinsam gestalten – Grüße aus Köln")
        await m.add_note("a3", "A3", "Repair-Café", x=0.2, y=0.8, group="civil-society")
        await m.add_note("b4", "B4", "Stadtbibliothek", kind="partner", resources="Räume")
        await m.add_note(
            "c3", "C3", "Förderantrag", kind="action", owner="Amt 61", due="2026-05-01"
        )
        await m.add_note("tr", "C1", "Güvenlik ve şeffaflık")
        await m.add_note("ar", "C2", "مشاركة المواطنين")
        await m.add_note("evil", "B1", '=HYPERLINK("http://x","y") <script>alert(1)</script>')
    # a later joiner's sync waits for every commit (P21): then all is on disk
    async with PyClient.connect(server.ws, board.id, board.tokens["viewer"]) as v:
        await v.wait_for(lambda: len(v.notes) == 7)


async def get(server: LiveServer, path: str, board: Board, role: Role = "viewer") -> httpx.Response:
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.get(f"{server.http}{path}", headers=auth(board, role))


async def post(server: LiveServer, path: str, board: Board | None, **kwargs: Any) -> httpx.Response:
    headers = auth(board) if board is not None else {}
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.post(f"{server.http}{path}", headers=headers, **kwargs)


async def test_p80_every_export_format_over_rest(shared_server: LiveServer) -> None:
    board = shared_server.create_board(title="Smart City Köln")
    await fill(shared_server, board)
    base = f"/api/boards/{board.id}/export"
    md = await get(shared_server, f"{base}.md", board)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"]
    assert "Grüße aus Köln" in md.text and "مشاركة المواطنين" in md.text
    assert "<script>" not in md.text
    table = list(csv.reader(io.StringIO((await get(shared_server, f"{base}.csv", board)).text)))
    cells = [cell for row in table[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any("HYPERLINK" in cell for cell in cells)
    data = (await get(shared_server, f"{base}.json", board)).json()
    assert data["format"] == "cocanvas-board" and len(data["notes"]) == 7
    pdf = await get(shared_server, f"{base}.pdf", board)
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    svg = await get(shared_server, f"{base}.svg", board)
    root = ElementTree.fromstring(svg.content)
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert b"<script>" not in svg.content
    for fmt in ("png", "a3.png"):
        png = await get(shared_server, f"{base}.{fmt}", board)
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    ics = (await get(shared_server, f"{base}.ics", board)).text
    assert ics.startswith("BEGIN:VCALENDAR") and "Förderantrag" in ics
    missing = await get(shared_server, f"{base}.docx", board)
    assert missing.status_code == 404 and "unknown export format" in missing.json()["error"]
    anon = await get(shared_server, f"{base}.md?anonymize=1&locale=en", board)
    assert anon.status_code == 200


async def test_p81_restore_in_place_converges_everyone_and_can_be_undone(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    token = board.tokens["participant"]
    async with (
        PyClient.connect(shared_server.ws, board.id, token) as a,
        PyClient.connect(shared_server.ws, board.id, token) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        await a.add_note("early", "A1", "vor dem Stand")
        await b.wait_for(lambda: "early" in b.notes)
        snap = await post(
            shared_server, f"/api/boards/{board.id}/snapshots", board, json={"label": "Ende Teil A"}
        )
        sid = snap.json()["sid"]
        await a.add_note("late", "B1", "danach")
        await a.insert_text("early", 0, "geändert: ")
        await b.wait_for(lambda: "late" in b.notes)
        diff = (
            await get(shared_server, f"/api/boards/{board.id}/compare?from={sid}", board)
        ).json()
        assert [n["id"] for n in diff["added"]] == ["late"]
        assert [c["id"] for c in diff["changed"]] == ["early"] and diff["changed"][0]["keys"] == [
            "text"
        ]
        now_view = b.view()["notes"]
        restored = await post(
            shared_server, f"/api/boards/{board.id}/snapshots/{sid}/restore", board, json={}
        )
        assert restored.status_code == 200, restored.text
        for c in (a, b):
            await c.wait_for(functools.partial(lambda c: set(c.notes.keys()) == {"early"}, c))
            assert c.view()["notes"]["early"]["text"] == "vor dem Stand"
        log = b.view()["control"]["log"]
        assert log[-1]["op"] == "snapshot.restore"
        undo = await post(
            shared_server,
            f"/api/boards/{board.id}/snapshots/{restored.json()['before']}/restore",
            board,
            json={},
        )
        assert undo.status_code == 200
        await a.wait_for(lambda: a.view()["notes"] == now_view)
        await b.wait_for(lambda: b.view()["notes"] == now_view)
        copy = await post(
            shared_server,
            f"/api/boards/{board.id}/snapshots/{sid}/restore",
            board,
            json={"mode": "copy", "title": "Kopie"},
        )
        assert copy.status_code == 201
        new = copy.json()
    async with PyClient.connect(shared_server.ws, new["id"], new["tokens"]["viewer"]) as v:
        await v.synced.wait()
        assert set(v.notes.keys()) == {"early"} and v.view()["meta"]["title"] == "Kopie"


async def test_p82_archive_round_trip_gives_an_identical_board_with_snapshots(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board(title="Archiv")
    await fill(shared_server, board)
    for label in ("eins", "zwei"):
        await post(shared_server, f"/api/boards/{board.id}/snapshots", board, json={"label": label})
    archive = await get(shared_server, f"/api/boards/{board.id}/export.cocanvas", board)
    assert archive.status_code == 200
    imported = await post(shared_server, "/api/boards/import", None, content=archive.content)
    assert imported.status_code == 201, imported.text
    new = imported.json()
    async with (
        PyClient.connect(shared_server.ws, board.id, board.tokens["viewer"]) as old,
        PyClient.connect(shared_server.ws, new["id"], new["tokens"]["viewer"]) as copy,
    ):
        await old.synced.wait()
        await copy.synced.wait()
        assert json.dumps(old.view(), sort_keys=True) == json.dumps(copy.view(), sort_keys=True)
    before = (await get(shared_server, f"/api/boards/{board.id}/snapshots", board)).json()
    after = (
        await get(
            shared_server,
            f"/api/boards/{new['id']}/snapshots",
            Board(new["id"], new["tokens"], new["links"]),
        )
    ).json()
    assert [(s["sid"], s["label"], s["notes"]) for s in before["snapshots"]] == [
        (s["sid"], s["label"], s["notes"]) for s in after["snapshots"]
    ]
    bad = await post(shared_server, "/api/boards/import", None, content=b"not an archive")
    assert bad.status_code == 400 and "msgpack" in bad.json()["error"]


async def test_p80_export_of_a_snapshot_shows_the_board_as_it_was(
    shared_server: LiveServer,
) -> None:
    board = shared_server.create_board()
    await fill(shared_server, board)
    sid = (
        await post(
            shared_server, f"/api/boards/{board.id}/snapshots", board, json={"label": "Stand 1"}
        )
    ).json()["sid"]
    async with PyClient.connect(shared_server.ws, board.id, board.tokens["participant"]) as p:
        await p.synced.wait()
        await p.add_note("later", "A4", "NACHHER-NOTIZ")
        await p.request("clock")
    then = await get(shared_server, f"/api/boards/{board.id}/export.md?snapshot={sid}", board)
    assert "NACHHER-NOTIZ" not in then.text and "Stand 1" in then.text
    now = await get(shared_server, f"/api/boards/{board.id}/export.md", board)
    assert "NACHHER-NOTIZ" in now.text
    nope = await get(shared_server, f"/api/boards/{board.id}/export.md?snapshot=nope", board)
    assert nope.status_code == 404


async def test_p83_cli_export_and_import(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server()
    board = server.create_board(title="CLI Board")
    await fill(server, board)
    data = str(server.data_dir)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", *args, "--data", data],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    out = tmp_path / "protokoll.md"
    done = cli("export", board.id, "--format", "md", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Repair-Café" in out.read_text(encoding="utf-8")
    archive = tmp_path / "board.cocanvas"
    assert cli("export", board.id, "--format", "cocanvas", "-o", str(archive)).returncode == 0
    imported = cli("import", str(archive), "--title", "Wieder da")
    assert imported.returncode == 0, imported.stderr
    assert "Wieder da" in imported.stdout and "#k=" in imported.stdout
    wrong = cli("export", "nosuchboard", "--format", "md")
    assert wrong.returncode == 2 and "no board" in wrong.stderr
    bad = cli("export", board.id, "--format", "docx")
    assert bad.returncode == 2 and "unknown format" in bad.stderr
