// Request/reply bookkeeping for app messages over whatever connection is open.
import type { AppEvent } from './appEvents'
import { AppRequestError, decodeServerMessage, encodeRequest } from './appmsg'
import { readReply } from './appReplies'
import type { Op, OpArgs, OpReplies } from './appTypes'

export const MAX_REQUEST_ID = 2 ** 31
export const REQUEST_TIMEOUT_MS = 10000

type Pending = { op: Op; resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }

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
