"""Fuzzing the update pre-check against pycrdt's own encoder and against mutated bytes.

The normal run is seeded and bounded (a few seconds); `make fuzz` raises the counts through
COCANVAS_FUZZ_EXAMPLES and COCANVAS_FUZZ_MUTANTS.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pycrdt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, merge_updates

from server.sync.document import initial_update, load_doc
from server.sync.precheck import ARCHIVE, CLIENT, TypeIndex, UpdateRefusedError, check_update
from tests.support.hostile import read_state_vector
from tests.support.live import ROOT

EXAMPLES = int(os.environ.get("COCANVAS_FUZZ_EXAMPLES", "40"))
MUTANTS = int(os.environ.get("COCANVAS_FUZZ_MUTANTS", "1500"))
SEED = int(os.environ.get("COCANVAS_FUZZ_SEED", "20261201"))

# plain values of every kind pycrdt writes as lib0 Any, nested well inside the limit
leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.binary(max_size=6)
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(["a", "b", "text", "x", "ü", "🌳"])
texts = st.text(alphabet=st.sampled_from("aé🌳 \n𝄞z"), max_size=8)

# one edit: (client, action, note, key, value or text, position)
edits = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(["note", "set", "text", "insert", "delete", "del_note", "nested"]),
        st.sampled_from(["n1", "n2", "n3"]),
        keys,
        values,
        texts,
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=12,
)


def run_edit(doc: Doc[Any], edit: tuple[Any, ...]) -> None:
    _, action, nid, key, value, text, pos = edit
    notes = doc.get("notes", type=Map)
    note = notes.get(nid)
    if action == "note" or not isinstance(note, Map):
        notes[nid] = Map({"field": "A1", "text": Text(text), "x": 0.5})
        return
    if action == "set":
        note[key] = value
    elif action == "text":
        note[key] = Text(text)
    elif action == "nested":
        note[key] = Map({"inner": Text(text), "v": value})
    elif action == "del_note":
        del notes[nid]
    else:
        current = note.get("text")
        if isinstance(current, Text):
            size = len(current)
            if action == "insert":
                current.insert(size if pos > size // 2 else 0, text or "x")
            elif size and str(current).isascii():  # pycrdt's indices are not characters
                start = min(pos, size - 1)
                del current[start : min(size, start + 3)]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(edits)
def test_p110_every_update_pycrdt_writes_for_a_board_is_accepted(
    steps: list[tuple[Any, ...]],
) -> None:
    base = initial_update({"title": "T"}, {"log": Array([{"op": "x"}])})
    server = load_doc(base, [])
    index = TypeIndex.from_state(server.get_update())
    clients: list[Doc[Any]] = []
    for i in range(3):
        peer: Doc[Any] = Doc(client_id=1000 + i)
        peer.apply_update(server.get_update())
        clients.append(peer)
    written: list[bytes] = []
    for step in steps:
        peer = clients[step[0]]
        before = server.get_state()
        with peer.transaction():
            run_edit(peer, step)
        update = peer.get_update(before)
        written.append(update)
        parsed = check_update(update, CLIENT, index)
        assert max(parsed.depths, default=0) <= CLIENT.max_type_depth
        server.apply_update(update)
        index.record(update)
        for other in clients:
            other.apply_update(update)
    state = server.get_update()
    ends = check_update(state, ARCHIVE).end_clocks
    assert ends == read_state_vector(pycrdt.get_state(state))
    check_update(merge_updates(base, *written), ARCHIVE)


# ---- mutation fuzz -------------------------------------------------------------------


def corpus() -> tuple[bytes, list[bytes]]:
    """A board state and updates a client could send on top of it."""
    base_doc = load_doc(initial_update({"title": "T", "groups": ["a", "b"]}), [])
    base = base_doc.get_update()
    peer: Doc[Any] = Doc(client_id=4242)
    peer.apply_update(base)
    out: list[bytes] = []
    peer.observe(lambda event: out.append(event.update))
    notes = peer.get("notes", type=Map)
    with peer.transaction():
        notes["n1"] = Map({"field": "A1", "text": Text("Grüne Höfe 🌳"), "x": 0.5, "y": 0.25})
    with peer.transaction():
        notes["n1"]["text"].insert(3, "xyz")
        notes["n1"]["color"] = "yellow"
    with peer.transaction():
        notes["n2"] = Map({"field": "B4", "kind": "partner", "resources": Text("Räume")})
        notes["n1"]["x"] = {"a": [1, 2.5, None, True, "s", 2**60]}
    with peer.transaction():
        del notes["n1"]["text"][0:4]
        del notes["n2"]
    out.append(peer.get_update(base_doc.get_state()))
    return base, out


class Worker:
    """The child process that applies accepted mutants; restarted after a crash."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def run(self, base: bytes, update: bytes) -> str:
        if self.proc is None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.support.apply_worker"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{base.hex() or '-'} {update.hex()}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            code = self.close()
            return f"crash (exit {code})"
        return answer

    def close(self) -> int | None:
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it crashed
        proc.stdout.close()
        return proc.wait(10)


@pytest.fixture
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.close()


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(5)
        pos = rng.randrange(len(out)) if out else 0
        if kind == 0 and out:
            out[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[pos] = rng.choice(
                [0, 1, 0x7F, 0x80, 0xFF, 0x75, 0x76, 0x27, 0x28, rng.randrange(256)]
            )
        elif kind == 2:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        elif kind == 3 and out:
            del out[pos : pos + rng.randint(1, 4)]
        else:
            del out[rng.randrange(len(out) + 1) :]
    return bytes(out)


def test_p110_mutated_updates_are_refused_or_apply_cleanly(worker: Worker) -> None:
    rng = random.Random(SEED)
    base, updates = corpus()
    index = TypeIndex.from_state(load_doc(base, []).get_update())
    accepted = 0
    gaps: list[str] = []
    for _ in range(MUTANTS):
        original = rng.choice(updates)
        mutant = mutate(rng, original)
        try:
            check_update(mutant, CLIENT, index)
        except UpdateRefusedError:
            continue
        accepted += 1
        answer = worker.run(base, mutant)
        if answer != "ok":
            gaps.append(f"{answer}: {mutant.hex()}")
    assert not gaps, "\n".join(gaps[:5])
    assert accepted > MUTANTS // 50  # the mutations do not only produce garbage


def test_p110_mutated_archive_states_are_refused_or_apply_cleanly(worker: Worker) -> None:
    rng = random.Random(SEED + 1)
    base, updates = corpus()
    doc = load_doc(base, updates)
    states = [doc.get_update(), base]
    gaps: list[str] = []
    for _ in range(MUTANTS // 3):
        mutant = mutate(rng, rng.choice(states))
        try:
            check_update(mutant, ARCHIVE)
        except UpdateRefusedError:
            continue
        answer = worker.run(b"", mutant)
        if answer != "ok":
            gaps.append(f"{answer}: {mutant.hex()}")
    assert not gaps, "\n".join(gaps[:5])
