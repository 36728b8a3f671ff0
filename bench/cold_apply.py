"""pycrdt's `apply_update` of one keystroke, warm and with the CPU caches emptied first.

A live server applies a keystroke every few milliseconds; in between, its sends, the
kernel and the other processes on the machine push the code and data of the apply out of
the caches. This measures the same apply both ways: in a tight loop (warm), and after a
read of `--mb` megabytes before each update (cold, the read itself not timed).

    .venv/bin/python bench/cold_apply.py --updates 1000 --mb 32
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from pycrdt import Doc, Map, Text, TransactionEvent


def keystrokes(count: int) -> tuple[bytes, list[bytes]]:
    """A board with one note, and `count` one-character inserts into its text."""
    doc: Doc[Any] = Doc()
    notes = doc.get("notes", type=Map)
    with doc.transaction():
        note: Map[Any] = Map()
        notes["n1"] = note
        note["text"] = Text("")
    start = doc.get_update()
    updates: list[bytes] = []

    def keep(event: TransactionEvent) -> None:
        updates.append(event.update)

    subscription = doc.observe(keep)
    text = notes["n1"]["text"]
    for i in range(count):
        text.insert(i % 50, "x")
    doc.unobserve(subscription)
    return start, updates


def applied_us(start: bytes, updates: list[bytes], flush: bytes | None) -> float:
    """Thread CPU of each apply (µs, median), on a fresh copy of the board."""
    doc: Doc[Any] = Doc()
    doc.apply_update(start)
    times: list[int] = []
    for update in updates:
        if flush is not None:
            flush.count(b"x")  # reads every byte: the caches hold this buffer, not the doc
        began = time.thread_time_ns()
        doc.apply_update(update)
        times.append(time.thread_time_ns() - began)
    return statistics.median(times) / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--mb", type=int, default=32, help="bytes read before each cold apply")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    start, updates = keystrokes(args.updates)
    flush = bytes(args.mb << 20)
    for r in range(args.rounds):
        warm = applied_us(start, updates, None)
        cold = applied_us(start, updates, flush)
        print(f"round {r + 1}: warm {warm:.1f} µs, cold {cold:.1f} µs per apply_update")


if __name__ == "__main__":
    main()
