// App messages (outer y-websocket message type 100): msgpack maps, mirror of
// server/sync/appmsg.py. Client -> server {id, op, ...args}; server -> client replies
// {re, ok, ...} or {re, ok: false, error: {code, message}}, and events {ev, ...}.
// The op names, who may send them, the error codes, the event names and their fields come
// from vocab.gen.ts, generated from server/sync/vocabulary.py: one list for both sides.
// Replies and events are checked field by field before use (any server is only semi-trusted).
import { decode, encode } from '@msgpack/msgpack'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import {
  ERROR_CODES,
  type ErrorCode,
  EVENTS,
  type EventField,
  type EventName,
  OPS,
  type Op,
  type PushShow,
  ROLES,
  type Role
} from './vocab.gen'

export type { ErrorCode, EventName, Op, Role }
export { OPS }

export const MESSAGE_APP = 100
export const MAX_REQUEST_ID = 2 ** 31
export const REQUEST_TIMEOUT_MS = 10000

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
  'late.put': { field: string; text: string }
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
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const argsCoverOps: Same<keyof OpArgs, Op> = true
const repliesCoverOps: Same<keyof OpReplies, Op> = true
void argsCoverOps
void repliesCoverOps

// ---- reply decoding: one small validator per op ----------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isStr = (v: unknown): v is string => typeof v === 'string'
const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr)
const numOrNull = (v: unknown): number | null | undefined => (v === null ? null : isNum(v) ? v : undefined)
const nothing = (): Record<string, never> => ({})

function readLimits(v: unknown): HelloReply['limits'] {
  if (!isRecord(v)) return undefined
  const out: NonNullable<HelloReply['limits']> = {}
  if (isNum(v.max_note_chars)) out.max_note_chars = v.max_note_chars
  if (isNum(v.max_notes)) out.max_notes = v.max_notes
  return out
}

/** A hello reply, or null when it lacks a role or the server clock. */
export function readHelloReply(r: Record<string, unknown>): HelloReply | null {
  if (!isRole(r.role) || !isNum(r.server_ms)) return null
  const out: HelloReply = { role: r.role, author_id: isStr(r.author_id) ? r.author_id : null, server_ms: r.server_ms }
  if (isStr(r.board)) out.board = r.board
  const limits = readLimits(r.limits)
  if (limits) out.limits = limits
  if (isStr(r.join_code)) out.join_code = r.join_code
  if (Array.isArray(r.private_notes))
    out.private_notes = r.private_notes.map(readPrivateNote).filter((n): n is PrivateNote => n !== null)
  if (Array.isArray(r.late_notes)) out.late_notes = readLateNotes(r.late_notes)
  if (r.vote !== undefined) out.vote = readBallot(r.vote)
  return out
}

export function readLateNotes(list: unknown[]): LateNote[] {
  const out: LateNote[] = []
  for (const v of list) {
    if (!isRecord(v) || !isStr(v.id) || !isStr(v.field) || !isStr(v.text)) continue
    out.push({
      id: v.id,
      field: v.field,
      text: v.text,
      author: isStr(v.author) ? v.author : null,
      group: isStr(v.group) ? v.group : null,
      created_at: isNum(v.created_at) ? v.created_at : 0
    })
  }
  return out
}

function readParams(v: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  if (!isRecord(v)) return out
  for (const [k, x] of Object.entries(v)) if (isStr(x) || isNum(x)) out[k] = x
  return out
}

function readRejected(rec: Record<string, unknown>): RejectedEvent {
  const notes: RefusedNote[] = []
  for (const n of Array.isArray(rec.notes) ? rec.notes : []) {
    if (isRecord(n) && isStr(n.id) && isStr(n.code))
      notes.push({ id: n.id, code: n.code, params: readParams(n.params) })
  }
  const parked: ParkedNote[] = []
  for (const n of Array.isArray(rec.parked) ? rec.parked : []) {
    if (isRecord(n) && isStr(n.id) && isStr(n.text))
      parked.push({ id: n.id, field: isStr(n.field) ? n.field : null, text: n.text })
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

function readVoteResults(v: unknown): Record<string, VoteResult> | null {
  if (!isRecord(v)) return null
  const out: Record<string, VoteResult> = {}
  for (const [note, res] of Object.entries(v)) {
    if (!isRecord(res) || !isNum(res.total) || !isRecord(res.by_group)) return null
    const byGroup: Record<string, number> = {}
    for (const [g, n] of Object.entries(res.by_group)) if (isNum(n)) byGroup[g] = n
    out[note] = { total: res.total, by_group: byGroup }
  }
  return out
}

function readJoinCode(r: Record<string, unknown>): { join_code?: string; join_code_expires_at: number | null } {
  return {
    ...(isStr(r.join_code) ? { join_code: r.join_code } : {}),
    join_code_expires_at: isNum(r.join_code_expires_at) ? r.join_code_expires_at : null
  }
}

const readId = (r: Record<string, unknown>): { id: string } | null => (isStr(r.id) ? { id: r.id } : null)

type ReplyReader<K extends Op> = (r: Record<string, unknown>) => OpReplies[K] | null

/** Each op's reply, checked; null when a field is missing or of the wrong type. */
export const REPLY_READERS: { [K in Op]: ReplyReader<K> } = {
  hello: readHelloReply,
  clock: (r) => (isNum(r.server_ms) ? { server_ms: r.server_ms } : null),
  'agenda.set': (r) => (isNum(r.total_minutes) ? { total_minutes: r.total_minutes } : null),
  'timer.start': (r) =>
    isNum(r.ends_at) && isNum(r.server_ms) ? { ends_at: r.ends_at, server_ms: r.server_ms } : null,
  'timer.pause': (r) => (isNum(r.remaining_ms) ? { remaining_ms: r.remaining_ms } : null),
  'timer.resume': (r) =>
    isNum(r.ends_at) && isNum(r.server_ms) ? { ends_at: r.ends_at, server_ms: r.server_ms } : null,
  'timer.extend': (r) => {
    const endsAt = numOrNull(r.ends_at)
    const remaining = numOrNull(r.remaining_ms)
    return endsAt === undefined || remaining === undefined ? null : { ends_at: endsAt, remaining_ms: remaining }
  },
  'timer.stop': nothing,
  'lock.set': (r) => (isStrList(r.locks) ? { locks: r.locks } : null),
  'focus.set': (r) => (isNum(r.seq) ? { seq: r.seq } : null),
  'view.set': (r) => (isStrList(r.compact) ? { compact: r.compact } : null),
  'projector.push': (r) => (isNum(r.seq) ? { seq: r.seq } : null),
  'private.set': (r) => {
    const out: OpReplies['private.set'] = {}
    if (r.private !== undefined) {
      if (!isStrList(r.private)) return null
      out.private = r.private
    }
    if (r.revealed !== undefined) {
      if (!isNum(r.revealed)) return null
      out.revealed = r.revealed
    }
    return out
  },
  'private.reveal': (r) => (isNum(r.revealed) ? { revealed: r.revealed } : null),
  'private.put': (r) => (isStr(r.id) ? { id: r.id } : null),
  'private.delete': nothing,
  'late.put': (r) => (isStr(r.id) ? { id: r.id } : null),
  'late.accept': (r) => (isStr(r.id) ? { id: r.id } : null),
  'late.dismiss': nothing,
  'vote.open': (r) => (isStr(r.round) ? { round: r.round } : null),
  'vote.cast': (r) => readBallot(r),
  'vote.retract': (r) => readBallot(r),
  'vote.close': (r) => {
    const results = readVoteResults(r.results)
    return results && isNum(r.voters) ? { results, voters: r.voters } : null
  },
  'vote.cancel': nothing,
  'snapshot.create': (r) =>
    isStr(r.sid) && isNum(r.notes) && isNum(r.created_at)
      ? { sid: r.sid, notes: r.notes, created_at: r.created_at }
      : null,
  'snapshot.restore': (r) => (isStr(r.before) ? { before: r.before } : null),
  'link.rotate': (r) => {
    if (!isRole(r.role) || !isStr(r.token)) return null
    return isStr(r.join_code) ? { role: r.role, token: r.token, ...readJoinCode(r) } : { role: r.role, token: r.token }
  },
  'join.rotate': (r) => (isStr(r.join_code) ? readJoinCode(r) : {}),
  'board.settings': (r) => (isStrList(r.changed) ? { changed: r.changed } : null),
  'decision.add': readId,
  'decision.edit': readId,
  'decision.delete': readId
}

// ---- events ---------------------------------------------------------------------------------

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

export interface ErrorInfo {
  code: ErrorCode | string
  message: string
}

export type Reply =
  | { re: number | null; ok: true; [key: string]: unknown }
  | { re: number | null; ok: false; error: ErrorInfo }

export type ServerMessage = Reply | AppEvent

export function encodeRequest<K extends Op>(id: number, op: K, args: OpArgs[K]): Uint8Array {
  // undefined optional arguments are left out (the server reads a nil as a given value)
  const payload = encode({ ...args, id, op }, { ignoreUndefined: true })
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, MESSAGE_APP)
  encoding.writeVarUint8Array(enc, payload)
  return encoding.toUint8Array(enc)
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

export function readPrivateNote(v: unknown): PrivateNote | null {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.field !== 'string') return null
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined)
  return {
    id: v.id,
    field: v.field,
    text: typeof v.text === 'string' ? v.text : '',
    color: typeof v.color === 'string' ? v.color : undefined,
    x: num(v.x),
    y: num(v.y),
    group: typeof v.group === 'string' ? v.group : null,
    author: typeof v.author === 'string' ? v.author : null,
    created_at: num(v.created_at) ?? 0,
    updated_at: num(v.updated_at) ?? 0
  }
}

export function readBallot(v: unknown): BallotState {
  if (!isRecord(v)) return { state: 'idle' }
  const state = v.state === 'open' || v.state === 'closed' ? v.state : 'idle'
  const out: BallotState = { state }
  if (typeof v.round === 'string') out.round = v.round
  if (isRecord(v.mine)) {
    const mine: Record<string, number> = {}
    for (const [k, n] of Object.entries(v.mine)) if (typeof n === 'number' && n > 0) mine[k] = n
    out.mine = mine
  }
  if (typeof v.remaining === 'number') out.remaining = v.remaining
  return out
}

/** Decode the payload of a type-100 frame (after the type); null if it is not a valid map. */
export function decodeServerMessage(payload: Uint8Array): ServerMessage | null {
  let data: unknown
  try {
    data = decode(payload)
  } catch {
    return null
  }
  if (!isRecord(data)) return null
  if (typeof data.ev === 'string') return readEvent(data)
  if (typeof data.ok === 'boolean') {
    if (data.ok) return { ...data, re: typeof data.re === 'number' ? data.re : null, ok: true }
    const err = isRecord(data.error) ? data.error : {}
    return {
      re: typeof data.re === 'number' ? data.re : null,
      ok: false,
      error: { code: String(err.code ?? 'invalid'), message: String(err.message ?? '') }
    }
  }
  return null
}

/** Read the length-prefixed msgpack payload of a type-100 frame from a lib0 decoder. */
export function readAppPayload(decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder)
}

/** A refused request: `code` is a server error code, or `offline` / `timeout` from here. */
export class AppRequestError extends Error {
  readonly code: string
  readonly op: Op
  constructor(op: Op, info: ErrorInfo) {
    super(info.message)
    this.code = info.code
    this.op = op
  }
}

/** Why a request failed, for the words people read: a server error code, or `offline` /
 * `timeout` from here (anything unknown counts as `invalid`). */
export type RefusalCode = ErrorCode | 'offline' | 'timeout'

export function refusalCode(err: unknown): RefusalCode {
  if (!(err instanceof AppRequestError)) return 'offline'
  if (err.code === 'offline' || err.code === 'timeout' || isErrorCode(err.code)) return err.code
  return 'invalid'
}

type Pending = { op: Op; resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }

/** Decode a successful reply for `op`; a malformed one becomes an `invalid` error. */
export function readReply<K extends Op>(op: K, r: Record<string, unknown>): OpReplies[K] {
  const reader: ReplyReader<K> = REPLY_READERS[op]
  const reply = reader(r)
  if (reply === null) throw new AppRequestError(op, { code: 'invalid', message: `malformed reply to ${op}` })
  return reply
}

/**
 * Request/reply bookkeeping over some `send`. Replies resolve the matching request;
 * events go to listeners. Pending requests fail when the connection drops.
 */
export class AppChannel {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly listeners = new Set<(ev: AppEvent) => void>()
  private sender: ((frame: Uint8Array) => boolean) | null = null

  /** Set the sender while a connection is open; null while disconnected. */
  attach(send: ((frame: Uint8Array) => boolean) | null): void {
    this.sender = send
    if (send === null) {
      for (const p of this.pending.values())
        p.reject(new AppRequestError(p.op, { code: 'offline', message: 'disconnected' }))
      this.pending.clear()
    }
  }

  get connected(): boolean {
    return this.sender !== null
  }

  request<K extends Op>(op: K, args: OpArgs[K], timeoutMs = REQUEST_TIMEOUT_MS): Promise<OpReplies[K]> {
    const id = this.nextId
    this.nextId = this.nextId + 1 >= MAX_REQUEST_ID ? 1 : this.nextId + 1
    return new Promise((resolve, reject) => {
      if (!this.sender?.(encodeRequest(id, op, args))) {
        reject(new AppRequestError(op, { code: 'offline', message: 'not connected' }))
        return
      }
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new AppRequestError(op, { code: 'timeout', message: `no reply to ${op}` }))
      }, timeoutMs)
      this.pending.set(id, {
        op,
        resolve: (r) => {
          clearTimeout(timer)
          try {
            resolve(readReply(op, r))
          } catch (err) {
            reject(err)
          }
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        }
      })
    })
  }

  onEvent(fn: (ev: AppEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  receive(payload: Uint8Array): void {
    const msg = decodeServerMessage(payload)
    if (msg === null) return
    if (!('ok' in msg)) {
      for (const fn of this.listeners) fn(msg)
      return
    }
    const re = typeof msg.re === 'number' ? msg.re : null
    const waiting = re === null ? undefined : this.pending.get(re)
    if (!waiting || re === null) return
    this.pending.delete(re)
    if (msg.ok) waiting.resolve(msg)
    else waiting.reject(new AppRequestError(waiting.op, msg.error))
  }
}
