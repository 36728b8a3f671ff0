"""An export worker process: `python -m server.export_worker PARENT_PID`.

Reads render jobs from stdin and writes results to stdout, one at a time (framing in
`server.export_pool`). It dies with the server: on Linux the kernel sends it SIGKILL when
its parent goes (PR_SET_PDEATHSIG); everywhere a watchdog thread exits once the parent pid
is gone, so a killed server never leaves workers behind (PROTOCOL.md P186).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import pickle
import signal
import struct
import sys
import threading
import time
from typing import BinaryIO

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0
LENGTH = struct.Struct(">Q")


def die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when the parent dies, and watch the parent pid too."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # the parent may have died before prctl took effect: then we are already an orphan
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def warm_up() -> None:
    """Load the PDF engine before saying ready: the time limit is for rendering only."""
    with contextlib.suppress(ImportError):  # a PDF render then reports what is missing
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    # imported here so the ready byte means "renderers are loaded"
    from .export_job import run_job

    warm_up()
    out.write(b"R")
    out.flush()
    while (header := read_exactly(inp, LENGTH.size)) is not None:
        body = read_exactly(inp, LENGTH.unpack(header)[0])
        if body is None:
            break
        job = pickle.loads(body)  # from our own server process, never from a client
        try:
            status, payload = b"O", run_job(job)
        except Exception as exc:  # reported to the server, which logs it and answers 500
            status, payload = b"E", f"{type(exc).__name__}: {exc}".encode()
        out.write(status + LENGTH.pack(len(payload)) + payload)
        out.flush()


def main(argv: list[str]) -> int:
    die_with_parent(int(argv[1]))
    os.nice(10)  # live boards get the CPU first
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print in a library must not corrupt the result stream
    serve(sys.stdin.buffer, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
