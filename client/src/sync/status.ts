// Connection and sync status as a small observable (no DOM here).

export type Connection = 'offline' | 'connecting' | 'syncing' | 'synced'

export interface Status {
  connection: Connection
  /** The browser reports no network (navigator.onLine / 'offline' event). */
  networkDown: boolean
  /** IndexedDB copy loaded: the board is available on this device. */
  localReady: boolean
  /** A close the provider will not recover from (4400-4499): code and reason. */
  fatal: { code: number; reason: string } | null
  /** The last transient close (45xx), cleared once synced again. */
  transient: { code: number; reason: string } | null
}

type Listener = (s: Status) => void

export class StatusStore {
  private state: Status
  private readonly listeners = new Set<Listener>()

  constructor(networkDown: boolean) {
    this.state = {
      connection: networkDown ? 'offline' : 'connecting',
      networkDown,
      localReady: false,
      fatal: null,
      transient: null
    }
  }

  get(): Status {
    return this.state
  }

  set(patch: Partial<Status>): void {
    const next = { ...this.state, ...patch }
    if (next.connection === 'synced') next.transient = null
    const changed = (Object.keys(next) as Array<keyof Status>).some((k) => next[k] !== this.state[k])
    if (!changed) return
    this.state = next
    for (const fn of this.listeners) fn(next)
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    fn(this.state)
    return () => this.listeners.delete(fn)
  }
}
