"""Capability tokens, board ids and join codes."""

from __future__ import annotations

import time

from server.auth import (
    BOARD_ID_RE,
    Principal,
    format_join_code,
    hash_token,
    new_board_id,
    new_join_code,
    new_token,
    normalize_join_code,
    resolve_role,
)
from server.store.base import ROLES, BoardRecord


def record(tokens: dict[str, str], join_code: str = "") -> BoardRecord:
    hashes = {role: hash_token(tok) for role, tok in tokens.items()}
    return BoardRecord("b", "ko-kreation", 1, "T", "de", time.time(), hashes, join_code)


def test_each_token_grants_its_own_role_only() -> None:
    tokens: dict[str, str] = {role: new_token() for role in ROLES}
    board = record(tokens)
    for role, token in tokens.items():
        assert resolve_role(board, token) == role
    assert set(tokens) == {"moderator", "participant", "viewer", "projector"}
    assert resolve_role(board, new_token()) is None
    assert resolve_role(board, "") is None
    assert resolve_role(board, tokens["viewer"][:-1]) is None


def test_p142_only_moderators_and_participants_write() -> None:
    writers = {role for role in ROLES if Principal("b", role).can_write}
    assert writers == {"moderator", "participant"}


def test_tokens_are_long_and_stored_only_as_hashes() -> None:
    token = new_token()
    assert len(token) >= 32
    assert hash_token(token) != token.encode() and len(hash_token(token)) == 32


def test_board_ids_never_start_like_a_command_line_option() -> None:
    ids = [new_board_id() for _ in range(2000)]
    assert all(i[0].isalnum() and BOARD_ID_RE.match(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_join_code_is_a_participant_credential_in_any_spelling() -> None:
    code = new_join_code()
    board = record({"viewer": new_token()}, code)
    shown = format_join_code(code)
    assert len(shown) == 9 and shown[4] == "-"
    for typed in (code, shown, shown.lower(), f" {shown} "):
        assert resolve_role(board, normalize_join_code(typed)) == "participant"
    other = new_join_code()
    assert other == code or resolve_role(board, other) is None
    assert not set(code) & set("01ILOU")
