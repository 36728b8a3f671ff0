"""Capability tokens -> Principal(board, role). No HTTP objects here.

Tokens are 192-bit random strings; only their SHA-256 is stored, and hashes are
compared in constant time. A high-entropy token needs no slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from .store.base import ROLES, BoardRecord, Role

TOKEN_BYTES = 24
BOARD_ID_BYTES = 9
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
BOARD_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


@dataclass(frozen=True)
class Principal:
    board: str
    role: Role

    @property
    def can_write(self) -> bool:
        return self.role in ("moderator", "participant")  # viewers and projectors read

    @property
    def is_moderator(self) -> bool:
        return self.role == "moderator"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_board_id() -> str:
    """A random id that starts with a letter or digit: ids that start with "-" would be
    read as options on the command line."""
    while True:
        board_id = secrets.token_urlsafe(BOARD_ID_BYTES)
        if board_id[0].isalnum():
            return board_id


JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud
JOIN_CODE_LENGTH = 8
_JOIN_RE = re.compile(r"^[A-Z0-9]{8}$")


def new_join_code() -> str:
    """A short participant code for typing from a projector (about 39 bits)."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_join_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN_RE.match(token))


def resolve_role(record: BoardRecord, token: str) -> Role | None:
    """The role this token grants on the board, or None. Checks every role (no early exit).
    A board's join code grants the participant role."""
    code = normalize_join_code(token)
    if record.join_code and _JOIN_RE.match(code):
        if hmac.compare_digest(code.encode(), record.join_code.encode()):
            return "participant"
        return None
    if not looks_like_token(token):
        return None
    digest = hash_token(token)
    found: Role | None = None
    for role in ROLES:
        stored = record.token_hashes.get(role)
        if stored is not None and hmac.compare_digest(stored, digest):
            found = role
    return found
