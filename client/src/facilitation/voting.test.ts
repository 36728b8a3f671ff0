import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Board } from '../model/board'
import { Canvas, getCanvas } from '../model/canvas'
import { readVoting } from '../model/control'
import { type Author, addNote } from '../model/notes'
import { computeBalance, missingGroups } from './balance'
import { permissionsFor } from './permissions'
import { ANONYMOUS, Ballot, inVote, resultRows, sortResults } from './voting'

function koKreation(): Canvas {
  const def = getCanvas('ko-kreation')
  if (!def) throw new Error('the ko-kreation canvas is not generated; run node build.mjs --gen-only')
  return new Canvas(def)
}

const canvas = koKreation()
const admin: Author = { name: 'Bea', group: 'administration', authorId: 'b' }
const youth: Author = { name: 'Cem', group: 'youth', authorId: 'c' }
const hidden: Author = { name: null, group: 'youth', authorId: 'h' }

/** A board with notes in A1 and A2 and, as the server writes it, a closed vote on A1. */
function votedBoard(): { board: Board; ids: Record<string, string> } {
  const board = new Board(new Y.Doc())
  const note = (field: string, author: Author, text: string): string =>
    addNote(board, canvas, { field, x: 0.5, y: 0.5, color: 'yellow', text }, author) ?? ''
  const ids = {
    a: note('A1', admin, 'Alpha'),
    b: note('A1', youth, 'Beta'),
    c: note('A1', hidden, 'Gamma'),
    d: note('A2', admin, 'Delta')
  }
  board.control.set('voting', {
    state: 'closed',
    round: 'r1',
    fields: ['A1'],
    per_person: 3,
    voters: 2,
    results: {
      [ids.b]: { total: 3, by_group: { youth: 2, administration: 1 } },
      [ids.a]: { total: 1, by_group: { administration: 1 } },
      broken: 'not a result'
    }
  })
  return { board, ids }
}

describe('Ballot', () => {
  it('tells my dots and what is left only while a vote is open', () => {
    const ballot = new Ballot()
    ballot.set({ state: 'open', round: 'r1', mine: { n1: 2 }, remaining: 1 })
    expect([ballot.mine('n1'), ballot.mine('n2'), ballot.remaining()]).toEqual([2, 0, 1])
    ballot.set({ state: 'closed', mine: { n1: 2 }, remaining: 1 })
    expect([ballot.mine('n1'), ballot.remaining()]).toEqual([0, null])
  })
})

describe('results', () => {
  it('reads the server’s vote and skips malformed results', () => {
    const { board, ids } = votedBoard()
    const voting = readVoting(board.control)
    expect(voting).toMatchObject({ state: 'closed', fields: ['A1'], perPerson: 3, maxPerNote: 3, voters: 2 })
    expect(Object.keys(voting.results ?? {}).sort()).toEqual([ids.a, ids.b].sort())
  })

  it('lists every note of the voted fields, most dots first, notes without dots as 0', () => {
    const { board } = votedBoard()
    const rows = resultRows(board, readVoting(board.control))
    expect(rows.map((r) => [r.text, r.total])).toEqual([
      ['Beta', 3],
      ['Alpha', 1],
      ['Gamma', 0]
    ])
    expect(sortResults(rows, 'text', true).map((r) => r.text)).toEqual(['Alpha', 'Beta', 'Gamma'])
  })

  it('takes dots only on notes of an open vote’s fields', () => {
    const open = { ...readVoting(new Y.Map()), state: 'open' as const, fields: ['A1'] }
    expect(inVote(open, { field: 'A1' })).toBe(true)
    expect(inVote(open, { field: 'A2' })).toBe(false)
    expect(inVote({ ...open, state: 'closed' }, { field: 'A1' })).toBe(false)
  })
})

describe('participation balance', () => {
  it('counts notes, dots and people per group; anonymous notes count as anonymous', () => {
    const { board } = votedBoard()
    const people = [
      { group: 'youth', role: 'participant' },
      { group: 'martians', role: 'participant' },
      { group: 'administration', role: 'viewer' }
    ]
    const b = computeBalance(board, canvas, readVoting(board.control), people, { youth: 4, nobody: 1 })
    expect(b.groups.at(-1)).toBe(ANONYMOUS)
    expect(b.present).toEqual({ youth: 1, [ANONYMOUS]: 1 })
    expect(b.seen).toEqual({ youth: 4, [ANONYMOUS]: 1 })
    const a1 = b.rows.find((r) => r.field === 'A1')
    expect(a1).toEqual({
      field: 'A1',
      notes: { administration: 1, youth: 1, [ANONYMOUS]: 1 },
      notesTotal: 3,
      votes: { youth: 2, administration: 2 }
    })
    expect(b.rows.find((r) => r.field === 'A2')?.votes).toBeNull()
    expect(missingGroups(b)).not.toContain('youth')
    expect(missingGroups(b)).toContain('administration')
  })
})

describe('permissions', () => {
  it('follow the generated op table, and a projector does nothing', () => {
    expect(permissionsFor('moderator')).toEqual({ moderate: true, write: true, vote: true, writePrivate: true })
    expect(permissionsFor('participant')).toEqual({ moderate: false, write: true, vote: true, writePrivate: true })
    expect(permissionsFor('viewer')).toEqual({ moderate: false, write: false, vote: false, writePrivate: false })
    expect(permissionsFor('moderator', true)).toEqual({
      moderate: false,
      write: false,
      vote: false,
      writePrivate: false
    })
  })
})
