"""Bounded readers of lib0 values in an update: varUints, strings, Any values, contents."""

from __future__ import annotations

import re

from .limits import (
    BINARY,
    DOC,
    EMBED,
    FORMAT,
    JSON,
    MAX_CLIENT_WORK,
    MAX_SAFE,
    Profile,
    UpdateRefusedError,
    _forbidden,
    _malformed,
    _too_much,
)

_CONTENT_NAMES = {
    JSON: "JSON content",
    BINARY: "binary content",
    EMBED: "embeds in text",
    FORMAT: "formatting attributes in text",
    DOC: "subdocuments",
}

# The readers below take and return positions in `data`; reading past the end raises
# IndexError, which parse_update turns into P101 (one check instead of one per byte).


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    b = data[pos]
    if b < 0x80:  # most numbers on the wire fit in one or two bytes
        return b, pos + 1
    c = data[pos + 1]
    if c < 0x80:
        if not c:
            raise _malformed("P101", "overlong number")
        return (b & 0x7F) | c << 7, pos + 2
    d = data[pos + 2]
    if d < 0x80:  # clocks up to 2 million
        if not d:
            raise _malformed("P101", "overlong number")
        return (b & 0x7F) | (c & 0x7F) << 7 | d << 14, pos + 3
    return _long_uint(data, pos)


# the client id read last, as one tuple (archives are read in a worker thread): the bytes
# of a complete varUint and its value
_last_client = (b"\x00", 0)


def _client(data: bytes, pos: int) -> tuple[int, int]:
    """The client of an id: in most updates the same few, so first try the last one."""
    global _last_client
    raw, value = _last_client
    if data.startswith(raw, pos):  # raw's last byte is its only one below 0x80
        return value, pos + len(raw)
    value, end = _uint(data, pos)
    _last_client = (data[pos:end], value)
    return value, end


# client ids take 5 to 8 bytes and repeat in every id: decode each such byte string once
_VARUINT = re.compile(rb"[\x80-\xff]{3,7}[\x00-\x7f]").match
_CLIENT_IDS: dict[bytes, int] = {}


def _long_uint(data: bytes, pos: int) -> tuple[int, int]:
    found = _VARUINT(data, pos)
    if found is None:
        if pos + 8 >= len(data):
            raise IndexError  # ends in the middle of the number
        raise _malformed("P101", "number longer than 8 bytes")
    end = found.end()
    raw = data[pos:end]
    value = _CLIENT_IDS.get(raw) if end - pos >= 5 else None
    if value is None:
        if raw[-1] == 0:
            raise _malformed("P101", "overlong number")
        value = 0
        for i, b in enumerate(raw):
            value |= (b & 0x7F) << (7 * i)
        if value > MAX_SAFE:
            raise _malformed("P101", "number above 2^53-1")
        if end - pos >= 5:
            if len(_CLIENT_IDS) >= 1024:
                _CLIENT_IDS.clear()
            _CLIENT_IDS[raw] = value
    return value, end


def _varint(data: bytes, pos: int) -> int:
    first = data[pos]
    pos += 1
    if first < 0x80:
        return pos
    value = first & 0x3F
    shift = 6
    for _ in range(7):
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            if b == 0:
                raise _malformed("P101", "overlong integer")
            if value > MAX_SAFE:
                raise _malformed("P101", "integer above 2^53-1")
            return pos
        shift += 7
    raise _malformed("P101", "integer longer than 8 bytes")


def _count(data: bytes, pos: int, min_size: int) -> tuple[int, int]:
    n, pos = _uint(data, pos)
    if n * min_size > len(data) - pos:
        raise _malformed("P102", f"count {n} cannot fit in the {len(data) - pos} bytes left")
    return n, pos


def _string(data: bytes, pos: int) -> tuple[int, int]:
    """Skip a UTF-8 string; return its end and its length in UTF-16 units (Yjs clocks)."""
    n, pos = _uint(data, pos)
    end = pos + n
    if end > len(data):
        raise _malformed("P101", "length past the end of the update")
    raw = data[pos:end]
    if raw.isascii():
        return end, n
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed("P101", "text is not valid UTF-8") from exc
    return end, len(text.encode("utf-16-le")) // 2


def _name(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = _uint(data, pos)
    end = pos + n
    if end > len(data):
        raise _malformed("P101", "length past the end of the update")
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise _malformed("P101", "text is not valid UTF-8") from exc


def _raw(data: bytes, pos: int) -> int:
    n, pos = _uint(data, pos)
    if pos + n > len(data):
        raise _malformed("P101", "length past the end of the update")
    return pos + n


def _skip(data: bytes, pos: int, n: int) -> int:
    if pos + n > len(data):
        raise _malformed("P101", "update ends in the middle of a value")
    return pos + n


def _read_any(data: bytes, pos: int, max_depth: int, budget: int) -> tuple[int, int]:
    """One lib0 Any value with an explicit stack of [entries left, is object] frames.

    Returns the position after it and the work budget left (one unit per value, P112).
    """
    stack: list[list[int]] = []
    while True:
        budget -= 1
        if stack and stack[-1][1]:
            pos, _ = _string(data, pos)  # object key
        tag = data[pos]
        pos += 1
        if tag == 0x77:
            pos, _ = _string(data, pos)
        elif tag == 0x7D:
            pos = _varint(data, pos)
        elif tag == 0x7E or tag == 0x7F or tag == 0x78 or tag == 0x79:
            pass  # null, undefined, false, true
        elif tag == 0x7B or tag == 0x7A:
            pos = _skip(data, pos, 8)
        elif tag == 0x7C:
            pos = _skip(data, pos, 4)
        elif tag == 0x74:
            pos = _raw(data, pos)
        elif tag == 0x75 or tag == 0x76:
            n, pos = _count(data, pos, 2 if tag == 0x76 else 1)
            if n:
                if len(stack) + 1 > max_depth:
                    raise _forbidden("P100", f"value nested deeper than {max_depth} levels")
                if n > budget:
                    raise _too_much(MAX_CLIENT_WORK)
                stack.append([n, tag == 0x76])
                continue
        else:
            raise _malformed("P101", f"unknown value tag {tag:#x}")
        # the value is finished: close every container it completes
        while stack:
            top = stack[-1]
            top[0] -= 1
            if top[0]:
                break
            stack.pop()
        if not stack:
            return pos, budget


def _forbidden_content(ref: int) -> UpdateRefusedError:
    what = _CONTENT_NAMES.get(ref, f"content {ref}")
    return _forbidden("P105", f"{what} are not used on a board")


def _other_content(data: bytes, pos: int, ref: int, profile: Profile) -> tuple[int, int]:
    """Contents only the record profile reads (clients and archives refuse them)."""
    if ref == JSON:
        n, pos = _count(data, pos, 1)
        for _ in range(n):
            pos, _ = _string(data, pos)
        return pos, n
    if ref == BINARY or ref == EMBED:
        return _raw(data, pos), 1
    if ref == FORMAT:
        pos, _ = _string(data, pos)
        pos, _ = _string(data, pos)
        return pos, 1
    # DOC: guid, then options as Any
    pos, _ = _string(data, pos)
    pos, _ = _read_any(data, pos, profile.max_any_depth, MAX_SAFE)
    return pos, 1
