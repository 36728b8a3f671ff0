"""Checking an update against a profile and the room's index: parents, depths, cycles."""

from __future__ import annotations

from ..errors import ForbiddenError, MalformedMessageError, OutOfOrderError
from .index import TypeIndex, resolve_depths
from .limits import CLIENT, Parsed, Profile, UpdateRefusedError
from .parse import parse_update


def check_update(update: bytes, profile: Profile, index: TypeIndex | None = None) -> Parsed:
    """Check an untrusted update before it is applied; raise UpdateRefusedError if refused.

    Args:
        update: the v1 update bytes.
        profile: `CLIENT` for websocket updates, `ARCHIVE` for imported states.
        index: the room's `TypeIndex` (None for a self-contained state such as an archive's).

    Returns:
        The parsed structs with their parent depths.
    """
    parsed = parse_update(update, profile)
    resolve_depths(parsed, profile, index)
    return parsed


def check_client_update(update: bytes, index: TypeIndex) -> bool:
    """Check a writer's websocket update; raise the SyncError that closes its connection.

    The index remembers the accepted update, so recording it after it is applied costs no
    second parse.

    Returns:
        Whether a struct of the update names a top-level type (only such an update can
        create one).

    Raises:
        MalformedMessageError: bytes that are not a well-formed v1 update (4400);
            OutOfOrderError when only ids the room does not have yet are missing (P114).
        ForbiddenError: a well-formed update with content a board never holds (4403).
    """
    try:
        parsed = check_update(update, CLIENT, index)
        if not index.continues(parsed):
            reason = "the update starts past what the room has of its client"
            raise UpdateRefusedError("P113", reason, malformed=True, waits=True)
        if not index.covers(parsed):
            reason = "the update deletes ids the room does not have"
            raise UpdateRefusedError("P116", reason, malformed=True, waits=True)
    except UpdateRefusedError as exc:
        error = (
            OutOfOrderError
            if exc.waits
            else MalformedMessageError
            if exc.malformed
            else ForbiddenError
        )
        raise error(f"update refused ({exc})") from exc
    index.checked(update, parsed)
    return any(struct[6] is not None for struct in parsed.structs)
