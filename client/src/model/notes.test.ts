import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NOTE_KEYS } from '../sync/vocab.gen'
import { Board } from './board'
import { Canvas, getCanvas } from './canvas'
import {
  addNote,
  type Author,
  createUndoManager,
  deleteNote,
  editText,
  ensureText,
  LOCAL_ORIGIN,
  moveNote,
  newNoteId,
  setDone,
  setNoteKey
} from './notes'

function koKreation (): Canvas {
  const def = getCanvas('ko-kreation')
  if (!def) throw new Error('the ko-kreation canvas is not generated; run node build.mjs --gen-only')
  return new Canvas(def)
}

const canvas = koKreation()
const ana: Author = { name: 'Ana', group: 'civil-society', authorId: 'a1b2c3' }
const anonymous: Author = { name: null, group: 'civil-society', authorId: 'a1b2c3' }

function newBoard (): Board {
  return new Board(new Y.Doc())
}

function add (board: Board, field: string, author: Author = ana, text = 'Idee'): string {
  const id = addNote(board, canvas, { field, x: 0.25, y: 0.75, color: 'yellow', text }, author)
  if (id === null) throw new Error(`no note added in ${field}`)
  return id
}

describe('addNote', () => {
  it('adds one note in one transaction of the local origin, with only allowed keys', () => {
    const board = newBoard()
    const origins: unknown[] = []
    board.doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
    const id = add(board, 'A1')
    expect(origins).toEqual([LOCAL_ORIGIN])
    const note = board.note(id)
    expect(note).toBeInstanceOf(Y.Map)
    const keys = [...(note?.keys() ?? [])]
    expect(keys.every((k) => (NOTE_KEYS as readonly string[]).includes(k))).toBe(true)
    expect(board.data(id)).toMatchObject({ field: 'A1', x: 0.25, y: 0.75, kind: 'note', author: 'Ana', group: 'civil-society', authorId: 'a1b2c3' })
    expect(board.text(id, 'text')?.toString()).toBe('Idee')
  })

  it('makes a partner row with text columns in a table field', () => {
    const board = newBoard()
    const id = add(board, 'B4')
    expect(board.data(id)?.kind).toBe('partner')
    for (const key of ['resources', 'competences', 'tasks'] as const) expect(board.text(id, key)).toBeInstanceOf(Y.Text)
  })

  it('makes an open action with owner and due date in an action list', () => {
    const board = newBoard()
    const id = add(board, 'C3')
    expect(board.data(id)).toMatchObject({ kind: 'action', owner: '', due: '', done: false })
  })

  it('leaves out group and author id for anonymous authors', () => {
    const board = newBoard()
    const note = board.note(add(board, 'A1', anonymous))
    expect(note?.get('author')).toBeNull()
    expect(note?.get('group')).toBeNull()
    expect(note?.has('author_id')).toBe(false)
  })

  it('keeps positions inside the field', () => {
    const board = newBoard()
    const id = addNote(board, canvas, { field: 'A2', x: -3, y: 7, color: 'yellow' }, ana)
    expect(id && board.data(id)).toMatchObject({ x: 0, y: 1 })
  })

  it('adds nothing to a field the canvas does not have', () => {
    const board = newBoard()
    expect(addNote(board, canvas, { field: 'Z9', x: 0.5, y: 0.5, color: 'yellow' }, ana)).toBeNull()
    expect(board.notes.size).toBe(0)
  })
})

describe('changing notes', () => {
  it('moving a note into a table turns it into a partner row with text columns', () => {
    const board = newBoard()
    const id = add(board, 'A1')
    expect(moveNote(board, canvas, id, 'B4', 0.5, 2)).toBe(true)
    expect(board.data(id)).toMatchObject({ field: 'B4', kind: 'partner', y: 1 })
    expect(board.text(id, 'tasks')).toBeInstanceOf(Y.Text)
    expect(moveNote(board, canvas, id, 'nowhere', 0.5, 0.5)).toBe(false)
    expect(board.data(id)?.field).toBe('B4')
  })

  it('sets, clears and ticks off keys', () => {
    const board = newBoard()
    const id = add(board, 'C3')
    setNoteKey(board, id, 'owner', 'Amt 61')
    setDone(board, id, true)
    expect(board.data(id)).toMatchObject({ owner: 'Amt 61', done: true })
    setNoteKey(board, id, 'owner', null)
    expect(board.note(id)?.has('owner')).toBe(false)
  })

  it('edits text as one delete and insert', () => {
    const board = newBoard()
    const id = add(board, 'A1', ana, 'Gemeinsam planen')
    editText(board, id, 'text', 10, 6, 'gestalten')
    expect(board.text(id, 'text')?.toString()).toBe('Gemeinsam gestalten')
  })

  it('turns a plain string text from a foreign client into collaborative text', () => {
    const board = newBoard()
    const id = add(board, 'A1')
    board.note(id)?.set('text', 'plain')
    expect(board.text(id, 'text')).toBeUndefined()
    expect(ensureText(board, id, 'text')?.toString()).toBe('plain')
    expect(board.text(id, 'text')).toBeInstanceOf(Y.Text)
  })

  it('deletes a note', () => {
    const board = newBoard()
    const id = add(board, 'A1')
    deleteNote(board, id)
    expect(board.note(id)).toBeUndefined()
  })
})

describe('undo', () => {
  it('undoes only this user’s changes, never a remote one', () => {
    const board = newBoard()
    const undo = createUndoManager(board)
    const mine = add(board, 'A1')
    const remote = new Board(new Y.Doc())
    const theirs = add(remote, 'A2', anonymous, 'von anderen')
    Y.applyUpdate(board.doc, Y.encodeStateAsUpdate(remote.doc), 'remote')
    expect(board.noteIds().sort()).toEqual([mine, theirs].sort())
    undo.undo()
    expect(board.noteIds()).toEqual([theirs])
    undo.redo()
    expect(board.noteIds().sort()).toEqual([mine, theirs].sort())
  })
})

describe('note ids', () => {
  it('makes distinct url-safe ids well under 64 characters', () => {
    const ids = new Set(Array.from({ length: 200 }, newNoteId))
    expect(ids.size).toBe(200)
    for (const id of ids) expect(id).toMatch(/^n[0-9a-f]{24}$/)
  })
})
