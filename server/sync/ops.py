"""The one list of app-message ops, who may send them, and the error codes (P44).

The browser client's `client/src/sync/ops.gen.ts` is generated from this module:
`python -m server.sync.ops OUT.ts`; a test checks that the two agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .appmsg import ErrorCode

ALL = ("moderator", "participant", "viewer", "projector")
WRITERS = ("moderator", "participant")
MODERATOR = ("moderator",)

OPS: dict[str, tuple[str, ...]] = {
    "hello": ALL,
    "clock": ALL,
    "agenda.set": MODERATOR,
    "timer.start": MODERATOR,
    "timer.pause": MODERATOR,
    "timer.resume": MODERATOR,
    "timer.extend": MODERATOR,
    "timer.stop": MODERATOR,
    "lock.set": MODERATOR,
    "focus.set": MODERATOR,
    "private.set": MODERATOR,
    "private.reveal": MODERATOR,
    "private.put": WRITERS,
    "private.delete": WRITERS,
    "vote.open": MODERATOR,
    "vote.cast": WRITERS,
    "vote.retract": WRITERS,
    "vote.close": MODERATOR,
    "vote.cancel": MODERATOR,
    "snapshot.create": MODERATOR,
    "snapshot.restore": MODERATOR,
    "link.rotate": MODERATOR,
    "join.rotate": MODERATOR,
    "board.settings": MODERATOR,
}

EVENTS = ("rejected", "private.notes", "vote.state", "link.rotated", "join.code")


def render_ts() -> str:
    ops = json.dumps(OPS, indent=2)
    codes = json.dumps([str(c) for c in ErrorCode], indent=2)
    events = json.dumps(list(EVENTS), indent=2)
    return (
        "// Generated from server/sync/ops.py by `python -m server.sync.ops`; do not edit.\n"
        f"export const OPS = {ops} as const;\n"
        "export type Op = keyof typeof OPS;\n"
        f"export const ERROR_CODES = {codes} as const;\n"
        "export type ErrorCode = (typeof ERROR_CODES)[number];\n"
        f"export const EVENTS = {events} as const;\n"
        "export type EventName = (typeof EVENTS)[number];\n"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m server.sync.ops OUT.ts")
    Path(sys.argv[1]).write_text(render_ts(), encoding="utf-8")
