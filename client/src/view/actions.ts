// What a person can do to the board, with the checks that give friendly messages first
// (read-only links, limits), then the model operation. No DOM beyond the toasts.
import type * as Y from 'yjs'
import type { Facilitation } from '../facilitation/session'
import { t, tx } from '../i18n'
import type { Board, TextKey } from '../model/board'
import type { Canvas } from '../model/canvas'
import * as notes from '../model/notes'
import type { Presence } from '../sync/awareness'
import type { Toasts } from './toast'

export interface Limits {
  maxChars: number
  maxNotes: number
}

export interface Ctx {
  board: Board
  canvas: Canvas
  presence: Presence
  toasts: Toasts
  undo: Y.UndoManager
  limits: Limits
  readOnly: () => boolean
  moderator: () => boolean
  fac: Facilitation
  author: () => notes.Author
  actions: Actions
  /** A free place for a new note in a field (the canvas knows the fields' sizes). */
  spotIn: (fieldId: string) => { x: number; y: number }
}

export class Actions {
  private readonly ctx: () => Ctx

  constructor(ctx: () => Ctx) {
    this.ctx = ctx
  }

  private writable(): boolean {
    const c = this.ctx()
    if (c.readOnly()) {
      c.toasts.show(t('readonly.edit'))
      return false
    }
    return true
  }

  private lastLockNotice = 0

  /** True when this person may not change notes in `field` now (the moderator locked it). */
  lockedFor(field: string | null | undefined): boolean {
    const c = this.ctx()
    return !!field && !c.moderator() && c.board.lockedFields().has(field)
  }

  /** Tell why nothing happened (at most every few seconds while someone keeps typing). */
  explainLocked(field: string): void {
    const now = Date.now()
    if (now - this.lastLockNotice < 3000) return
    this.lastLockNotice = now
    const c = this.ctx()
    const f = c.canvas.field(field)
    c.toasts.show(t('locked.refused', { field: f ? `${f.id} ${tx(f.label)}` : field }), { kind: 'error' })
  }

  private locked(field: string | null | undefined): boolean {
    if (!field || !this.lockedFor(field)) return false
    this.lastLockNotice = 0
    this.explainLocked(field)
    return true
  }

  private noteLocked(id: string): boolean {
    return this.locked(this.ctx().board.data(id)?.field)
  }

  /** New notes in a field in private writing mode go to the server only (not the document). */
  isPrivateField(field: string): boolean {
    return this.ctx().board.privateFields().has(field)
  }

  addPrivate(spec: notes.NewNote): string | null {
    const c = this.ctx()
    if (!this.writable() || this.locked(spec.field)) return null
    if (!c.fac.app.connected) {
      c.toasts.show(t('private.offline'), { kind: 'error' })
      return null
    }
    return c.fac.privateNotes.create({ field: spec.field, x: spec.x, y: spec.y, color: spec.color, text: spec.text })
  }

  add(spec: notes.NewNote): string | null {
    const c = this.ctx()
    if (!this.writable() || this.locked(spec.field)) return null
    if (c.board.notes.size >= c.limits.maxNotes) {
      c.toasts.show(t('limit.notes', { max: c.limits.maxNotes }), { kind: 'error' })
      return null
    }
    c.undo.stopCapturing()
    const id = notes.addNote(c.board, c.canvas, spec, c.author())
    c.undo.stopCapturing()
    if (id) this.madeHere.add(id)
    return id
  }

  move(id: string, field: string, x: number, y: number, announce = false): void {
    const c = this.ctx()
    if (!this.writable()) return
    const before = c.board.data(id)?.field
    if ((before && this.locked(before)) || this.locked(field)) return
    c.undo.stopCapturing()
    notes.moveNote(c.board, c.canvas, id, field, x, y)
    c.undo.stopCapturing()
    if (announce && before !== field) {
      const f = c.canvas.field(field)
      c.toasts.show(t('note.moved', { field: f ? `${f.id} ${tx(f.label)}` : field }))
    }
  }

  set(id: string, key: 'color' | 'owner' | 'due' | 'format', value: string | null): void {
    if (!this.writable() || this.noteLocked(id)) return
    const c = this.ctx()
    notes.setNoteKey(c.board, id, key, value)
    // words in a plain-string key can be overtaken without a trace (P266): remember them
    if ((key === 'owner' || key === 'due') && value !== null)
      c.fac.recent.wrote(id, c.board.data(id)?.field ?? null, key, value, notes.keyAt(c.board, id, key))
  }

  setDone(id: string, done: boolean): void {
    if (!this.writable() || this.noteLocked(id)) return
    notes.setDone(this.ctx().board, id, done)
  }

  nextColor(id: string): void {
    const c = this.ctx()
    const cur = c.board.data(id)?.color
    const list = c.canvas.def.note_colors
    const i = list.findIndex((x) => x.id === cur)
    const next = list[(i + 1) % list.length]
    if (next) this.set(id, 'color', next.id)
  }

  /** True for notes this person wrote (by author id, or made here while anonymous). */
  isOwn(id: string): boolean {
    const c = this.ctx()
    const mine = c.author().authorId
    const d = c.board.data(id)
    return this.madeHere.has(id) || (!!d && !!mine && d.authorId === mine)
  }

  private readonly madeHere = new Set<string>()

  /** Delete now (callers ask first where needed); a toast offers to undo exactly this. */
  remove(id: string): void {
    const c = this.ctx()
    if (!this.writable() || this.noteLocked(id)) return
    const before = c.board.note(id)
    if (!before) return
    // a copy in case other undoable steps come first: undo then restores only this note
    const copy = before.clone()
    c.undo.stopCapturing()
    notes.deleteNote(c.board, id)
    c.undo.stopCapturing()
    const item = c.undo.undoStack[c.undo.undoStack.length - 1]
    const restore = (): void => {
      if (c.board.note(id)) return
      if (item && c.undo.undoStack[c.undo.undoStack.length - 1] === item) c.undo.undo()
      else notes.restoreNote(c.board, id, copy)
    }
    c.toasts.show(t('note.deleted'), { action: { label: t('note.undo'), run: restore }, ms: 12000 })
  }

  editText(id: string, key: TextKey, index: number, remove: number, insert: string): void {
    const c = this.ctx()
    if (c.readOnly()) return
    const field = c.board.data(id)?.field
    if (this.lockedFor(field)) {
      if (field) this.explainLocked(field)
      return
    }
    notes.editText(c.board, id, key, index, remove, insert)
  }

  ensureText(id: string, key: TextKey): Y.Text | undefined {
    if (this.ctx().readOnly()) return undefined
    return notes.ensureText(this.ctx().board, id, key)
  }

  undo(): void {
    this.ctx().undo.undo()
  }

  redo(): void {
    this.ctx().undo.redo()
  }
}
