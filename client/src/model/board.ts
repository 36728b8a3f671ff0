// Typed accessors over the board's Y.Doc. Root names, note keys and kinds come from the
// generated wire vocabulary (server/sync/vocabulary.py).
import * as Y from 'yjs'
import { type NoteKind, ROOT_CONTROL, ROOT_META, ROOT_NOTES, type TextKey } from '../sync/vocab.gen'
import { readLocks, readPrivate } from './control'

export {
  NOTE_KEYS,
  type NoteKey,
  type NoteKind,
  ROOT_CONTROL,
  ROOT_META,
  ROOT_NOTES,
  TEXT_KEYS,
  type TextKey
} from '../sync/vocab.gen'

export interface BoardMeta {
  canvas: string
  title: string
  locale: string
  groups: string[]
  anonymousAllowed: boolean
}

/** A plain snapshot of one note, for rendering. */
export interface NoteData {
  id: string
  field: string
  x: number
  y: number
  color: string | null
  group: string | null
  author: string | null
  authorId: string | null
  createdAt: number
  order: number
  kind: NoteKind
  owner: string
  due: string
  done: boolean
  format: string | null
  /** The group (P270) this note belongs to, with the heading it carries; null: none. */
  cluster: string | null
  heading: string | null
}

export type NoteMap = Y.Map<unknown>

export class Board {
  readonly doc: Y.Doc
  readonly meta: Y.Map<unknown>
  readonly notes: Y.Map<NoteMap>
  readonly control: Y.Map<unknown>

  constructor(doc: Y.Doc) {
    this.doc = doc
    this.meta = doc.getMap(ROOT_META)
    this.notes = doc.getMap<NoteMap>(ROOT_NOTES)
    this.control = doc.getMap(ROOT_CONTROL)
  }

  readMeta(): BoardMeta | null {
    const canvas = this.meta.get('canvas')
    if (typeof canvas !== 'string' || !canvas) return null
    const groups = this.meta.get('groups')
    let list: string[] = []
    if (groups instanceof Y.Array) list = groups.toArray().filter((g): g is string => typeof g === 'string')
    else if (Array.isArray(groups)) list = groups.filter((g): g is string => typeof g === 'string')
    const title = this.meta.get('title')
    const loc = this.meta.get('locale')
    const anon = this.meta.get('anonymous_allowed')
    return {
      canvas,
      title: typeof title === 'string' ? title : '',
      locale: typeof loc === 'string' ? loc : 'de',
      groups: list,
      anonymousAllowed: anon !== false
    }
  }

  note(id: string): NoteMap | undefined {
    const n = this.notes.get(id)
    return n instanceof Y.Map ? n : undefined
  }

  noteIds(): string[] {
    return [...this.notes.keys()]
  }

  text(id: string, key: TextKey): Y.Text | undefined {
    const v = this.note(id)?.get(key)
    return v instanceof Y.Text ? v : undefined
  }

  data(id: string): NoteData | null {
    const n = this.note(id)
    if (!n) return null
    return noteData(id, n)
  }

  all(): NoteData[] {
    const out: NoteData[] = []
    for (const [id, n] of this.notes.entries()) {
      if (n instanceof Y.Map) {
        const d = noteData(id, n)
        if (d) out.push(d)
      }
    }
    out.sort(byOrder)
    return out
  }

  inField(fieldId: string): NoteData[] {
    return this.all().filter((n) => n.field === fieldId)
  }

  /** Fields the moderator has locked (`control.locks`: field id -> true). */
  lockedFields(): Set<string> {
    return readLocks(this.control)
  }

  /** Fields in private writing mode (`control.private`: field id -> true). */
  privateFields(): Set<string> {
    return readPrivate(this.control)
  }

  /** Plain JSON of the notes (for tests and debugging): id -> key -> value. */
  notesJson(): Record<string, Record<string, unknown>> {
    return this.notes.toJSON() as Record<string, Record<string, unknown>>
  }
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null
}

export function noteData(id: string, n: NoteMap): NoteData | null {
  const field = n.get('field')
  if (typeof field !== 'string') return null
  const kind = n.get('kind')
  return {
    id,
    field,
    x: clamp01(num(n.get('x'), 0.5)),
    y: clamp01(num(n.get('y'), 0.5)),
    color: str(n.get('color')),
    group: str(n.get('group')),
    author: str(n.get('author')),
    authorId: str(n.get('author_id')),
    createdAt: num(n.get('created_at'), 0),
    order: num(n.get('order'), num(n.get('created_at'), 0)),
    kind: kind === 'partner' || kind === 'action' ? kind : 'note',
    owner: str(n.get('owner')) ?? '',
    due: str(n.get('due')) ?? '',
    done: n.get('done') === true,
    format: str(n.get('format')),
    cluster: str(n.get('cluster')),
    heading: str(n.get('heading'))
  }
}

export function byOrder(a: NoteData, b: NoteData): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** Reading order inside a field: top to bottom, then left to right. */
export function byPosition(a: NoteData, b: NoteData): number {
  return a.y - b.y || a.x - b.x || byOrder(a, b)
}

export function clamp01(v: number): number {
  return Math.min(Math.max(v, 0), 1)
}
