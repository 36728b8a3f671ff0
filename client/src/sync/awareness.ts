// Own presence (name, group, cursor, live drag, editing), throttled; and others' presence,
// validated, since any client may publish anything.
import { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { CURSOR_INTERVAL_MS, DRAG_INTERVAL_MS } from '../config'

export interface UserInfo {
  name: string
  group: string | null
  color: string
  role: string
}

export interface Point {
  x: number
  y: number
}
export interface DragInfo {
  note: string
  field: string
  x: number
  y: number
}

export interface PresenceState {
  user: UserInfo
  cursor: Point | null
  drag: DragInfo | null
  editing: string | null
}

export interface Peer extends PresenceState {
  clientId: number
}

const HEX = /^#[0-9a-fA-F]{6}$/

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

export function readPresence(raw: unknown): PresenceState | null {
  if (typeof raw !== 'object' || raw === null) return null
  const r = raw as Record<string, unknown>
  const u = r.user as Record<string, unknown> | undefined
  if (typeof u !== 'object' || u === null || typeof u.name !== 'string') return null
  const user: UserInfo = {
    name: u.name.slice(0, 80),
    group: typeof u.group === 'string' ? u.group.slice(0, 64) : null,
    color: typeof u.color === 'string' && HEX.test(u.color) ? u.color : '#555555',
    role: typeof u.role === 'string' ? u.role.slice(0, 16) : 'participant'
  }
  const c = r.cursor as Record<string, unknown> | null | undefined
  const cursor = c && finite(c.x) && finite(c.y) ? { x: c.x, y: c.y } : null
  const d = r.drag as Record<string, unknown> | null | undefined
  const drag =
    d && typeof d.note === 'string' && typeof d.field === 'string' && finite(d.x) && finite(d.y)
      ? { note: d.note, field: d.field, x: d.x, y: d.y }
      : null
  const editing = typeof r.editing === 'string' ? r.editing : null
  return { user, cursor, drag, editing }
}

/** Calls `fn` at most once per `ms` with the latest value (trailing edge kept). */
function throttle<T>(ms: number, fn: (v: T) => void): { push: (v: T) => void; flush: () => void } {
  let last = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let pending: { v: T } | null = null
  const run = (): void => {
    timer = null
    if (!pending) return
    const { v } = pending
    pending = null
    last = Date.now()
    fn(v)
  }
  return {
    push: (v: T) => {
      pending = { v }
      const wait = last + ms - Date.now()
      if (wait <= 0 && timer === null) run()
      else if (timer === null) timer = setTimeout(run, Math.max(0, wait))
    },
    flush: () => {
      if (timer !== null) clearTimeout(timer)
      run()
    }
  }
}

export class Presence {
  readonly awareness: Awareness
  private readonly cursor = throttle<Point | null>(CURSOR_INTERVAL_MS, (v) =>
    this.awareness.setLocalStateField('cursor', v)
  )
  private readonly drag = throttle<DragInfo | null>(DRAG_INTERVAL_MS, (v) =>
    this.awareness.setLocalStateField('drag', v)
  )

  constructor(awareness: Awareness, user: UserInfo) {
    this.awareness = awareness
    awareness.setLocalState({ user, cursor: null, drag: null, editing: null } satisfies PresenceState)
  }

  setUser(user: UserInfo): void {
    this.awareness.setLocalStateField('user', user)
  }

  setCursor(p: Point | null): void {
    this.cursor.push(p)
    if (p === null) this.cursor.flush()
  }

  setDrag(d: DragInfo | null): void {
    this.drag.push(d)
    if (d === null) this.drag.flush()
  }

  setEditing(noteId: string | null): void {
    const cur = this.awareness.getLocalState() as Record<string, unknown> | null
    if (cur?.editing === noteId) return
    this.awareness.setLocalStateField('editing', noteId)
  }

  peers(): Peer[] {
    const out: Peer[] = []
    for (const [clientId, raw] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID) continue
      const p = readPresence(raw)
      if (p) out.push({ clientId, ...p })
    }
    return out
  }

  self(): PresenceState | null {
    return readPresence(this.awareness.getLocalState())
  }

  onChange(fn: () => void): () => void {
    const h = (): void => fn()
    this.awareness.on('change', h)
    return () => this.awareness.off('change', h)
  }
}

/** Presence over an awareness nobody else sees (a snapshot shown read-only); destroy it after. */
export function detachedPresence(doc: Y.Doc, user: UserInfo): { presence: Presence; destroy: () => void } {
  const awareness = new Awareness(doc)
  return { presence: new Presence(awareness, user), destroy: () => awareness.destroy() }
}
