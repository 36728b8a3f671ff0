"""A node's tally for the live counters (PROTOCOL.md P293): relayed between nodes, read
only within its bounds."""

from __future__ import annotations

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.moderation.tally import MAX_TALLY_IDS, Tally, read_tally


def test_p293_a_tally_goes_over_the_relay_and_back_unchanged() -> None:
    tally = Tally({"a", "b"}, {"A1": {"a"}, "B1": {"a", "b"}}, {"b"}, {"A1": {"b"}})
    assert read_tally(tally.encode()) == tally
    assert tally.encode() == Tally({"b", "a"}, tally.written, {"b"}, tally.voted_fields).encode()


def test_p293_tallies_of_two_nodes_count_a_person_on_both_once() -> None:
    here = Tally({"a", "b"}, {"A1": {"a"}})
    there = Tally({"b", "c"}, {"A1": {"c"}, "B1": {"b"}}, {"c"}, {"A1": {"c"}})
    both = here.union(there)
    assert both.present == {"a", "b", "c"}
    assert both.written == {"A1": {"a", "c"}, "B1": {"b"}}
    assert both.voted == {"c"}


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xc1",
        msgpack.packb([1, 2, 3]),
        msgpack.packb({"p": "abc"}),
        msgpack.packb({"p": [1]}),
        msgpack.packb({"p": [""]}),
        msgpack.packb({"x": []}),
        msgpack.packb({"w": {"A1": "a"}}),
        msgpack.packb({"w": {1: ["a"]}}, strict_types=False),
        msgpack.packb({"p": ["a" * 65]}),
        msgpack.packb({"p": ["a"] * (MAX_TALLY_IDS + 1)}),
        msgpack.packb({"p": [b"bytes"]}, use_bin_type=True),
        msgpack.packb({"p": ["a"]}) + b"\x00",
    ],
)
def test_p293_a_relayed_tally_out_of_shape_or_bounds_counts_nobody(payload: bytes) -> None:
    assert read_tally(payload) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_p293_no_relayed_bytes_make_the_reader_raise(payload: bytes) -> None:
    result = read_tally(payload)
    assert result is None or isinstance(result, Tally)
