// The words this person last wrote into a note's plain-string keys (an action's owner and
// due date). Yjs keeps one value per key: of two writes at the same moment, one replaces
// the other (P266), and what was replaced is gone from every copy, the server's too. So
// the device remembers its own last words until the server says they were overtaken;
// then they become a draft, like words the server hands back (P262).
import type { ParkedNote } from '../sync/appTypes'

export interface RecentStorage {
  read: () => unknown
  write: (entries: RecentEntry[]) => void
}

export interface RecentEntry {
  note: string
  field: string | null
  keys: Record<string, string>
  /** Where each key's value was written (a Yjs item id), to tell whether it lost. */
  ids?: Record<string, [number, number]>
  at: number
}

/** Whether the value of `key` written at `at` lost to a write that never saw it. */
export type Overtaken = (key: string, at: [number, number] | null) => boolean

/** Enough for a morning's edits of one person; the oldest go first. */
const MAX_ENTRIES = 100
/** An overtaken write is told within a reconnect; a week covers a long offline spell. */
const KEEP_MS = 7 * 24 * 3600 * 1000

function isEntry(v: unknown): v is RecentEntry {
  if (typeof v !== 'object' || v === null) return false
  const e = v as Record<string, unknown>
  return (
    typeof e.note === 'string' &&
    (e.field === null || typeof e.field === 'string') &&
    typeof e.at === 'number' &&
    typeof e.keys === 'object' &&
    e.keys !== null &&
    Object.values(e.keys).every((x) => typeof x === 'string') &&
    (e.ids === undefined ||
      (typeof e.ids === 'object' &&
        e.ids !== null &&
        Object.values(e.ids).every((x) => Array.isArray(x) && x.length === 2 && x.every(Number.isInteger))))
  )
}

export class RecentWrites {
  private entries: RecentEntry[]

  constructor(
    private readonly storage: RecentStorage,
    private readonly now: () => number = Date.now
  ) {
    const stored = storage.read()
    const since = this.now() - KEEP_MS
    this.entries = Array.isArray(stored) ? stored.filter(isEntry).filter((e) => e.at >= since) : []
  }

  /** This person wrote `value` into `key` of `note` (in `field`), as the item `at`. */
  wrote(note: string, field: string | null, key: string, value: string, at: [number, number] | null = null): void {
    const i = this.entries.findIndex((e) => e.note === note)
    const entry = i >= 0 ? this.entries.splice(i, 1)[0] : undefined
    const keys = { ...(entry?.keys ?? {}), [key]: value }
    const ids = { ...(entry?.ids ?? {}) }
    if (at) ids[key] = at
    else delete ids[key]
    this.entries.push({ note, field: field ?? entry?.field ?? null, keys, ids, at: this.now() })
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES)
    this.save()
  }

  /** The words written here into `note` that `current` (the note's values now; null: the
   * note is gone) no longer shows because a write that never saw them won (`overtaken`;
   * a later change by someone who saw them is not a loss), as a draft to park; the note
   * is forgotten either way. */
  lost(note: string, current: Record<string, string> | null, overtaken: Overtaken = () => true): ParkedNote | null {
    const i = this.entries.findIndex((e) => e.note === note)
    if (i < 0) return null
    const [entry] = this.entries.splice(i, 1)
    this.save()
    if (!entry) return null
    const keys: Record<string, string> = {}
    for (const [key, value] of Object.entries(entry.keys)) {
      if (value.trim() && current?.[key] !== value && overtaken(key, entry.ids?.[key] ?? null)) keys[key] = value
    }
    if (Object.keys(keys).length === 0) return null
    return { id: note, field: entry.field, text: '', keys }
  }

  size(): number {
    return this.entries.length
  }

  private save(): void {
    this.storage.write(this.entries)
  }
}
