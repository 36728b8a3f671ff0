// Generated from server/sync/vocabulary.py, ops.py, appmsg.py and errors.py by
// `python -m server.sync.vocab_ts`; do not edit (tests/unit/test_vocabulary.py checks it).

export const ROLES = ["moderator", "participant", "viewer", "projector"] as const
export type Role = (typeof ROLES)[number]

/** Every app-message op and the roles that may send it (P44). */
export const OPS = {
  "hello": ["moderator", "participant", "viewer", "projector"],
  "clock": ["moderator", "participant", "viewer", "projector"],
  "agenda.set": ["moderator"],
  "timer.start": ["moderator"],
  "timer.pause": ["moderator"],
  "timer.resume": ["moderator"],
  "timer.extend": ["moderator"],
  "timer.stop": ["moderator"],
  "lock.set": ["moderator"],
  "focus.set": ["moderator"],
  "view.set": ["moderator"],
  "projector.push": ["moderator"],
  "private.set": ["moderator"],
  "private.reveal": ["moderator"],
  "private.put": ["moderator", "participant"],
  "private.delete": ["moderator", "participant"],
  "late.put": ["moderator", "participant"],
  "late.accept": ["moderator"],
  "late.dismiss": ["moderator"],
  "vote.open": ["moderator"],
  "vote.cast": ["moderator", "participant"],
  "vote.retract": ["moderator", "participant"],
  "vote.close": ["moderator"],
  "vote.cancel": ["moderator"],
  "snapshot.create": ["moderator"],
  "snapshot.restore": ["moderator"],
  "link.rotate": ["moderator"],
  "join.rotate": ["moderator"],
  "board.settings": ["moderator"],
  "decision.add": ["moderator"],
  "decision.edit": ["moderator"],
  "decision.delete": ["moderator"],
} as const
export type Op = keyof typeof OPS

export const ERROR_CODES = ["forbidden", "invalid", "not_found", "limit", "locked", "conflict", "unknown_op", "identity", "unknown_group", "unavailable"] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Server events and their fields besides `ev`. */
export const EVENTS = {
  "rejected": { required: ["code", "reason"], optional: ["params", "notes", "whole", "parked"] },
  "private.notes": { required: ["notes"], optional: [] },
  "late.notes": { required: ["notes"], optional: [] },
  "vote.state": { required: ["state"], optional: ["round", "mine", "remaining"] },
  "link.rotated": { required: ["role"], optional: [] },
  "join.code": { required: ["join_code", "join_code_expires_at"], optional: [] },
  "counts": { required: ["present", "written"], optional: ["voted", "voted_fields"] },
} as const
export type EventName = keyof typeof EVENTS
export type EventField<E extends EventName> =
  | (typeof EVENTS)[E]['required'][number]
  | (typeof EVENTS)[E]['optional'][number]

/** Websocket close codes: 4400-4499 stop the client, the rest retry. */
export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  BAD_MESSAGE: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  BOARD_NOT_FOUND: 4404,
  MESSAGE_TOO_BIG: 4413,
  TOO_MANY_REQUESTS: 4429,
  SERVER_ERROR: 4500,
  SHUTTING_DOWN: 4501,
  SLOW_CONSUMER: 4502,
  ROOM_FULL: 4503,
  STORE_UNAVAILABLE: 4504,
  IDLE_TIMEOUT: 4508,
  TOO_MANY_CONNECTIONS: 4509,
  CLIENT_ID_IN_USE: 4510,
} as const
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE]

/** The root maps of a board's Y.Doc. */
export const ROOT_META = "meta"
export const ROOT_NOTES = "notes"
export const ROOT_CONTROL = "control"
export const NOTE_KEYS = ["field", "text", "x", "y", "color", "group", "author", "author_id", "created_at", "updated_at", "order", "kind", "resources", "competences", "tasks", "owner", "due", "done", "format", "cluster", "heading"] as const
export type NoteKey = (typeof NOTE_KEYS)[number]
export const TEXT_KEYS = ["text", "resources", "competences", "tasks"] as const
export type TextKey = (typeof TEXT_KEYS)[number]
export const NOTE_KINDS = ["note", "partner", "action"] as const
export type NoteKind = (typeof NOTE_KINDS)[number]
export const SNAPSHOT_KINDS = ["manual", "auto", "part-end", "last-leave", "before-restore"] as const
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number]
export const EXPORT_FORMATS = ["pdf", "md", "csv", "json", "svg", "png", "a3.svg", "a3.png", "ics", "cocanvas"] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const ARCHIVE_FORMAT = "cocanvas"
export const HEAVY_EXPORTS = ["pdf", "svg", "png", "a3.svg", "a3.png"] as const
export type HeavyExport = (typeof HEAVY_EXPORTS)[number]

/** Timer states and the `control` keys of the inner and outer timer (P250). */
export const TIMER_STATES = ["idle", "running", "paused", "done"] as const
export type TimerStateName = (typeof TIMER_STATES)[number]
export const CONTROL_TIMER = "timer"
export const CONTROL_TIMER_OUTER = "timer_outer"
export const LOCK_CAUSES = ["timer.done", "timer.extend"] as const
export type LockCause = (typeof LOCK_CAUSES)[number]

/** The group's decisions (P230): their `control` key and longest text. */
export const CONTROL_DECISIONS = "decisions"
export const DECISION_MAX_CHARS = 1000

/** What the moderator pushes to the projector: `control` key and kinds (P288). */
export const CONTROL_PUSH = "push"
export const PUSH_SHOWS = ["timer", "field", "results"] as const
export type PushShow = (typeof PUSH_SHOWS)[number]
