"""The y-websocket codec (PROTOCOL.md P2): round trips, malformed frames, fuzzing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Map, create_sync_message

from server.sync import codec
from server.sync.errors import MalformedMessageError

uints = st.integers(min_value=0, max_value=codec.MAX_SAFE_INTEGER)


@given(uints)
def test_var_uint_round_trip(n: int) -> None:
    dec = codec.Decoder(codec.write_var_uint(n))
    assert dec.read_var_uint() == n
    dec.expect_end()


def test_var_uint_matches_lib0_bytes() -> None:
    assert codec.write_var_uint(0) == b"\x00"
    assert codec.write_var_uint(127) == b"\x7f"
    assert codec.write_var_uint(128) == b"\x80\x01"
    assert codec.write_var_uint(300) == b"\xac\x02"
    assert codec.write_var_uint(codec.MAX_SAFE_INTEGER) == b"\xff" * 7 + b"\x0f"


@given(st.text())
def test_var_string_length_is_utf8_bytes(text: str) -> None:
    raw = codec.write_var_string(text)
    dec = codec.Decoder(raw)
    assert dec.read_var_uint() == len(text.encode())
    assert codec.Decoder(raw).read_var_string() == text


def test_var_string_with_umlauts_and_arabic() -> None:
    text = "Grüße مرحبا 🌳"
    assert codec.write_var_string(text)[0] == len(text.encode())


@given(st.binary(max_size=200))
def test_sync_frames_round_trip(payload: bytes) -> None:
    for encode, kind in (
        (codec.encode_sync_step1, codec.SyncStep1),
        (codec.encode_sync_step2, codec.SyncStep2),
        (codec.encode_sync_update, codec.SyncUpdate),
        (codec.encode_awareness, codec.AwarenessFrame),
        (codec.encode_app, codec.AppFrame),
    ):
        frame = codec.decode_frame(encode(payload))
        assert isinstance(frame, kind)
        assert frame == kind(payload)


def test_empty_doc_sync_step1_matches_yjs_bytes() -> None:
    assert codec.encode_sync_step1(Doc().get_state()) == b"\x00\x00\x01\x00"


def test_frames_match_pycrdt_encoding() -> None:
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)["a"] = 1
    assert codec.encode_sync_step1(doc.get_state()) == create_sync_message(doc)


def test_permission_denied_and_query_awareness() -> None:
    frame = codec.decode_frame(codec.encode_permission_denied("nur lesen"))
    assert frame == codec.AuthFrame(0, "nur lesen")
    assert codec.decode_frame(codec.encode_query_awareness()) == codec.QueryAwareness()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated varUint"),
        (b"\x80", "truncated varUint"),
        (b"\x80\x80\x80\x80\x80\x80\x80\x80\x01", "longer than 8 bytes"),
        (b"\xff\xff\xff\xff\xff\xff\xff\x7f", r"larger than 2\^53-1"),
        (b"\x80\x00", "overlong"),
        (b"\x00", "truncated varUint"),
        (b"\x00\x03\x00", "unknown sync message type 3"),
        (b"\x00\x02\x05ab", "runs past the end"),
        (b"\x01\x09", "runs past the end"),
        (b"\x07", "unknown message type 7"),
        (b"\x00\x02\x00\x00", "unexpected bytes"),
        (b"\x02\x00\x02\xff\xfe", "not valid UTF-8"),
    ],
)
def test_malformed_frames_raise_precise_errors(data: bytes, message: str) -> None:
    with pytest.raises(MalformedMessageError, match=message):
        codec.decode_frame(data)


@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_malformed(data: bytes) -> None:
    try:
        codec.decode_frame(data)
    except MalformedMessageError:
        pass


def _outcome(decode: Any, data: bytes) -> object:
    try:
        return decode(data)
    except MalformedMessageError as exc:
        return ("malformed", str(exc))


@given(
    st.integers(min_value=0, max_value=20_000),
    st.sampled_from(["exact", "short", "long", "non-minimal", "step1", "prefix"]),
)
def test_p365_the_update_shortcut_decodes_as_the_decoder_does(size: int, shape: str) -> None:
    frame = codec.encode_sync_update(bytes(size % 251 for _ in range(size)))
    if shape == "short":
        frame = frame[:-1]
    elif shape == "long":
        frame += b"\x00"
    elif shape == "non-minimal":  # the length as two bytes where one would do
        frame = (
            b"\x00\x02" + bytes([0x80 | (size & 0x7F), size >> 7]) + frame[-size:]
            if size < 128
            else frame
        )
    elif shape == "step1":
        frame = b"\x00\x00" + frame[2:]
    elif shape == "prefix":
        frame = frame[: min(len(frame), 3)]
    assert _outcome(codec.decode_frame, frame) == _outcome(codec.decode_frame_slowly, frame)


@given(st.binary(max_size=64))
def test_p365_any_bytes_decode_as_the_decoder_does(data: bytes) -> None:
    for head in (b"", b"\x00\x02"):
        frame = head + data
        assert _outcome(codec.decode_frame, frame) == _outcome(codec.decode_frame_slowly, frame)


@given(
    st.lists(
        st.tuples(
            uints,
            uints,
            st.one_of(
                st.none(),
                st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
            ),
        ),
        max_size=5,
    )
)
def test_awareness_round_trip(items: list[tuple[int, int, dict[str, str] | None]]) -> None:
    entries = [codec.AwarenessEntry(c, k, json.dumps(s)) for c, k, s in items]
    decoded = codec.decode_awareness(codec.encode_awareness_entries(entries))
    assert [(e.client_id, e.clock, json.loads(e.state_json)) for e in decoded] == [
        (c, k, s) for c, k, s in items
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\x01\x01\x01\x03{x}", "not JSON"),
        (b"\x01\x01\x01\x02[]", "object or null"),
        (b"\x02\x01\x01\x02{}", "truncated"),
    ],
)
def test_bad_awareness_payloads(payload: bytes, message: str) -> None:
    with pytest.raises(MalformedMessageError, match=message):
        codec.decode_awareness(payload)
