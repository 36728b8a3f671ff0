// The app-message vocabulary as types: each op's arguments and reply, the values they carry,
// and which role may send which op. Names come from vocab.gen.ts (generated from
// server/sync/vocabulary.py); the compile-time checks below keep both lists in step.
import {
  ERROR_CODES,
  type ErrorCode,
  EVENTS,
  type EventName,
  OPS,
  type Op,
  type PushShow,
  ROLES,
  type Role
} from './vocab.gen'

export type { ErrorCode, EventName, Op, Role }
export { OPS }

/** Viewers and projector links only watch (the server refuses their changes, P10). */
export const readOnlyRole = (role: Role | null): boolean => role === 'viewer' || role === 'projector'

/** True when `role` may send `op` (the server checks the same table). */
export function allowed(role: Role | null, op: Op): boolean {
  return role !== null && (OPS[op] as readonly string[]).includes(role)
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v)
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v)
}

export function isEventName(v: unknown): v is EventName {
  return typeof v === 'string' && Object.hasOwn(EVENTS, v)
}
// ---- arguments and replies, one entry per op ---------------------------------------------

export interface AgendaItemInput {
  id: string
  minutes: number
  label?: string | null
  part?: string | null
}
export type LockTarget = { field: string; part?: undefined } | { part: string; field?: undefined }

/** A decision of the group (P230): its words and, optionally, a field or note it concerns. */
export interface DecisionInput {
  text: string
  field?: string
  note?: string
}

export interface PrivateNoteInput {
  note: string
  field: string
  text: string
  color?: string
  x?: number
  y?: number
}

export interface OpArgs {
  hello: { pid?: string; name?: string; group?: string }
  clock: Record<string, never>
  'agenda.set': { items: AgendaItemInput[] }
  /** `nest`: left out, a field timer nests in its part's running timer (P250); false replaces. */
  'timer.start': { target: string; seconds: number; lock_on_end?: boolean; nest?: boolean }
  'timer.pause': Record<string, never>
  'timer.resume': Record<string, never>
  /** On a done timer: runs it again, reopening what its end locked (P252). */
  'timer.extend': { seconds: number; outer?: boolean }
  /** With a field timer inside a part timer: ends the field timer only, unless `all` (P253). */
  'timer.stop': { all?: boolean }
  'lock.set': LockTarget & { locked: boolean }
  'focus.set': { field: string | null; follow?: boolean }
  'view.set': { field: string; compact: boolean }
  'projector.push': { show: PushShow | null; field?: string }
  'private.set': { field: string; on: boolean }
  'private.reveal': { field: string }
  'private.put': PrivateNoteInput
  'private.delete': { note: string }
  /** `note`: the writer's note the words continue (a lock came while they typed). */
  'late.put': { field: string; text: string; note?: string }
  'late.accept': { note: string }
  'late.dismiss': { note: string }
  'vote.open': { fields: string[]; per_person: number; max_per_note?: number }
  'vote.cast': { note: string }
  'vote.retract': { note: string }
  'vote.close': Record<string, never>
  'vote.cancel': Record<string, never>
  'snapshot.create': { label: string }
  'snapshot.restore': { sid: string }
  'link.rotate': { role: Role }
  'join.rotate': Record<string, never>
  'board.settings': {
    title?: string
    anonymous_allowed?: boolean
    private_anonymous?: boolean
    show_join_code?: boolean
    groups?: string[]
  }
  'decision.add': DecisionInput
  'decision.edit': DecisionInput & { decision: string }
  'decision.delete': { decision: string }
}

/** A private note as the server sends it back to its author. */
export interface PrivateNote {
  id: string
  field: string
  text: string
  color?: string
  x?: number
  y?: number
  group: string | null
  author: string | null
  created_at: number
  updated_at: number
}

/** The caller's own ballot: `mine` and `remaining` only while a vote is open. */
export interface BallotState {
  state: 'open' | 'closed' | 'idle'
  round?: string
  mine?: Record<string, number>
  remaining?: number
}

export interface VoteResult {
  total: number
  by_group: Record<string, number>
}

export interface HelloReply {
  role: Role
  author_id: string | null
  server_ms: number
  board?: string
  limits?: { max_note_chars?: number; max_notes?: number }
  join_code?: string
  /** When the join code stops working (server epoch ms); null: never. */
  join_code_expires_at?: number | null
  private_notes?: PrivateNote[]
  /** Late notes waiting for a decision (moderators only, P264). */
  late_notes?: LateNote[]
  vote?: BallotState
}

/** Words handed in for a field, waiting for the moderator (P264). */
export interface LateNote {
  id: string
  field: string
  text: string
  author: string | null
  group: string | null
  created_at: number
  /** The writer's own note these words continue: accepting completes it. */
  continues: string | null
}

/** One note of an update the server refused, with the reason as a code and its values (P263). */
export interface RefusedNote {
  id: string
  code: ErrorCode | string
  params: Record<string, string | number>
}

/** What the writer wanted of a refused note, handed back so that nothing typed is lost (P262). */
export interface ParkedNote {
  id: string
  field: string | null
  text: string
  /** Words of the note's other keys (a partner's resources, an action's owner, ...). */
  keys?: Record<string, string>
}

export interface OpReplies {
  hello: HelloReply
  clock: { server_ms: number }
  'agenda.set': { total_minutes: number }
  'timer.start': { ends_at: number; server_ms: number; nested_in?: string | null }
  'timer.pause': { remaining_ms: number }
  'timer.resume': { ends_at: number; server_ms: number }
  'timer.extend': { ends_at: number | null; remaining_ms: number | null }
  'timer.stop': Record<string, never>
  'lock.set': { locks: string[] }
  'focus.set': { seq: number }
  'view.set': { compact: string[] }
  'projector.push': { seq: number }
  'private.set': { private?: string[]; revealed?: number }
  'private.reveal': { revealed: number }
  'private.put': { id: string }
  'private.delete': Record<string, never>
  'late.put': { id: string }
  'late.accept': { id: string }
  'late.dismiss': Record<string, never>
  'vote.open': { round: string }
  'vote.cast': BallotState
  'vote.retract': BallotState
  'vote.close': { results: Record<string, VoteResult>; voters: number }
  'vote.cancel': Record<string, never>
  'snapshot.create': { sid: string; notes: number; created_at: number }
  'snapshot.restore': { before: string }
  'link.rotate': { role: Role; token: string; join_code?: string; join_code_expires_at?: number | null }
  'join.rotate': { join_code?: string; join_code_expires_at?: number | null }
  'board.settings': { changed: string[] }
  'decision.add': { id: string }
  'decision.edit': { id: string }
  'decision.delete': { id: string }
}

// Compile-time check: the tables above name exactly the generated ops.
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const argsCoverOps: Same<keyof OpArgs, Op> = true
const repliesCoverOps: Same<keyof OpReplies, Op> = true
void argsCoverOps
void repliesCoverOps
