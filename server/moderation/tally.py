"""A node's tally for the live counters (P293): which of the participants connected to it
are present, wrote in which field and voted. Nodes relay their tallies to each other; a
relayed tally is read only through `read_tally`, which checks every bound first."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import msgpack

log = logging.getLogger(__name__)

MAX_TALLY_IDS = 2_000  # author ids in one list of a relayed tally
MAX_TALLY_FIELDS = 64  # fields in one map of a relayed tally
MAX_ID_CHARS = 64


@dataclass
class Tally:
    present: set[str] = field(default_factory=set)
    written: dict[str, set[str]] = field(default_factory=dict)  # field -> author ids
    voted: set[str] = field(default_factory=set)
    voted_fields: dict[str, set[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.present

    def union(self, other: Tally) -> Tally:
        return Tally(
            self.present | other.present,
            _union(self.written, other.written),
            self.voted | other.voted,
            _union(self.voted_fields, other.voted_fields),
        )

    def encode(self) -> bytes:
        """The same bytes for the same tally, so an unchanged one is recognised."""
        data = {
            "p": sorted(self.present),
            "w": {f: sorted(a) for f, a in sorted(self.written.items())},
            "v": sorted(self.voted),
            "f": {f: sorted(a) for f, a in sorted(self.voted_fields.items())},
        }
        packed: bytes = msgpack.packb(data, use_bin_type=True)
        return packed


def _union(a: dict[str, set[str]], b: dict[str, set[str]]) -> dict[str, set[str]]:
    out = {k: set(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, set()).update(v)
    return out


def read_tally(payload: bytes) -> Tally | None:
    """The tally in `payload`, or None (logged) when it is not one within the bounds."""
    try:
        data = msgpack.unpackb(
            payload,
            raw=False,
            strict_map_key=True,
            max_str_len=MAX_ID_CHARS,
            max_bin_len=0,
            max_array_len=MAX_TALLY_IDS,
            max_map_len=MAX_TALLY_FIELDS,
            max_ext_len=0,
        )
        if not isinstance(data, dict) or not set(data) <= {"p", "w", "v", "f"}:
            raise ValueError("not a tally")
        return Tally(
            _ids(data.get("p", [])),
            _by_field(data.get("w", {})),
            _ids(data.get("v", [])),
            _by_field(data.get("f", {})),
        )
    except Exception as exc:  # any malformed input: msgpack raises several kinds
        log.error("a relayed tally was dropped: %s", exc)
        return None


def _ids(value: Any) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("author ids must be a list of strings")
    return set(value)


def _by_field(value: Any) -> dict[str, set[str]]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise ValueError("fields must map names to author ids")
    return {k: _ids(v) for k, v in value.items()}
