// Test support, never bundled: the server's side of the app channel in memory. It reads
// the client's type-100 frames as the server would and answers through a real AppChannel.
import { decode, encode } from '@msgpack/msgpack'
import * as decoding from 'lib0/decoding'
import { AppChannel } from '../sync/AppChannel'
import { MESSAGE_APP } from '../sync/appmsg'

export interface SentRequest {
  id: number
  op: string
  args: Record<string, unknown>
}

/** What the peer answers to a request: reply fields, a refusal, or nothing (held). */
export type Answer = { ok: Record<string, unknown> } | { error: { code: string; message: string } } | null

/** Read one client frame: `varUint(100)`, then a msgpack map `{id, op, ...args}`. */
export function readFrame(frame: Uint8Array): SentRequest {
  const dec = decoding.createDecoder(frame)
  const type = decoding.readVarUint(dec)
  if (type !== MESSAGE_APP) throw new Error(`frame of type ${type}, not ${MESSAGE_APP}`)
  const payload = decoding.readVarUint8Array(dec)
  if (decoding.hasContent(dec)) throw new Error('trailing bytes after the app message')
  const data: unknown = decode(payload)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not a map')
  const { id, op, ...args } = data as Record<string, unknown>
  if (typeof id !== 'number' || typeof op !== 'string') throw new Error('no id or op')
  return { id, op, args }
}

export class AppPeer {
  readonly app = new AppChannel()
  readonly sent: SentRequest[] = []
  answer: (req: SentRequest) => Answer = () => ({ ok: {} })

  connect(): void {
    this.app.attach((frame) => {
      const req = readFrame(frame)
      this.sent.push(req)
      const answer = this.answer(req)
      if (answer !== null) queueMicrotask(() => this.send(req.id, answer))
      return true
    })
  }

  disconnect(): void {
    this.app.attach(null)
  }

  send(re: number | null, answer: NonNullable<Answer>): void {
    const body = 'ok' in answer ? { re, ok: true, ...answer.ok } : { re, ok: false, error: answer.error }
    this.app.receive(encode(body))
  }

  event(ev: string, fields: Record<string, unknown> = {}): void {
    this.app.receive(encode({ ev, ...fields }))
  }
}
