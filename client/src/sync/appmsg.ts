// App messages (outer y-websocket message type 100): msgpack maps, mirror of
// server/sync/appmsg.py. Client -> server {id, op, ...args}; server -> client replies
// {re, ok, ...} or {re, ok: false, error: {code, message}}, and events {ev, ...}.
// The op names, who may send them, the error codes, the event names and their fields come
// from vocab.gen.ts, generated from server/sync/vocabulary.py: one list for both sides.
// Replies and events are checked field by field before use (any server is only semi-trusted).
// The messages live in appTypes.ts (ops), appReplies.ts, appEvents.ts; AppChannel.ts pairs
// requests with replies. This module frames and unframes them.
import { decode, encode } from '@msgpack/msgpack'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { type AppEvent, readEvent } from './appEvents'
import { type ErrorCode, isErrorCode, type Op, type OpArgs } from './appTypes'
import { isRecord } from './appValues'

export const MESSAGE_APP = 100

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
