// Generated from server/sync/ops.py by `python -m server.sync.ops`; do not edit.
export const OPS = {
  "hello": [
    "moderator",
    "participant",
    "viewer"
  ],
  "clock": [
    "moderator",
    "participant",
    "viewer"
  ],
  "agenda.set": [
    "moderator"
  ],
  "timer.start": [
    "moderator"
  ],
  "timer.pause": [
    "moderator"
  ],
  "timer.resume": [
    "moderator"
  ],
  "timer.extend": [
    "moderator"
  ],
  "timer.stop": [
    "moderator"
  ],
  "lock.set": [
    "moderator"
  ],
  "focus.set": [
    "moderator"
  ],
  "private.set": [
    "moderator"
  ],
  "private.reveal": [
    "moderator"
  ],
  "private.put": [
    "moderator",
    "participant"
  ],
  "private.delete": [
    "moderator",
    "participant"
  ],
  "vote.open": [
    "moderator"
  ],
  "vote.cast": [
    "moderator",
    "participant"
  ],
  "vote.retract": [
    "moderator",
    "participant"
  ],
  "vote.close": [
    "moderator"
  ],
  "vote.cancel": [
    "moderator"
  ],
  "snapshot.create": [
    "moderator"
  ],
  "snapshot.restore": [
    "moderator"
  ],
  "link.rotate": [
    "moderator"
  ],
  "board.settings": [
    "moderator"
  ]
} as const;
export type Op = keyof typeof OPS;
export const ERROR_CODES = [
  "forbidden",
  "invalid",
  "not_found",
  "limit",
  "locked",
  "conflict",
  "unknown_op"
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const EVENTS = [
  "rejected",
  "private.notes",
  "vote.state",
  "link.rotated",
  "join.code"
] as const;
export type EventName = (typeof EVENTS)[number];
