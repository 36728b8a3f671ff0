// App messages (outer y-websocket message type 100): msgpack maps, mirror of
// server/sync/appmsg.py. Client -> server {id, op, ...args}; server -> client replies
// {re, ok, ...} or {re, ok: false, error: {code, message}}, and events {ev, ...}.
// The op names, who may send them, the error codes and the event names come from
// ops.gen.ts, generated from server/sync/ops.py: one list for both sides.
import { decode, encode } from '@msgpack/msgpack'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ERROR_CODES, type ErrorCode, type EventName, type Op, OPS } from './ops.gen'

export type { ErrorCode, EventName, Op }
export { OPS }

export const MESSAGE_APP = 100
export const MAX_REQUEST_ID = 2 ** 31
export const REQUEST_TIMEOUT_MS = 10000

export type Role = 'moderator' | 'participant' | 'viewer' | 'projector'
export const ROLES: readonly Role[] = ['moderator', 'participant', 'viewer', 'projector']
export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v)
/** Viewers and projector links only watch (the server refuses their changes, P10). */
export const readOnlyRole = (role: Role | null): boolean => role === 'viewer' || role === 'projector'

/** True when `role` may send `op` (the server checks the same table). */
export function allowed (role: Role | null, op: Op): boolean {
  return role !== null && (OPS[op] as readonly string[]).includes(role)
}

export function isErrorCode (v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v)
}

// ---- arguments and replies, one entry per op ---------------------------------------------

export interface AgendaItemInput { id: string, minutes: number, label?: string | null, part?: string | null }
export type LockTarget = { field: string, part?: undefined } | { part: string, field?: undefined }

export interface PrivateNoteInput {
  note: string
  field: string
  text: string
  color?: string
  x?: number
  y?: number
}

export interface OpArgs {
  'hello': { pid?: string, name?: string, group?: string }
  'clock': Record<string, never>
  'agenda.set': { items: AgendaItemInput[] }
  'timer.start': { target: string, seconds: number, lock_on_end?: boolean }
  'timer.pause': Record<string, never>
  'timer.resume': Record<string, never>
  'timer.extend': { seconds: number }
  'timer.stop': Record<string, never>
  'lock.set': LockTarget & { locked: boolean }
  'focus.set': { field: string | null, follow?: boolean }
  'private.set': { field: string, on: boolean }
  'private.reveal': { field: string }
  'private.put': PrivateNoteInput
  'private.delete': { note: string }
  'vote.open': { fields: string[], per_person: number, max_per_note?: number }
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

export interface VoteResult { total: number, by_group: Record<string, number> }

export interface HelloReply {
  role: Role
  author_id: string | null
  server_ms: number
  board?: string
  limits?: { max_note_chars?: number, max_notes?: number }
  join_code?: string
  /** When the join code stops working (server epoch ms); null: never. */
  join_code_expires_at?: number | null
  private_notes?: PrivateNote[]
  vote?: BallotState
}

export interface OpReplies {
  'hello': HelloReply
  'clock': { server_ms: number }
  'agenda.set': { total_minutes: number }
  'timer.start': { ends_at: number, server_ms: number }
  'timer.pause': { remaining_ms: number }
  'timer.resume': { ends_at: number, server_ms: number }
  'timer.extend': { ends_at: number | null, remaining_ms: number | null }
  'timer.stop': Record<string, never>
  'lock.set': { locks: string[] }
  'focus.set': { seq: number }
  'private.set': { private?: string[], revealed?: number }
  'private.reveal': { revealed: number }
  'private.put': { id: string }
  'private.delete': Record<string, never>
  'vote.open': { round: string }
  'vote.cast': BallotState
  'vote.retract': BallotState
  'vote.close': { results: Record<string, VoteResult>, voters: number }
  'vote.cancel': Record<string, never>
  'snapshot.create': { sid: string, notes: number, created_at: number }
  'snapshot.restore': { before: string }
  'link.rotate': { role: Role, token: string, join_code?: string, join_code_expires_at?: number | null }
  'join.rotate': { join_code?: string, join_code_expires_at?: number | null }
  'board.settings': { changed: string[] }
}

// Compile-time check: the tables above name exactly the generated ops.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const argsCoverOps: Same<keyof OpArgs, Op> = true
const repliesCoverOps: Same<keyof OpReplies, Op> = true
void argsCoverOps
void repliesCoverOps

// ---- events ---------------------------------------------------------------------------------

export type RejectedEvent = { ev: 'rejected', code: ErrorCode | string, reason: string }
export type PrivateNotesEvent = { ev: 'private.notes', notes: PrivateNote[] }
export type VoteStateEvent = { ev: 'vote.state' } & BallotState
export type LinkRotatedEvent = { ev: 'link.rotated', role: Role }
export type TimerEndedEvent = { ev: 'timer.ended', target?: string }
/** P46/P142: the join code changed or was hidden (moderators and projector links only). */
export type JoinCodeEvent = { ev: 'join.code', join_code: string | null, join_code_expires_at: number | null }
export type AppEvent = RejectedEvent | PrivateNotesEvent | VoteStateEvent | LinkRotatedEvent | TimerEndedEvent | JoinCodeEvent

export interface ErrorInfo {
  code: ErrorCode | string
  message: string
}

export type Reply =
  | { re: number | null, ok: true, [key: string]: unknown }
  | { re: number | null, ok: false, error: ErrorInfo }

export type ServerMessage = Reply | AppEvent

export function encodeRequest<K extends Op> (id: number, op: K, args: OpArgs[K]): Uint8Array {
  // undefined optional arguments are left out (the server reads a nil as a given value)
  const payload = encode({ ...args, id, op }, { ignoreUndefined: true })
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, MESSAGE_APP)
  encoding.writeVarUint8Array(enc, payload)
  return encoding.toUint8Array(enc)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An event the server may send, with its fields checked (any server is only semi-trusted). */
export function readEvent (rec: Record<string, unknown>): AppEvent | null {
  switch (rec.ev) {
    case 'rejected':
      return { ev: 'rejected', code: String(rec.code ?? 'invalid'), reason: typeof rec.reason === 'string' ? rec.reason : '' }
    case 'private.notes': {
      const notes = Array.isArray(rec.notes) ? rec.notes.map(readPrivateNote).filter((n): n is PrivateNote => n !== null) : []
      return { ev: 'private.notes', notes }
    }
    case 'vote.state':
      return { ev: 'vote.state', ...readBallot(rec) }
    case 'link.rotated':
      return isRole(rec.role) ? { ev: 'link.rotated', role: rec.role } : null
    case 'join.code':
      return {
        ev: 'join.code',
        join_code: typeof rec.join_code === 'string' ? rec.join_code : null,
        join_code_expires_at: typeof rec.join_code_expires_at === 'number' ? rec.join_code_expires_at : null
      }
    case 'timer.ended':
      return { ev: 'timer.ended', target: typeof rec.target === 'string' ? rec.target : undefined }
    default:
      return null
  }
}

export function readPrivateNote (v: unknown): PrivateNote | null {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.field !== 'string') return null
  const num = (x: unknown): number | undefined => typeof x === 'number' && Number.isFinite(x) ? x : undefined
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

export function readBallot (v: unknown): BallotState {
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
export function decodeServerMessage (payload: Uint8Array): ServerMessage | null {
  let data: unknown
  try {
    data = decode(payload)
  } catch {
    return null
  }
  if (!isRecord(data)) return null
  if (typeof data.ev === 'string') return readEvent(data)
  if (typeof data.ok === 'boolean') {
    if (data.ok) return data as Reply
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
export function readAppPayload (decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder)
}

/** A refused request: `code` is a server error code, or `offline` / `timeout` from here. */
export class AppRequestError extends Error {
  readonly code: string
  readonly op: Op
  constructor (op: Op, info: ErrorInfo) {
    super(info.message)
    this.code = info.code
    this.op = op
  }
}

type Pending = { op: Op, resolve: (r: Record<string, unknown>) => void, reject: (e: Error) => void }

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
  attach (send: ((frame: Uint8Array) => boolean) | null): void {
    this.sender = send
    if (send === null) {
      for (const p of this.pending.values()) p.reject(new AppRequestError(p.op, { code: 'offline', message: 'disconnected' }))
      this.pending.clear()
    }
  }

  get connected (): boolean {
    return this.sender !== null
  }

  request<K extends Op> (op: K, args: OpArgs[K], timeoutMs = REQUEST_TIMEOUT_MS): Promise<OpReplies[K]> {
    const id = this.nextId
    this.nextId = this.nextId + 1 >= MAX_REQUEST_ID ? 1 : this.nextId + 1
    return new Promise((resolve, reject) => {
      if (!this.sender || !this.sender(encodeRequest(id, op, args))) {
        reject(new AppRequestError(op, { code: 'offline', message: 'not connected' }))
        return
      }
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new AppRequestError(op, { code: 'timeout', message: `no reply to ${op}` }))
      }, timeoutMs)
      this.pending.set(id, {
        op,
        resolve: (r) => { clearTimeout(timer); resolve(r as unknown as OpReplies[K]) },
        reject: (e) => { clearTimeout(timer); reject(e) }
      })
    })
  }

  onEvent (fn: (ev: AppEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  receive (payload: Uint8Array): void {
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

export function isHelloReply (r: unknown): r is HelloReply {
  return isRecord(r) && isRole(r.role)
}
