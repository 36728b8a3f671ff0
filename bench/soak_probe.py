"""`cocanvas serve` with a thread that writes the server's memory accounts every 5 s.

Run by `soak.py --probe FILE`: one JSON line per sample in FILE, from inside the process:
glibc's `mallinfo2` (bytes taken from the system by malloc's arenas, in use, free, in big
mmapped blocks), CPython's small-object arenas and the bytes in their blocks
(`sys._debugmallocstats`), SQLite's memory in use (`sqlite3_status64`), and resident KB
by kind of mapping. Samples fall at any moment, boards loaded or not. Linux and glibc only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import sqlite3  # noqa: F401  (loads the SQLite library the server uses)
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SQLITE_STATUS_MEMORY_USED = 0


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


_libc = ctypes.CDLL(ctypes.util.find_library("c"))
_libc.mallinfo2.restype = MallInfo2
_sqlite = ctypes.CDLL("libsqlite3.so.0")
_int64_p = ctypes.POINTER(ctypes.c_int64)
_sqlite.sqlite3_status64.argtypes = [ctypes.c_int, _int64_p, _int64_p, ctypes.c_int]


def sqlite_bytes() -> int:
    current, highest = ctypes.c_int64(), ctypes.c_int64()
    _sqlite.sqlite3_status64(
        SQLITE_STATUS_MEMORY_USED, ctypes.byref(current), ctypes.byref(highest), 0
    )
    return current.value


def pymalloc() -> dict[str, int]:
    """Arenas and bytes in blocks; _debugmallocstats writes to C's stderr, so fd 2 is
    pointed at a file for the moment."""
    fd, path = tempfile.mkstemp()
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)
    text = Path(path).read_text(errors="replace")
    os.unlink(path)
    found = {}
    for line in text.splitlines():
        if line.startswith("# arenas allocated current"):
            found["py_arenas"] = int(line.split("=")[1].replace(",", ""))
        elif line.startswith("# bytes in allocated blocks"):
            found["py_bytes"] = int(line.split("=")[1].replace(",", ""))
    return found


def resident_kb() -> dict[str, int]:
    parts = {"heap": 0, "anon": 0, "file": 0}
    kind = "file"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].endswith(":"):
            name = fields[5] if len(fields) > 5 else ""
            kind = "heap" if name == "[heap]" else "anon" if not name else "file"
        elif fields and fields[0] == "Rss:":
            parts[kind] += int(fields[1])
    return parts


def sample(start: float) -> dict[str, Any]:
    m = _libc.mallinfo2()
    return {
        "t": round(time.monotonic() - start, 1),
        **resident_kb(),
        "malloc_system": m.arena,
        "malloc_mmapped": m.hblkhd,
        "malloc_used": m.uordblks,
        "malloc_free": m.fordblks,
        "sqlite": sqlite_bytes(),
        **pymalloc(),
    }


def probe(out: Path) -> None:
    start = time.monotonic()
    with out.open("a") as f:
        while True:
            time.sleep(5)
            f.write(json.dumps(sample(start)) + "\n")
            f.flush()


def main() -> int:
    threading.Thread(
        target=probe, args=(Path(os.environ["COCANVAS_PROBE_OUT"]),), daemon=True
    ).start()
    from server.cli import main as cli_main

    sys.argv[0] = "cocanvas"
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
