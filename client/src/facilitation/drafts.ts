// Parked drafts: words this person could not place (a field locked while they typed, or a
// change refused after working offline: the server hands them back, P262), kept on this
// device until their author moves them to an open field, hands them in as a late note for
// the moderator (P264) or discards them. Never silently: only the author removes one.
import type { RejectedEvent } from '../sync/appEvents'
import type { ParkedNote } from '../sync/appTypes'
import { Signal } from './signal'

export interface Draft {
  id: string
  /** The note it came from, if any (a refused edit of an existing note). */
  note: string | null
  /** The field it was meant for. */
  field: string | null
  text: string
  /** Why it could not be placed: a server error code and its values (P263). */
  code: string
  params: Record<string, string | number>
  at: number
  /** Values of the note's plain-string keys a concurrent write replaced (P266): they can
   * be written back into that note. */
  keys?: Record<string, string>
}

export interface DraftStorage {
  read: () => unknown
  write: (drafts: Draft[]) => void
}

const MAX_DRAFTS = 200

function isDraft(v: unknown): v is Draft {
  if (typeof v !== 'object' || v === null) return false
  const d = v as Record<string, unknown>
  return (
    typeof d.id === 'string' &&
    typeof d.text === 'string' &&
    typeof d.code === 'string' &&
    typeof d.at === 'number' &&
    (d.field === null || typeof d.field === 'string') &&
    (d.note === null || typeof d.note === 'string') &&
    typeof d.params === 'object' &&
    d.params !== null &&
    (d.keys === undefined ||
      (typeof d.keys === 'object' && d.keys !== null && Object.values(d.keys).every((v) => typeof v === 'string')))
  )
}

export class Drafts {
  readonly changed = new Signal()
  /** Someone asked to see the drafts (`focus`: the one to start with). */
  readonly openRequested = new Signal()
  focus: string | null = null
  private list: Draft[]
  private readonly storage: DraftStorage
  private seq = 0

  constructor(storage: DraftStorage) {
    this.storage = storage
    const stored = storage.read()
    this.list = Array.isArray(stored) ? stored.filter(isDraft) : []
  }

  /** Read the list again: another tab of this board changed it (the `storage` event). */
  reload(): void {
    const stored = this.storage.read()
    this.list = Array.isArray(stored) ? stored.filter(isDraft) : []
    this.changed.emit()
  }

  all(): Draft[] {
    return [...this.list]
  }

  get(id: string): Draft | undefined {
    return this.list.find((d) => d.id === id)
  }

  /** Names a note key of a note meant for `field` in the reader's language (set by the
   * composition root: the field's column heading where it has one). */
  keyLabel: (key: string, field: string | null) => string = (key) => key
  /** Writes a key's value for the reader (a due date as a date of their language). */
  keyValue: (key: string, value: string) => string = (_key, value) => value

  /** Park what the server handed back; returns how many drafts are new or changed. */
  fromRejected(ev: RejectedEvent): number {
    let n = 0
    for (const p of ev.parked) {
      const refusal = ev.notes.find((r) => r.id === p.id)
      const text = [
        p.text,
        ...Object.entries(p.keys ?? {}).map(
          ([k, v]) => `${this.keyLabel(k, p.field).replace(/[\s:?]+$/u, '')}: ${this.keyValue(k, v)}`
        )
      ]
        .filter((line) => line.trim())
        .join('\n')
      if (this.park({ id: p.id, field: p.field, text }, refusal?.code ?? ev.code, refusal?.params ?? ev.params)) n++
    }
    return n
  }

  /** P266: the writer's words in notes where a concurrent write replaced them; `lost`
   * says what this device wrote there that the note no longer shows. */
  fromOvertaken(ev: RejectedEvent, lost: (note: string) => ParkedNote | null): number {
    if (ev.code !== 'conflict' || ev.params.why !== 'overtaken') return 0
    const parked = ev.notes.flatMap((n) => {
      const p = lost(n.id)
      return p ? [p] : []
    })
    const n = this.fromRejected({ ...ev, parked })
    if (n) this.attachKeys(parked)
    return n
  }

  /** Let the drafts of these notes write their owner and due words back into the note
   * (P266's "Wieder eintragen"), not only show them. */
  attachKeys(parked: ParkedNote[]): void {
    for (const p of parked) {
      const d = this.list.filter((x) => x.note === p.id).at(-1)
      const keys = Object.fromEntries(Object.entries(p.keys ?? {}).filter(([k]) => k === 'owner' || k === 'due'))
      if (d && Object.keys(keys).length) d.keys = { ...(d.keys ?? {}), ...keys }
    }
    this.save()
  }

  /** Keep `parked` unless a draft of the same note already holds that text or more of it. */
  park(parked: ParkedNote, code: string, params: Record<string, string | number>): boolean {
    const same = this.list.find((d) => d.note === parked.id)
    if (same) {
      if (same.text === parked.text || same.text.startsWith(parked.text)) return false
      if (parked.text.startsWith(same.text)) {
        same.text = parked.text
        this.save()
        return true
      }
    }
    this.list.push({
      id: `draft-${Date.now().toString(36)}-${(this.seq++).toString(36)}`,
      note: parked.id,
      field: parked.field,
      text: parked.text,
      code,
      params,
      at: Date.now()
    })
    if (this.list.length > MAX_DRAFTS) this.list.splice(0, this.list.length - MAX_DRAFTS)
    this.save()
    return true
  }

  /** A key typed into a note whose field is locked (`typing`: it locked while the person
   * was in the note): the words go on in a draft, the one of that note if there is one
   * already (the server may have parked it first). */
  fromLockedNote(note: string, field: string, current: string, key: string, typing = true): string {
    // the draft this typing goes on in: one that begins with what the note shows; an
    // older draft of other words (refused before, the note changed since) stays as it is
    const same = this.list.filter((d) => d.note === note && d.text.startsWith(current)).at(-1)
    if (same) {
      same.text += key
      this.save()
      return same.id
    }
    this.park({ id: note, field, text: current + key }, 'locked', { field, typing: typing ? 1 : 0 })
    return this.list.filter((d) => d.note === note).at(-1)?.id ?? ''
  }

  requestOpen(focus: string | null = null): void {
    this.focus = focus
    this.openRequested.emit()
  }

  setText(id: string, text: string): void {
    const d = this.get(id)
    if (!d || d.text === text) return
    d.text = text
    this.save()
  }

  /** Only ever called on the author's request (moved, handed in, or discarded). */
  remove(id: string): void {
    const before = this.list.length
    this.list = this.list.filter((d) => d.id !== id)
    if (this.list.length !== before) this.save()
  }

  private save(): void {
    this.storage.write(this.list)
    this.changed.emit()
  }
}
