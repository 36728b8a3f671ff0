// A snapshot's board as a Y.Doc of its own, so the ordinary canvas views can show it
// read-only: the JSON view from the server (`doc_view`: meta, notes, control, text as
// strings) turned back into the document shape of model/board.ts.
import * as Y from 'yjs'
import { NOTE_KEYS, ROOT_CONTROL, ROOT_META, ROOT_NOTES, TEXT_KEYS } from './board'

/** The server's JSON view of a board (`server/sync/document.py` doc_view). */
export interface BoardView {
  meta: Record<string, unknown>
  notes: Record<string, Record<string, unknown>>
  control: Record<string, unknown>
}

const TEXT = new Set<string>(TEXT_KEYS)
const KNOWN = new Set<string>(NOTE_KEYS)

/** A detached document with the view's content; nobody syncs it. */
export function docFromView(view: BoardView): Y.Doc {
  const doc = new Y.Doc()
  const meta = doc.getMap<unknown>(ROOT_META)
  const notes = doc.getMap<Y.Map<unknown>>(ROOT_NOTES)
  const control = doc.getMap<unknown>(ROOT_CONTROL)
  doc.transact(() => {
    for (const [k, v] of Object.entries(view.meta)) meta.set(k, v)
    // control values are plain data on the server too; the readers in control.ts check them
    for (const [k, v] of Object.entries(view.control)) control.set(k, v)
    for (const [id, data] of Object.entries(view.notes)) {
      const note = new Y.Map<unknown>()
      for (const [k, v] of Object.entries(data)) {
        if (!KNOWN.has(k)) continue
        note.set(k, TEXT.has(k) && typeof v === 'string' ? new Y.Text(v) : v)
      }
      notes.set(id, note)
    }
  }, 'snapshot')
  return doc
}
