"""Clusters of notes under a heading in a plain note field (PROTOCOL.md P270-P272).

A cluster lives on its members: `cluster` (the group id) and `heading` (its name) on every
note of the group, both or neither, so a group id never points at a heading that is gone.
Standard library only, like `dates`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

MAX_HEADING_CHARS = 120
MAX_CLUSTER_ID_CHARS = 64
_CLUSTER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# a heading is one line of plain text: no control characters (newlines, escapes, NUL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NOTES_FIELD = "notes"  # canvas_schema FieldKind.NOTES: the only kind whose notes flow


def cluster_problem(
    get: Callable[[str], object], keys: Collection[str], field_kind: str
) -> str | None:
    """What is wrong with a note's cluster keys, when a write touched them or its field.

    Args:
        get: reads a key of the note (None when absent).
        keys: the keys the write changed.
        field_kind: the canvas kind of the note's field.

    Returns:
        An English reason, or None when the note is fine.
    """
    if not {"cluster", "heading", "field"} & set(keys):
        return None
    cluster, heading = get("cluster"), get("heading")
    if cluster is None and heading is None:
        return None
    if cluster is None or heading is None:
        return "'cluster' and 'heading' go together: a group needs its heading (P270)"
    if not isinstance(cluster, str) or not _CLUSTER_ID.fullmatch(cluster):
        return "'cluster' must be 1 to 64 letters, digits, '-' or '_' (P270)"
    if not isinstance(heading, str) or len(heading) > MAX_HEADING_CHARS:
        return f"'heading' must be a string of at most {MAX_HEADING_CHARS} characters (P270)"
    if _CONTROL.search(heading):
        return "'heading' is one line of plain text (P270)"
    if field_kind != NOTES_FIELD:
        return "only notes in a plain note field can be grouped (P271)"
    return None
