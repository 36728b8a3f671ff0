"""A damaged, emptied or read-only data directory stops the start with one clear sentence
(P224), instead of serving an empty server or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.test_cli import cocanvas
from tests.support.live import LiveServer


def board_in(data: Path) -> str:
    created = cocanvas("new", "--title", "Quartier Nord", "--data", str(data))
    assert created.returncode == 0, created.stderr
    return created.stdout.split()[1]


def assert_refused(data: Path, *words: str) -> str:
    done = cocanvas("serve", "--data", str(data), "--port", "0", timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message  # one sentence, no traceback
    assert str(data / "cocanvas.db") in message
    for word in words:
        assert word in message
    return message


def test_p224_emptied_database_refuses_to_start_unless_allowed(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    data = tmp_path / "data"
    board_in(data)
    for name in ("cocanvas.db-wal", "cocanvas.db-shm"):
        (data / name).unlink(missing_ok=True)
    (data / "cocanvas.db").write_bytes(b"")  # what a bad copy or a full disk leaves
    assert_refused(data, "--allow-empty", "backup")
    server = start_server(data_dir=data, COCANVAS_ALLOW_EMPTY="1")
    assert server.proc is not None and server.proc.poll() is None


def wal_with_commits(data: Path, commits: int) -> Path:
    """Leave `commits` committed transactions in the WAL, as a killed server would."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "for i in range(int(sys.argv[2])):\n"
        "    c.execute('UPDATE boards SET title = ?', ('Titel %d ' % i * 50,))\n"
        "os._exit(0)\n"
    )
    db = data / "cocanvas.db"
    subprocess.run([sys.executable, "-c", code, str(db), str(commits)], check=True)
    wal = data / "cocanvas.db-wal"
    assert wal.stat().st_size > 4096 * commits
    return wal


def damage_frame(wal: Path, index: int) -> None:
    raw = bytearray(wal.read_bytes())
    page_size = int.from_bytes(raw[8:12], "big")
    at = 32 + index * (24 + page_size) + 24 + 100  # inside the frame's page
    raw[at] ^= 0xFF
    wal.write_bytes(bytes(raw))


def test_p224_damaged_wal_with_later_commits_stops_the_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    board_in(data)
    wal = wal_with_commits(data, 12)
    damage_frame(wal, 1)  # 48 of 60 notes: what SQLite would serve without a word
    message = assert_refused(data, "damaged", "backup")
    assert "cocanvas.db-wal" in message


def test_p224_torn_last_commit_in_the_wal_is_only_a_warning(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    data = tmp_path / "data"
    board_in(data)
    wal = wal_with_commits(data, 3)
    frames = (wal.stat().st_size - 32) // (24 + 4096)
    damage_frame(wal, frames - 1)
    server = start_server(data_dir=data)
    assert "torn" in server.log()


def test_p224_damaged_database_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    board_in(data)
    db = data / "cocanvas.db"
    raw = bytearray(db.read_bytes())
    raw[100:4000] = os.urandom(3900)  # the first pages: schema and tables
    db.write_bytes(bytes(raw))
    assert_refused(data, "backup")


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A data directory whose database file alone is read-only (a read-only bind mount:
    root ignores permission bits, so chmod would not do)."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the read-only test bind-mounts a file and must run as root in CI")
        pytest.skip("bind mounts need root")
    data = tmp_path / "data"
    board_in(data)
    db = str(data / "cocanvas.db")
    subprocess.run(["mount", "--bind", db, db], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", db], check=True)
        yield data
    finally:
        subprocess.run(["umount", "-l", db], check=False)


def test_p224_read_only_database_is_a_clear_error(read_only_db: Path) -> None:
    assert_refused(read_only_db, "not writable")
