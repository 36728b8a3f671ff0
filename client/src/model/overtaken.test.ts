import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Board } from './board'
import { type KeyAt, keyAt, keyOvertaken, setNoteKey } from './notes'

/** Two replicas of a board with one action note, the second with the higher client id
 * (its value wins a race in Yjs' order). */
function replicas(): [Board, Board] {
  const a = new Y.Doc()
  a.clientID = 100
  const b = new Y.Doc()
  b.clientID = 200
  const note = new Y.Map<unknown>()
  a.getMap('notes').set('n1', note)
  note.set('owner', '')
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  return [new Board(a), new Board(b)]
}

function sync(x: Board, y: Board): void {
  Y.applyUpdate(y.doc, Y.encodeStateAsUpdate(x.doc, Y.encodeStateVector(y.doc)))
  Y.applyUpdate(x.doc, Y.encodeStateAsUpdate(y.doc, Y.encodeStateVector(x.doc)))
}

function write(board: Board, value: string): KeyAt {
  setNoteKey(board, 'n1', 'owner', value)
  const at = keyAt(board, 'n1', 'owner')
  if (!at) throw new Error('no item for owner')
  return at
}

describe('keyOvertaken (P266)', () => {
  it('a value written at the same moment as a winning one lost', () => {
    const [a, b] = replicas()
    const mine = write(a, 'Ordnungsamt')
    write(b, 'Grünflächenamt')
    sync(a, b)
    expect(a.note('n1')?.get('owner')).toBe('Grünflächenamt')
    expect(keyOvertaken(a, 'n1', 'owner', mine)).toBe(true)
  })

  it('a value someone changed after seeing it did not lose', () => {
    const [a, b] = replicas()
    const mine = write(a, 'Ordnungsamt')
    sync(a, b)
    write(b, 'Grünflächenamt')
    sync(a, b)
    expect(keyOvertaken(a, 'n1', 'owner', mine)).toBe(false)
  })

  it('a value that still stands did not lose', () => {
    const [a, b] = replicas()
    write(b, 'Grünflächenamt')
    sync(a, b)
    const mine = write(a, 'Ordnungsamt')
    sync(a, b)
    expect(keyOvertaken(a, 'n1', 'owner', mine)).toBe(false)
    expect(keyOvertaken(b, 'n1', 'owner', mine)).toBe(false)
  })

  it('a value that lost stays lost when someone writes over the winner later', () => {
    const [a, b] = replicas()
    const mine = write(a, 'Ordnungsamt')
    write(b, 'Grünflächenamt')
    sync(a, b)
    write(b, 'Jugendamt')
    sync(a, b)
    expect(keyOvertaken(a, 'n1', 'owner', mine)).toBe(true)
  })

  it('a note that is gone counts as lost', () => {
    const [a] = replicas()
    const mine = write(a, 'Ordnungsamt')
    a.notes.delete('n1')
    expect(keyOvertaken(a, 'n1', 'owner', mine)).toBe(true)
  })
})
