import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Board } from '../model/board'
import { isNoteWordsList, noteWords, REFUSAL_WINDOW_MS, REFUSALS, Refusals, strays } from './strays'

function note(board: Board, id: string, field: string, text: string, extra: Record<string, string> = {}): void {
  const n = new Y.Map<unknown>()
  board.notes.set(id, n)
  n.set('field', field)
  n.set('text', new Y.Text(text))
  n.set('x', 0.5)
  n.set('y', 0.5)
  n.set('created_at', 1)
  n.set('order', 1)
  for (const [k, v] of Object.entries(extra)) n.set(k, k === 'owner' || k === 'due' ? v : new Y.Text(v))
}

/** The server's board and this device's copy: the copy has all of it, and more. */
function boards(): [Board, Board] {
  const server = new Board(new Y.Doc())
  note(server, 'n1', 'A1', 'gemeinsam')
  note(server, 'n2', 'C3', 'Bänke', { owner: 'Grünamt', due: '2026-12-24' })
  note(server, 'n3', 'B1', 'Ben', { resources: 'Räume' })
  const copy = new Board(new Y.Doc())
  Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(server.doc))
  return [server, copy]
}

describe('strays (P117: starting over)', () => {
  it('keeps nothing when the board shows every word', () => {
    const [server, copy] = boards()
    expect(strays(noteWords(copy), server)).toEqual([])
  })

  it('parks a note the board lacks, and the changed words of one it has', () => {
    const [server, copy] = boards()
    note(copy, 'n4', 'A4', 'offline geschrieben', { owner: 'ich' })
    copy.text('n1', 'text')?.insert(9, ' und ergänzt')
    copy.note('n2')?.set('owner', 'Ordnungsamt')
    expect(strays(noteWords(copy), server)).toEqual([
      { id: 'n1', field: 'A1', text: 'gemeinsam und ergänzt' },
      { id: 'n2', field: 'C3', text: 'Bänke', keys: { owner: 'Ordnungsamt' } },
      { id: 'n4', field: 'A4', text: 'offline geschrieben', keys: { owner: 'ich' } }
    ])
  })

  it('words only removed on this device are not parked', () => {
    const [server, copy] = boards()
    copy.note('n2')?.set('owner', '')
    copy.text('n3', 'resources')?.delete(0, 5)
    expect(strays(noteWords(copy), server)).toEqual([])
  })

  it('a kept list survives storage as JSON, and anything else is refused', () => {
    const [, copy] = boards()
    const kept = JSON.parse(JSON.stringify(noteWords(copy)))
    expect(isNoteWordsList(kept)).toBe(true)
    expect(isNoteWordsList([{ id: 'n1', field: 'A1', words: { text: 3 } }])).toBe(false)
    expect(isNoteWordsList({})).toBe(false)
  })
})

describe('Refusals', () => {
  it('starts over on the fourth refusal within the window, not on scattered ones', () => {
    const r = new Refusals()
    const results = Array.from({ length: REFUSALS }, (_, i) => r.refused(1000 + i * 200))
    expect(results).toEqual([...Array(REFUSALS - 1).fill(false), true])
    const slow = new Refusals()
    const spaced = Array.from({ length: 6 }, (_, i) => slow.refused(i * (REFUSAL_WINDOW_MS / 2)))
    expect(spaced.some(Boolean)).toBe(false)
  })
})
