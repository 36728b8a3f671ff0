// Changes to several selected notes at once, each one transaction with the local origin:
// one undo takes back the whole step.
import type * as Y from 'yjs'
import { type Board, clamp01 } from './board'
import { LOCAL_ORIGIN } from './notes'

export function recolourNotes(board: Board, ids: Iterable<string>, color: string): void {
  board.doc.transact(() => {
    for (const id of ids) {
      const note = board.note(id)
      if (!note || note.get('color') === color) continue
      note.set('color', color)
      note.set('updated_at', Date.now())
    }
  }, LOCAL_ORIGIN)
}

/** Delete notes; returns copies to put them back with `restoreNotes`. */
export function deleteNotes(board: Board, ids: Iterable<string>): Map<string, Y.Map<unknown>> {
  const copies = new Map<string, Y.Map<unknown>>()
  for (const id of ids) {
    const note = board.note(id)
    if (note) copies.set(id, note.clone())
  }
  board.doc.transact(() => {
    for (const id of copies.keys()) board.notes.delete(id)
  }, LOCAL_ORIGIN)
  return copies
}

export function restoreNotes(board: Board, copies: Map<string, Y.Map<unknown>>): void {
  board.doc.transact(() => {
    for (const [id, copy] of copies) if (!board.note(id)) board.notes.set(id, copy)
  }, LOCAL_ORIGIN)
}

/** Move notes of one field by the same offset (the A3 diagram: 0..1 each way). */
export function moveNotesBy(board: Board, ids: Iterable<string>, dx: number, dy: number): void {
  board.doc.transact(() => {
    for (const id of ids) {
      const note = board.note(id)
      const x = note?.get('x')
      const y = note?.get('y')
      if (!note || typeof x !== 'number' || typeof y !== 'number') continue
      note.set('x', Math.round(clamp01(x + dx) * 10000) / 10000)
      note.set('y', Math.round(clamp01(y + dy) * 10000) / 10000)
      note.set('updated_at', Date.now())
    }
  }, LOCAL_ORIGIN)
}
