"""The `cocanvas` command: the newcomer's path and clear errors with a non-zero exit."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.live import ROOT, LiveServer
from tests.support.pyclient import PyClient


def cocanvas(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_help_explains_every_command() -> None:
    done = cocanvas("--help")
    assert done.returncode == 0
    for command in ("serve", "new", "boards", "snapshot", "export", "import", "backup", "restore"):
        assert command in done.stdout
    assert "cocanvas new --title" in done.stdout
    serve = cocanvas("serve", "--help")
    assert "--port" in serve.stdout and "--data" in serve.stdout


@pytest.mark.anyio
async def test_newcomer_path_new_board_links_work_and_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    created = cocanvas("new", "--title", "Smart City Ulm", "--data", str(data))
    assert created.returncode == 0, created.stderr
    found = re.findall(r"^(moderator|participant|viewer|projector):\s+(\S+)$", created.stdout, re.M)
    links = dict(found)
    assert set(links) == {"moderator", "participant", "viewer", "projector"}
    board_id = links["viewer"].split("/b/")[1].split("#")[0]
    tokens = {role: link.split("#k=")[1] for role, link in links.items()}
    listed = cocanvas("boards", "--data", str(data))
    assert board_id in listed.stdout and "Smart City Ulm" in listed.stdout

    server = LiveServer(data).start()
    try:
        async with (
            PyClient.connect(server.ws, board_id, tokens["participant"]) as a,
            PyClient.connect(server.ws, board_id, tokens["participant"]) as b,
            PyClient.connect(server.ws, board_id, tokens["viewer"]) as v,
            PyClient.connect(server.ws, board_id, tokens["projector"]) as pr,
        ):
            for c in (a, b, v, pr):
                await c.synced.wait()
            # P142: the projector link shows the join code, the viewer link does not
            assert "join_code" in (await pr.request("hello"))
            assert "join_code" not in (await v.request("hello"))
            await a.add_note("n", "A1", "Hallo")
            await b.wait_for(lambda: "n" in b.notes)
            await v.add_note("v", "A1", "darf nicht")
            await v.wait_for(lambda: v.denied)
        snap = cocanvas("snapshot", board_id, "--label", "nach Teil A", "--data", str(data))
        assert snap.returncode == 0 and "1 notes" in snap.stdout
        server.stop()
        server.start()
        async with PyClient.connect(server.ws, board_id, tokens["viewer"]) as later:
            await later.synced.wait()
            assert set(later.notes.keys()) == {"n"}
    finally:
        server.stop()


def test_unknown_canvas_is_a_clear_error(tmp_path: Path) -> None:
    done = cocanvas("new", "--canvas", "nope", "--title", "T", "--data", str(tmp_path))
    assert done.returncode == 2
    assert "unknown canvas 'nope'" in done.stderr and "ko-kreation" in done.stderr


def test_bad_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = cocanvas("serve", "--data", str(blocker / "data"), "--port", "0")
    assert done.returncode == 2 and "cannot use data directory" in done.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = cocanvas("serve", "--port", str(port), "--data", str(tmp_path))
    assert done.returncode == 2 and "already in use" in done.stderr


def test_bad_environment_setting_is_named(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "boards", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COCANVAS_LIMIT_MAX_NOTE_CHARS": "many", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 2 and "COCANVAS_LIMIT_MAX_NOTE_CHARS" in done.stderr


def test_snapshot_of_unknown_board(tmp_path: Path) -> None:
    cocanvas("new", "--title", "x", "--data", str(tmp_path))
    done = cocanvas("snapshot", "nosuchboard", "--data", str(tmp_path))
    assert done.returncode == 2 and "no board 'nosuchboard'" in done.stderr
