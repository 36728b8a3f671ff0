// Private writing: this person's own private notes, held by the server and sent only to
// them (`private.notes` after each change) until the moderator reveals the field. Local
// edits are shown at once and sent debounced; the server's list never overwrites text
// that is still being typed.
import { newNoteId } from '../model/notes'
import type { AppChannel } from '../sync/AppChannel'
import type { PrivateNote } from '../sync/appTypes'
import { Signal } from './signal'

const SEND_AFTER_MS = 400

export interface NewPrivateNote {
  field: string
  x: number
  y: number
  color: string
  text?: string
}

export class PrivateNotes {
  readonly changed = new Signal()
  /** A request was refused: the view explains it. */
  onError: (err: unknown) => void = () => {}
  private notes = new Map<string, PrivateNote>()
  /** Ids in the server's last list. */
  private serverIds = new Set<string>()
  private readonly drafts = new Map<string, { timer: ReturnType<typeof setTimeout> | null; sending: boolean }>()
  private readonly app: AppChannel

  constructor(app: AppChannel) {
    this.app = app
  }

  all(): PrivateNote[] {
    return [...this.notes.values()].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
  }

  inField(field: string): PrivateNote[] {
    return this.all().filter((n) => n.field === field)
  }

  /** Notes with edits not yet confirmed by the server. */
  pending(): number {
    return this.drafts.size
  }

  get(id: string): PrivateNote | undefined {
    return this.notes.get(id)
  }

  /** The server's list (hello reply or event): it wins, except for text being typed. */
  replace(list: PrivateNote[]): void {
    const next = new Map<string, PrivateNote>()
    for (const n of list) {
      const local = this.notes.get(n.id)
      next.set(n.id, local && this.drafts.has(n.id) ? { ...n, text: local.text } : n)
    }
    // notes created here and not yet confirmed stay until the server answers
    for (const [id, d] of this.drafts) {
      const local = this.notes.get(id)
      if (!next.has(id) && local && d.sending) next.set(id, local)
    }
    this.notes = next
    this.serverIds = new Set(list.map((n) => n.id))
    this.changed.emit()
  }

  create(spec: NewPrivateNote): string {
    const id = newNoteId()
    const now = Date.now()
    const note: PrivateNote = {
      id,
      field: spec.field,
      text: spec.text ?? '',
      color: spec.color,
      x: spec.x,
      y: spec.y,
      group: null,
      author: null,
      created_at: now,
      updated_at: now
    }
    this.notes.set(id, note)
    this.changed.emit()
    this.send(id)
    return id
  }

  edit(id: string, text: string): void {
    const note = this.notes.get(id)
    if (!note || note.text === text) return
    this.notes.set(id, { ...note, text })
    const d = this.drafts.get(id) ?? { timer: null, sending: false }
    if (d.timer) clearTimeout(d.timer)
    d.timer = setTimeout(() => {
      d.timer = null
      this.send(id)
    }, SEND_AFTER_MS)
    this.drafts.set(id, d)
  }

  /** Send a pending edit now (leaving the note). */
  flush(id: string): void {
    const d = this.drafts.get(id)
    if (!d?.timer) return
    clearTimeout(d.timer)
    d.timer = null
    this.send(id)
  }

  setColor(id: string, color: string): void {
    const note = this.notes.get(id)
    if (!note) return
    this.notes.set(id, { ...note, color })
    this.changed.emit()
    this.send(id)
  }

  remove(id: string): void {
    const d = this.drafts.get(id)
    if (d?.timer) clearTimeout(d.timer)
    this.drafts.delete(id)
    if (!this.notes.delete(id)) return
    this.changed.emit()
    this.app.request('private.delete', { note: id }).catch((err: unknown) => this.onError(err))
  }

  private send(id: string): void {
    const note = this.notes.get(id)
    if (!note) return
    const d = this.drafts.get(id) ?? { timer: null, sending: false }
    d.sending = true
    this.drafts.set(id, d)
    this.app
      .request('private.put', {
        note: id,
        field: note.field,
        text: note.text,
        color: note.color,
        x: note.x,
        y: note.y
      })
      .then(() => {
        if (!d.timer) this.drafts.delete(id)
        else d.sending = false
      })
      .catch((err: unknown) => {
        if (!d.timer) this.drafts.delete(id)
        else d.sending = false
        // refused and unknown to the server (the field left private mode, a limit): drop it
        if (!this.serverIds.has(id) && !d.timer) {
          this.notes.delete(id)
          this.changed.emit()
        }
        this.onError(err)
      })
  }
}
