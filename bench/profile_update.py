"""One keystroke update end to end in a real Room over in-memory channels: how many pycrdt
transactions the server opens per update (and where, with --where), the thread CPU of
`apply_client_update` per update, and with --profile a cProfile of that function only
(the profiler adds its own cost: compare runs made the same way). With --thrash MB, a
copy of that many megabytes runs before each keystroke: the CPU caches then hold none
of the judge's code and data, as in the live server, where sends and the other
processes on the machine run between two keystrokes.

    PYTHONPATH=. .venv/bin/python bench/profile_update.py --updates 300 --readers 2 --where
    PYTHONPATH=. .venv/bin/python bench/profile_update.py --updates 300 --thrash 32
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from pycrdt import Transaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.sync.judge import JudgedDoc
from tests.support.pyclient import PyClient
from tests.support.roomkit import running_room

PER_NOTE = 150


def _longer(client: PyClient, note_id: str, length: int) -> Callable[[], bool]:
    return lambda: len(str(client.notes[note_id]["text"])) > length


def _where() -> str:
    """The innermost server frame that opened a transaction."""
    for frame in reversed(traceback.extract_stack(limit=12)[:-2]):
        if "/server/" in frame.filename:
            return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return "outside the server"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with running_room(Path(tmp)) as kit:
            server_doc = kit.room.doc
            async with contextlib.AsyncExitStack() as stack:
                writer = await stack.enter_async_context(kit.join())
                readers = [await stack.enter_async_context(kit.join()) for _ in range(args.readers)]
                # a note holds at most 200 characters in the kit's rules: 150 keystrokes each
                notes = [f"n{k}" for k in range((args.updates + PER_NOTE - 1) // PER_NOTE)]
                for note_id in notes:
                    await writer.add_note(note_id, "A1", "")
                last = readers[-1] if readers else writer
                await last.wait_for(lambda: all(n in last.notes for n in notes))
                counts: Counter[str] = Counter()
                opened = 0
                enter = Transaction.__enter__

                def counting(self: Transaction, *a: Any) -> Any:
                    nonlocal opened
                    if self._doc is kit.room.doc and self._txn is None:
                        opened += 1
                        if args.where:
                            counts[_where()] += 1
                    return enter(self, *a)

                judged = 0.0
                # only the server's judging of each update, not the clients or the loop
                profiler = cProfile.Profile() if args.profile else None
                apply = JudgedDoc.apply_client_update

                def timed(self: JudgedDoc, conn: Any, update: bytes) -> Any:
                    nonlocal judged
                    started = time.thread_time()
                    if profiler:
                        profiler.enable()
                    try:
                        return apply(self, conn, update)
                    finally:
                        if profiler:
                            profiler.disable()
                        judged += time.thread_time() - started

                Transaction.__enter__ = counting  # type: ignore[method-assign]
                JudgedDoc.apply_client_update = timed  # type: ignore[method-assign]
                source = bytes(args.thrash << 20)
                target = bytearray(len(source))
                started = time.process_time()
                for i in range(args.updates):
                    note_id, at = notes[i // PER_NOTE], i % PER_NOTE
                    if source:
                        target[:] = source  # out of the caches: what the live server meets
                    await writer.insert_text(note_id, at, "x")
                    await last.wait_for(_longer(last, note_id, at))
                cpu = time.process_time() - started
                Transaction.__enter__ = enter  # type: ignore[method-assign]
                JudgedDoc.apply_client_update = apply  # type: ignore[method-assign]
                assert kit.room.doc is server_doc, "the room reloaded its document"
                print(f"server transactions per update: {opened / args.updates:.1f}")
                for where, count in counts.most_common(20):
                    print(f"  {count / args.updates:5.1f}  {where}")
                print(f"apply_client_update CPU per update: {judged / args.updates * 1e6:.0f} µs")
                print(
                    f"process CPU per update (clients included): {cpu / args.updates * 1e6:.0f} µs"
                )
                if profiler:
                    stats = pstats.Stats(profiler).sort_stats("tottime")
                    stats.print_stats(25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--where", action="store_true", help="count transactions by call site")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument(
        "--thrash", type=int, default=0, metavar="MB", help="copy MB megabytes before each update"
    )
    anyio.run(main, parser.parse_args())
