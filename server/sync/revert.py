"""Reverting a refused client update so that none of its bytes stay (PROTOCOL.md P120).

Why not just `UndoManager.undo()`: the undo deletes what the refused update inserted, and
the manager then marks those items *kept* (its redo could bring them back); yrs collects
deleted content only when the deleting transaction ends, so a kept item is never collected
and a refused 1 MB note stays in the document, its snapshots and archives for good.

What this module does instead, all with pycrdt's own encoder (the bytes read here are
pycrdt's output, never a client's):
- `delete_ranges()` builds a delete-only update for the id ranges the refused update added;
  applied in a transaction the undo manager does not track, it removes them (in every root,
  also a new one) and they are collected at once, leaving only their ids.
- The undo then only restores what the refused update deleted. Those deleted originals were
  kept by the manager; when there are any, `rebuilt()` loads the document into a fresh one,
  which collects them.
- `structs_since()` gives the collected structs to send, without the whole document's
  delete set that `get_update()` always appends.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .codec import Decoder, write_var_uint
from .precheck import RECORD, parse_update

EMPTY_DELETE_SET = b"\x00"


def read_state_vector(state: bytes) -> dict[int, int]:
    """client id -> next clock, from pycrdt's `get_state()` encoding."""
    dec = Decoder(state)
    out: dict[int, int] = {}
    for _ in range(dec.read_var_uint()):
        client = dec.read_var_uint()
        out[client] = dec.read_var_uint()
    return out


def state_before(after: bytes, integrated: list[bytes]) -> bytes:
    """The state vector a document had before a transaction, from the one it has after
    it and the updates the transaction integrated (pycrdt's encoding of what it added,
    from the transaction's observer): each client's structs there start at the clock that
    client had before. Reading it back this way spares a `get_state()` on every update
    that nothing refuses."""
    clocks = read_state_vector(after)
    for update in integrated:
        for client, clock in parse_update(update, RECORD).start_clocks.items():
            if clock < clocks.get(client, clock + 1):
                clocks[client] = clock
    out = bytearray(write_var_uint(len(clocks)))
    for client, clock in clocks.items():
        out += write_var_uint(client) + write_var_uint(clock)
    return bytes(out)


def added_ranges(before: bytes, after: bytes) -> dict[int, tuple[int, int]]:
    """client id -> (first clock, length) of everything integrated between two states."""
    old = read_state_vector(before)
    out: dict[int, tuple[int, int]] = {}
    for client, clock in read_state_vector(after).items():
        start = old.get(client, 0)
        if clock > start:
            out[client] = (start, clock - start)
    return out


def delete_ranges(ranges: dict[int, tuple[int, int]]) -> bytes:
    """A v1 update with no structs whose delete set covers `ranges`."""
    out = bytearray(b"\x00")  # no struct sections
    out += write_var_uint(len(ranges))
    for client, (clock, length) in sorted(ranges.items()):
        out += write_var_uint(client) + write_var_uint(1)
        out += write_var_uint(clock) + write_var_uint(length)
    return bytes(out)


def structs_since(doc: Doc[Any], state: bytes) -> bytes:
    """The structs `doc` holds beyond `state`, as an update with an empty delete set.

    `get_update(state)` is the struct sections followed by the whole document's delete
    set; `get_update(get_state())` is an empty struct section (one zero byte) followed by
    the same delete set, so that tail is cut off. Should the tails ever differ, the whole
    update is returned: larger, still correct.
    """
    full = doc.get_update(state)
    tail = doc.get_update(doc.get_state())[1:]
    if full.endswith(tail):
        return full[: len(full) - len(tail)] + EMPTY_DELETE_SET
    return full


def rebuilt(doc: Doc[Any]) -> Doc[Any]:
    """A fresh copy of `doc` (same client id), with deleted content garbage-collected."""
    fresh: Doc[Any] = Doc(client_id=doc.client_id)
    with fresh.transaction(origin="load"):
        fresh.apply_update(doc.get_update())
    return fresh
