import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Board } from './board'
import { Canvas, getCanvas } from './canvas'
import {
  cleanHeading,
  flowEntries,
  groupNotes,
  groupsIn,
  leaveGroup,
  MAX_HEADING_CHARS,
  nextHeading,
  renameGroup,
  ungroup
} from './groups'
import { deleteNotes, moveNotesBy, recolourNotes, restoreNotes } from './many'
import { type Author, addNote, createUndoManager, moveNote } from './notes'

function koKreation(): Canvas {
  const def = getCanvas('ko-kreation')
  if (!def) throw new Error('the ko-kreation canvas is not generated; run node build.mjs --gen-only')
  return new Canvas(def)
}

const canvas = koKreation()
const ana: Author = { name: 'Ana', group: 'civil-society', authorId: 'a1b2c3' }

function add(board: Board, field: string, text: string): string {
  const id = addNote(board, canvas, { field, x: 0.5, y: 0.5, color: 'yellow', text }, ana)
  if (id === null) throw new Error(`no note added in ${field}`)
  board.note(id)?.set('order', board.notes.size) // creation order, independent of the clock
  return id
}

function sync(a: Board, b: Board): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc))
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc))
}

describe('groupNotes', () => {
  it('puts notes of one field under one heading and keeps both keys together (P270)', () => {
    const board = new Board(new Y.Doc())
    const [a, b, c] = [add(board, 'A1', 'Zeit'), add(board, 'A1', 'Geld'), add(board, 'A1', 'Raum')]
    const group = groupNotes(board, canvas, [c, a], 'Ressourcen')
    expect(group?.members).toEqual([a, c])
    expect(group?.heading).toBe('Ressourcen')
    for (const id of [a, c]) expect(board.data(id)?.cluster).toBe(group?.id)
    expect(board.data(b)?.cluster).toBeNull()
    expect(board.data(b)?.heading).toBeNull()
  })

  it('lets the others join a group one of them is in', () => {
    const board = new Board(new Y.Doc())
    const [a, b, c] = [add(board, 'A1', 'eins'), add(board, 'A1', 'zwei'), add(board, 'A1', 'drei')]
    const first = groupNotes(board, canvas, [a, b], 'Erste')
    const again = groupNotes(board, canvas, [c, b], 'ignored')
    expect(again?.id).toBe(first?.id)
    expect(again?.members).toEqual([a, b, c])
    expect(again?.heading).toBe('Erste')
  })

  it('groups only the first note’s plain field (P271)', () => {
    const board = new Board(new Y.Doc())
    const a = add(board, 'A1', 'hier')
    const other = add(board, 'A2', 'dort')
    const diagram = add(board, 'A3', 'Diagramm')
    expect(groupNotes(board, canvas, [diagram], 'x')).toBeNull()
    const group = groupNotes(board, canvas, [other, a, diagram], 'Nur A1')
    expect(group?.members).toEqual([a])
    expect(board.data(other)?.cluster).toBeNull()
    expect(board.data(diagram)?.cluster).toBeNull()
  })
})

describe('flowEntries (P273)', () => {
  it('puts a group where its first member stands, members in board order', () => {
    const board = new Board(new Y.Doc())
    const [a, b, c, d] = ['eins', 'zwei', 'drei', 'vier'].map((t) => add(board, 'A1', t))
    if (!a || !b || !c || !d) throw new Error('notes missing')
    groupNotes(board, canvas, [d, b], 'G')
    const flow = flowEntries(board.inField('A1').reverse())
    expect(flow.map((e) => (e.kind === 'note' ? e.note.id : e.group.members))).toEqual([a, [b, d], c])
  })

  it('shows one heading per group: the first member’s (P272)', () => {
    const board = new Board(new Y.Doc())
    const [a, b] = [add(board, 'A1', 'eins'), add(board, 'A1', 'zwei')]
    groupNotes(board, canvas, [a, b], 'Alt')
    board.note(b)?.set('heading', 'Abweichend')
    expect(groupsIn(board, 'A1').map((g) => g.heading)).toEqual(['Alt'])
  })
})

describe('rename, leave, ungroup', () => {
  it('renames every member; concurrent renames converge to one heading', () => {
    const one = new Board(new Y.Doc())
    const two = new Board(new Y.Doc())
    const [a, b] = [add(one, 'A1', 'eins'), add(one, 'A1', 'zwei')]
    const group = groupNotes(one, canvas, [a, b], 'Start')
    if (!group) throw new Error('no group')
    sync(one, two)
    expect(renameGroup(one, 'A1', group.id, 'Von eins')).toBe(true)
    expect(renameGroup(two, 'A1', group.id, 'Von zwei')).toBe(true)
    sync(one, two)
    const headings = new Set([a, b].flatMap((id) => [one.data(id)?.heading, two.data(id)?.heading]))
    expect(headings.size).toBe(1)
    expect(groupsIn(one, 'A1')[0]?.heading).toBe(groupsIn(two, 'A1')[0]?.heading)
  })

  it('keeps headings plain, one line and bounded', () => {
    expect(cleanHeading('  <b>Zeile</b>\n\tzwei\u0000 ')).toBe('<b>Zeile</b> zwei')
    expect([...cleanHeading('ä'.repeat(500))].length).toBe(MAX_HEADING_CHARS)
  })

  it('ungroups and leaves, and a move to another field leaves the group (P271)', () => {
    const board = new Board(new Y.Doc())
    const [a, b, c] = [add(board, 'A1', 'eins'), add(board, 'A1', 'zwei'), add(board, 'A1', 'drei')]
    const group = groupNotes(board, canvas, [a, b, c], 'G')
    if (!group) throw new Error('no group')
    leaveGroup(board, [b])
    expect(board.note(b)?.has('cluster')).toBe(false)
    expect(board.note(b)?.has('heading')).toBe(false)
    moveNote(board, canvas, c, 'A2', 0.5, 0.5)
    expect(board.data(c)?.cluster).toBeNull()
    ungroup(board, 'A1', group.id)
    expect(groupsIn(board, 'A1')).toEqual([])
    expect(nextHeading(board, 'A1', 'Gruppe')).toBe('Gruppe 1')
    groupNotes(board, canvas, [a], nextHeading(board, 'A1', 'Gruppe'))
    expect(nextHeading(board, 'A1', 'Gruppe')).toBe('Gruppe 2')
  })

  it('takes a grouping back with one undo', () => {
    const board = new Board(new Y.Doc())
    const [a, b] = [add(board, 'A1', 'eins'), add(board, 'A1', 'zwei')]
    const undo = createUndoManager(board)
    undo.stopCapturing()
    groupNotes(board, canvas, [a, b], 'G')
    undo.undo()
    expect(groupsIn(board, 'A1')).toEqual([])
  })
})

describe('many notes at once', () => {
  it('recolours, moves by one offset, deletes and restores', () => {
    const board = new Board(new Y.Doc())
    const [a, b] = [add(board, 'A3', 'eins'), add(board, 'A3', 'zwei')]
    const keep = add(board, 'A1', 'bleibt')
    recolourNotes(board, [a, b], 'blue')
    expect([a, b, keep].map((id) => board.data(id)?.color)).toEqual(['blue', 'blue', 'yellow'])
    moveNotesBy(board, [a, b], 0.2, -0.7)
    expect([board.data(a)?.x, board.data(a)?.y]).toEqual([0.7, 0])
    const copies = deleteNotes(board, [a, b])
    expect(board.data(a)).toBeNull()
    expect(board.data(keep)).not.toBeNull()
    restoreNotes(board, copies)
    expect(board.text(b, 'text')?.toString()).toBe('zwei')
  })
})
