"""Capability tokens -> Principal(board, role). No HTTP objects here.

Tokens are 192-bit random strings; only their SHA-256 is stored, and hashes are
compared in constant time. A high-entropy token needs no slow hash. Failed attempts
are throttled per client address and, for join codes, per board (P161).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from .store.base import ROLES, BoardRecord, Role
from .throttle import AuthThrottle, retry_seconds

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


def looks_like_join_code(token: str) -> bool:
    """True when resolve_role would read this as a join code: short enough to guess."""
    return bool(_JOIN_RE.match(normalize_join_code(token)))


class LoginError(Exception):
    """A credential not accepted: `unknown` board, `denied`, or `throttled` (retry_after s)."""

    def __init__(
        self, kind: Literal["unknown", "denied", "throttled"], retry_after: int = 0
    ) -> None:
        super().__init__(kind)
        self.kind = kind
        self.retry_after = retry_after


class BoardLookup(Protocol):
    async def get_board(self, board_id: str) -> BoardRecord | None: ...


async def login(
    store: BoardLookup, throttle: AuthThrottle, client: str, board_id: str, token: str
) -> Role:
    """The role `token` grants on `board_id` for a client at address key `client`.

    An address (or, for join codes, a board) past its failure budget is refused before
    anything is checked, so guesses teach nothing. A link token is still checked: it
    cannot be guessed, and people behind a busy shared address keep getting in.

    Raises LoginError.
    """
    is_code = looks_like_join_code(token)
    wait = throttle.wait(client, board_id, is_code)
    if wait and (is_code or not looks_like_token(token)):
        raise LoginError("throttled", retry_seconds(wait))
    record = await store.get_board(board_id) if BOARD_ID_RE.match(board_id) else None
    role = resolve_role(record, token) if record is not None else None
    if role is not None:
        return role
    if token:  # an empty credential guesses nothing
        throttle.failed(client, board_id if record is not None else None, is_code)
    if wait:
        raise LoginError("throttled", retry_seconds(wait))
    raise LoginError("unknown" if record is None else "denied")
