"""Cost of the update pre-check (PROTOCOL.md P100-P112): time per KB, index memory.

.venv/bin/python bench/precheck_bench.py
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, Text

from server.sync.document import initial_update, load_doc
from server.sync.precheck import (
    ARCHIVE,
    CLIENT,
    MAX_CLIENT_WORK,
    TypeIndex,
    UpdateRefusedError,
    check_client_update,
    check_update,
)
from tests.support import hostile as h


def per_call(fn: Callable[[], object], min_seconds: float = 0.5) -> float:
    """Best-of-5 mean seconds per call."""
    best = float("inf")
    for _ in range(5):
        n = 0
        start = time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed > min_seconds / 5:
                break
        best = min(best, elapsed / n)
    return best


def board(notes: int, chars: int) -> Doc[Any]:
    doc = load_doc(initial_update({"title": "Bench", "canvas": "ko-kreation"}), [])
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    root = peer.get("notes", type=Map)
    for i in range(notes):
        with peer.transaction():
            text = ("Gemeinwohl zuerst, Grüne Höfe 🌳 " * 20)[:chars]
            root[f"note-{i:05d}"] = Map(
                {"field": "A1", "text": Text(text), "x": 0.25, "y": 0.5, "color": "yellow"}
            )
        if i % 3 == 0:
            with peer.transaction():
                root[f"note-{i:05d}"]["text"].insert(0, "edit ")
    doc.apply_update(peer.get_update())
    return doc


def report(name: str, update: bytes, profile: Any, index: TypeIndex | None) -> None:
    outcome = ["accepted"]

    def check() -> None:
        try:
            check_update(update, profile, index)
        except UpdateRefusedError as exc:
            outcome[0] = f"refused {exc.rule}"

    seconds = per_call(check)
    kb = len(update) / 1024
    print(
        f"{name:<44} {len(update):>9,} B {seconds * 1e6:>10,.0f} µs"
        f" {seconds * 1e6 / kb:>7,.1f} µs/KB  {outcome[0]}"
    )


def client_notes(doc: Doc[Any]) -> bytes:
    """2,000 notes with the keys client/src/model/notes.ts sets, in one transaction."""
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    notes = peer.get("notes", type=Map)
    with peer.transaction():
        for j in range(2000):
            notes[f"note-{j:05d}"] = Map(
                {
                    "field": "A1",
                    "text": Text(f"Gemeinwohl zuerst: Grüne Höfe {j}"),
                    "x": j / 2000,
                    "y": 0.5,
                    "color": "yellow",
                    "group": "Gruppe 3",
                    "author": "Ana",
                    "author_id": "a-123456",
                    "created_at": 1.7e12,
                    "updated_at": 1.7e12,
                    "order": 1.7e12 + j,
                    "kind": "note",
                }
            )
    return peer.get_update(doc.get_state())


def keystroke_path(doc: Doc[Any], keystroke: bytes) -> float:
    """Seconds per check + record of one keystroke, as Room does it (lazy index)."""
    index = TypeIndex.lazy(doc.get_state, doc.get_update)

    def both() -> None:
        check_client_update(keystroke, index)
        index.record(keystroke)

    return per_call(both)


def main() -> None:
    doc = load_doc(initial_update({"title": "Bench"}), [])
    index = TypeIndex.from_state(doc.get_update())
    peer: Doc[Any] = Doc()
    peer.apply_update(doc.get_update())
    out: list[bytes] = []
    peer.observe(lambda e: out.append(e.update))
    notes = peer.get("notes", type=Map)
    with peer.transaction():
        notes["n1"] = Map({"field": "A1", "text": Text("Mission: Grüne Höfe"), "x": 0.5, "y": 0.5})
    for u in out:
        doc.apply_update(u)
        index.record(u)
    out.clear()
    with peer.transaction():
        notes["n1"]["text"].insert(3, "a")
    keystroke = out[0]
    out.clear()
    with peer.transaction():
        notes["n2"] = Map({"field": "A2", "text": Text("Noch eine Notiz"), "x": 0.1, "y": 0.9})
    new_note = out[0]
    print(f"{'update':<44} {'size':>11} {'check':>13} {'per KB':>12}")
    report("client: one keystroke", keystroke, CLIENT, index)
    report("client: one new note", new_note, CLIENT, index)
    big = board(2000, 400)
    state = big.get_update()
    report("archive: 2,000-note board state", state, ARCHIVE, None)
    first = load_doc(initial_update({"title": "Bench", "canvas": "ko-kreation"}), [])
    report("client: 2,000 notes in one update", big.get_update(first.get_state()), CLIENT, index)
    values: Doc[Any] = Doc()
    values.apply_update(doc.get_update())
    m = values.get("notes", type=Map)
    with values.transaction():
        for i in range(4000):
            m[f"v{i}"] = {"a": [1, 2.5, "text " * 20, {"b": None, "c": True}]}
    any_heavy = values.get_update(doc.get_state())
    report("client-sized: ~4,000 nested Any values", any_heavy, ARCHIVE, index)
    tiny: Doc[Any] = Doc()
    tiny.apply_update(doc.get_update())
    with tiny.transaction():
        note = tiny.get("notes", type=Map)["n1"]
        for i in range(70_000):
            note[f"k{i}"] = i  # the worst case per byte: one small struct every ~12 bytes
    report("client: 70,000 tiny map entries", tiny.get_update(doc.get_state()), CLIENT, index)
    a = h.ATTACKER  # each deleted item's origin is the next one: the costliest frame found
    chain = [b"\x81" + h.uint(a) + h.uint(i + 1) + b"\x01" for i in range(MAX_CLIENT_WORK - 1)]
    heavy = h.update(chain + [b"\x21\x01" + h.string("notes") + h.string("k") + b"\x01"])
    report(f"client: {MAX_CLIENT_WORK:,} chained items (worst, P112)", heavy, CLIENT, index)
    report("client: 2,000 notes as the client writes them", client_notes(doc), CLIENT, index)
    hot = keystroke_path(doc, keystroke)
    print(f"keystroke: check + record into a lazy index (Room's path): {hot * 1e6:,.1f} µs")
    record = per_call(lambda: TypeIndex.from_state(doc.get_update()).record(new_note))
    print(f"index: build for a 1-note board and record one note: {record * 1e6:,.0f} µs")
    loaded = load_doc(state, [])
    load = per_call(lambda: TypeIndex.lazy(loaded.get_state, loaded.get_update).knows(0, 0))
    print(f"index of the 2,000-note board at room load (state vector): {load * 1e6:,.0f} µs")
    built = per_call(lambda: TypeIndex.lazy(loaded.get_state, loaded.get_update).depth_at(0, 0))
    tracemalloc.start()
    big_index = TypeIndex.from_state(state)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"index of the 2,000-note board, depths built (once, when first needed): "
        f"{big_index.size():,} ranges and type ids, {size / 1024:,.0f} KiB, "
        f"built in {built * 1000:,.0f} ms"
    )


if __name__ == "__main__":
    main()
