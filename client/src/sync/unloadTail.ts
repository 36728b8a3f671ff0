// Keystrokes the device has not stored yet, written down when the page goes away.
//
// y-indexeddb writes every update in a transaction of its own. A page reloaded or
// closed right after a keystroke can lose that transaction, and offline nothing else
// holds the keystroke. So the board keeps its own local updates until a later
// transaction on the same store has completed (IndexedDB runs read-write transactions
// on one store in the order they were opened), and on `pagehide` writes what is still
// open to localStorage, which writes synchronously. The next page applies it first.
import { fromBase64, toBase64 } from 'lib0/buffer'
import * as Y from 'yjs'

/**
 * Calls `done(true)` once everything written so far is stored, `done(false)` if that
 * failed; returns false if it cannot tell yet (the store is not open).
 */
export type Barrier = (done: (stored: boolean) => void) => boolean

/** Storage as far as the tail needs it (localStorage, or a stand-in in tests). */
export type TailStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/** Above this many open updates they are merged into one, so the list stays short. */
const MERGE_AT = 64

export class UnloadTail {
  private open: Uint8Array[] = []
  /** stop() was called: this copy of the board is being dropped (P117, startover.ts). */
  private stopped = false
  /** How many of `open` the running barrier covers (0: none runs). */
  private covered = 0

  constructor(
    private readonly doc: Y.Doc,
    private readonly storage: TailStorage | null,
    private readonly key: string,
    private readonly barrier: Barrier
  ) {
    doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      // what came from the server or this device's copy is stored elsewhere already
      if (!tr.local) return
      this.keep(update)
    })
  }

  /** Applies what the last page wrote down and keeps it open until it is stored again. */
  restore(origin: unknown): boolean {
    let raw: string | null = null
    try {
      raw = this.storage?.getItem(this.key) ?? null
    } catch {
      return false
    }
    if (raw === null) return false
    try {
      const update = fromBase64(raw)
      Y.applyUpdate(this.doc, update, origin)
      this.keep(update)
      return true
    } catch {
      // not ours or damaged: nothing to apply, and nothing to keep for later
      this.forget()
      return false
    }
  }

  /** Opens a barrier for everything kept so far, if none is running. */
  settle(): void {
    if (this.covered > 0 || this.open.length === 0) return
    const count = this.open.length
    this.covered = count
    const started = this.barrier((stored) => {
      this.covered = 0
      if (!stored) return // kept open: the next keystroke tries again
      this.open.splice(0, count)
      if (this.open.length === 0) this.forget()
      else this.settle()
    })
    if (!started) this.covered = 0
  }

  /** Writes what is not stored yet; called when the page is hidden or goes away. */
  flush(): void {
    if (this.stopped || this.open.length === 0 || !this.storage) return
    try {
      this.storage.setItem(this.key, toBase64(Y.mergeUpdates(this.open)))
    } catch {
      // storage full or blocked: IndexedDB may still finish its write
    }
  }

  /** Keeps nothing more and removes what the last page wrote down: the device starts
   * over from the server, and these updates would be refused again. */
  stop(): void {
    this.stopped = true
    this.open = []
    this.forget()
  }

  /** How many updates are not known to be stored (for tests). */
  pending(): number {
    return this.open.length
  }

  private keep(update: Uint8Array): void {
    if (this.stopped) return
    this.open.push(update)
    const free = this.open.length - this.covered
    if (free > MERGE_AT)
      this.open = [...this.open.slice(0, this.covered), Y.mergeUpdates(this.open.slice(this.covered))]
    this.settle()
  }

  private forget(): void {
    try {
      this.storage?.removeItem(this.key)
    } catch {
      // nothing to remove where storage is blocked
    }
  }
}

/** A barrier on y-indexeddb's store: an empty read-write transaction opened after its writes. */
export function idbBarrier(db: () => IDBDatabase | null, store: string): Barrier {
  return (done) => {
    const open = db()
    if (!open) return false
    try {
      const tr = open.transaction([store], 'readwrite')
      tr.oncomplete = () => done(true)
      tr.onabort = () => done(false)
      return true
    } catch {
      return false
    }
  }
}
