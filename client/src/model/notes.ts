// Note operations: each one is one doc.transact with this client's origin, so the
// UndoManager (scoped to that origin) undoes exactly the user's own changes.
import * as Y from 'yjs'
import { type Board, clamp01, type NoteKind, type TextKey } from './board'
import { type Canvas, noteKindFor } from './canvas'

/** Origin of every local edit; remote and stored updates carry other origins. */
export const LOCAL_ORIGIN = Symbol('cocanvas-local')

export interface Author {
  name: string | null // null = anonymous
  group: string | null
  authorId: string | null
}

export interface NewNote {
  field: string
  x: number
  y: number
  color: string
  text?: string
  format?: string | null
}

/** Note ids: url-safe, unique across replicas (random), well under the 64-character limit. */
export function newNoteId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return `n${s}`
}

export function addNote(board: Board, canvas: Canvas, spec: NewNote, author: Author): string | null {
  const field = canvas.field(spec.field)
  if (!field) return null
  const id = newNoteId()
  const now = Date.now()
  const kind: NoteKind = noteKindFor(field)
  board.doc.transact(() => {
    const note = new Y.Map<unknown>()
    note.set('field', field.id)
    note.set('text', new Y.Text(spec.text ?? ''))
    note.set('x', clamp01(spec.x))
    note.set('y', clamp01(spec.y))
    note.set('color', spec.color)
    note.set('group', author.name === null ? null : author.group)
    note.set('author', author.name)
    if (author.authorId && author.name !== null) note.set('author_id', author.authorId)
    note.set('created_at', now)
    note.set('updated_at', now)
    note.set('order', now)
    note.set('kind', kind)
    if (kind === 'partner') {
      note.set('resources', new Y.Text())
      note.set('competences', new Y.Text())
      note.set('tasks', new Y.Text())
    } else if (kind === 'action') {
      note.set('owner', '')
      note.set('due', '')
      note.set('done', false)
    }
    if (spec.format) note.set('format', spec.format)
    board.notes.set(id, note)
  }, LOCAL_ORIGIN)
  return id
}

/** Commit a move (on release): field, position, and the kind the target field holds. */
export function moveNote(board: Board, canvas: Canvas, id: string, fieldId: string, x: number, y: number): boolean {
  const note = board.note(id)
  const field = canvas.field(fieldId)
  if (!note || !field) return false
  board.doc.transact(() => {
    if (note.get('field') !== field.id) {
      note.set('field', field.id)
      // a group belongs to one field (P271)
      note.delete('cluster')
      note.delete('heading')
    }
    note.set('x', clamp01(x))
    note.set('y', clamp01(y))
    const kind = noteKindFor(field)
    if ((note.get('kind') ?? 'note') !== kind) note.set('kind', kind)
    if (kind === 'partner') {
      for (const key of ['resources', 'competences', 'tasks'] as const) {
        if (!(note.get(key) instanceof Y.Text)) note.set(key, new Y.Text())
      }
    }
    if (kind === 'action') {
      if (typeof note.get('owner') !== 'string') note.set('owner', '')
      if (typeof note.get('due') !== 'string') note.set('due', '')
      if (typeof note.get('done') !== 'boolean') note.set('done', false)
    }
    note.set('updated_at', Date.now())
  }, LOCAL_ORIGIN)
  return true
}

export function setNoteKey(
  board: Board,
  id: string,
  key: 'color' | 'owner' | 'due' | 'format',
  value: string | null
): void {
  const note = board.note(id)
  if (!note) return
  board.doc.transact(() => {
    if (value === null) note.delete(key)
    else note.set(key, value)
    note.set('updated_at', Date.now())
  }, LOCAL_ORIGIN)
}

/** Where a note's key was written: the Yjs id of the item holding its value now. */
export type KeyAt = [client: number, clock: number]

export function keyAt(board: Board, id: string, key: string): KeyAt | null {
  const item = board.note(id)?._map.get(key)
  return item ? [item.id.client, item.id.clock] : null
}

/** P266: whether the value written at `at` lost to a write made without seeing it. Yjs
 * keeps a key's values in a list, the one standing last; a write that saw ours names
 * ours as its origin. Unknown (the note or our item gone) counts as lost: words are
 * parked once too often rather than never. */
export function keyOvertaken(board: Board, id: string, key: string, at: KeyAt): boolean {
  let item = board.note(id)?._map.get(key) ?? null
  let first = true
  while (item) {
    if (item.id.client === at[0] && item.id.clock === at[1]) return !first
    if (item.origin && item.origin.client === at[0] && item.origin.clock === at[1]) return false
    item = item.left
    first = false
  }
  return true
}

export function setDone(board: Board, id: string, done: boolean): void {
  const note = board.note(id)
  if (!note) return
  board.doc.transact(() => {
    note.set('done', done)
    note.set('updated_at', Date.now())
  }, LOCAL_ORIGIN)
}

export function deleteNote(board: Board, id: string): void {
  if (!board.note(id)) return
  board.doc.transact(() => {
    board.notes.delete(id)
  }, LOCAL_ORIGIN)
}

/** Put a deleted note back as it was (a copy taken before deleting it). */
export function restoreNote(board: Board, id: string, copy: Y.Map<unknown>): boolean {
  if (board.note(id)) return false
  board.doc.transact(() => board.notes.set(id, copy), LOCAL_ORIGIN)
  return true
}

/** One text edit (from the editor binding): delete then insert at `index`. No
 * `updated_at` here: a map write per keystroke would grow the document for nothing. */
export function editText(board: Board, id: string, key: TextKey, index: number, remove: number, insert: string): void {
  const text = board.text(id, key)
  if (!text) return
  board.doc.transact(() => {
    if (remove > 0) text.delete(index, remove)
    if (insert) text.insert(index, insert)
  }, LOCAL_ORIGIN)
}

/** Undo and redo of this user's own changes only. */
export function createUndoManager(board: Board): Y.UndoManager {
  return new Y.UndoManager(board.notes, {
    trackedOrigins: new Set([LOCAL_ORIGIN]),
    captureTimeout: 600
  })
}

/** A note's text under `key`, created empty when a (foreign) client left it out. */
export function ensureText(board: Board, id: string, key: TextKey): Y.Text | undefined {
  const note = board.note(id)
  if (!note) return undefined
  const cur = note.get(key)
  if (cur instanceof Y.Text) return cur
  const text = new Y.Text(typeof cur === 'string' ? cur : '')
  board.doc.transact(() => note.set(key, text), LOCAL_ORIGIN)
  return text
}
