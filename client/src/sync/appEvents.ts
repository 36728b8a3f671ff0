// Server events {ev, ...}: one type and one reader per event name from vocab.gen.ts, each
// checking its fields before use.
import {
  type BallotState,
  isEventName,
  isRole,
  type LateNote,
  type ParkedNote,
  type PrivateNote,
  type RefusedNote,
  type Same
} from './appTypes'
import { isRecord, isStr, readBallot, readLateNotes, readParams, readPrivateNote } from './appValues'
import type { ErrorCode, EventField, EventName, Role } from './vocab.gen'

export type RejectedEvent = {
  ev: 'rejected'
  code: ErrorCode | string
  reason: string
  params: Record<string, string | number>
  notes: RefusedNote[]
  /** True when the whole update was refused, not only some notes of it. */
  whole: boolean
  parked: ParkedNote[]
}
export type PrivateNotesEvent = { ev: 'private.notes'; notes: PrivateNote[] }
export type LateNotesEvent = { ev: 'late.notes'; notes: LateNote[] }
export type VoteStateEvent = { ev: 'vote.state' } & BallotState
export type LinkRotatedEvent = { ev: 'link.rotated'; role: Role }
/** The participant join code changed (null: no longer shown to this connection). */
export type JoinCodeEvent = { ev: 'join.code'; join_code: string | null; join_code_expires_at: number | null }
/** Live counters for moderators (P293): participants here, writers and voters per field. */
export type CountsEvent = {
  ev: 'counts'
  present: number
  written: Record<string, number>
  /** Null unless a vote is open. */
  voted: number | null
  voted_fields: Record<string, number> | null
}
export type AppEvent =
  | CountsEvent
  | RejectedEvent
  | PrivateNotesEvent
  | LateNotesEvent
  | VoteStateEvent
  | LinkRotatedEvent
  | JoinCodeEvent

// Compile-time check: one event type per generated event name, with exactly its fields.
type EventOf<E extends EventName> = Extract<AppEvent, { ev: E }>
type FieldsMatch = { [E in EventName]: Same<Exclude<keyof EventOf<E>, 'ev'>, EventField<E>> }
const eventsCoverNames: Same<AppEvent['ev'], EventName> = true
const eventFieldsMatch: false extends FieldsMatch[EventName] ? false : true = true
void eventsCoverNames
void eventFieldsMatch

function readRejected(rec: Record<string, unknown>): RejectedEvent {
  const notes: RefusedNote[] = []
  for (const n of Array.isArray(rec.notes) ? rec.notes : []) {
    if (isRecord(n) && isStr(n.id) && isStr(n.code))
      notes.push({ id: n.id, code: n.code, params: readParams(n.params) })
  }
  const parked: ParkedNote[] = []
  for (const n of Array.isArray(rec.parked) ? rec.parked : []) {
    if (isRecord(n) && isStr(n.id) && isStr(n.text)) {
      const keys: Record<string, string> = {}
      if (isRecord(n.keys)) for (const [k, v] of Object.entries(n.keys)) if (isStr(v)) keys[k] = v
      const note: ParkedNote = { id: n.id, field: isStr(n.field) ? n.field : null, text: n.text }
      if (Object.keys(keys).length) note.keys = keys
      parked.push(note)
    }
  }
  return {
    ev: 'rejected',
    code: isStr(rec.code) ? rec.code : 'invalid',
    reason: isStr(rec.reason) ? rec.reason : '',
    params: readParams(rec.params),
    notes,
    whole: rec.whole !== false,
    parked
  }
}

const MAX_COUNT_FIELDS = 200
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

function readCountMap(v: unknown): Record<string, number> | null {
  if (!isRecord(v)) return null
  const entries = Object.entries(v)
  if (entries.length > MAX_COUNT_FIELDS || !entries.every(([, n]) => isCount(n))) return null
  return Object.fromEntries(entries) as Record<string, number>
}

function readCounts(rec: Record<string, unknown>): CountsEvent | null {
  const written = readCountMap(rec.written)
  if (!isCount(rec.present) || written === null) return null
  const voting = isCount(rec.voted)
  return {
    ev: 'counts',
    present: rec.present,
    written,
    voted: voting ? (rec.voted as number) : null,
    voted_fields: voting ? (readCountMap(rec.voted_fields) ?? {}) : null
  }
}

const EVENT_READERS: { [E in EventName]: (rec: Record<string, unknown>) => EventOf<E> | null } = {
  counts: readCounts,
  rejected: readRejected,
  'late.notes': (rec) => (Array.isArray(rec.notes) ? { ev: 'late.notes', notes: readLateNotes(rec.notes) } : null),
  'private.notes': (rec) =>
    Array.isArray(rec.notes)
      ? { ev: 'private.notes', notes: rec.notes.map(readPrivateNote).filter((n): n is PrivateNote => n !== null) }
      : null,
  'vote.state': (rec) => ({ ev: 'vote.state', ...readBallot(rec) }),
  'link.rotated': (rec) => (isRole(rec.role) ? { ev: 'link.rotated', role: rec.role } : null),
  'join.code': (rec) =>
    rec.join_code === null || typeof rec.join_code === 'string'
      ? {
          ev: 'join.code',
          join_code: rec.join_code,
          join_code_expires_at: typeof rec.join_code_expires_at === 'number' ? rec.join_code_expires_at : null
        }
      : null
}

/** An event the server may send, with its fields checked; null for anything else. */
export function readEvent(rec: Record<string, unknown>): AppEvent | null {
  return isEventName(rec.ev) ? EVENT_READERS[rec.ev](rec) : null
}
