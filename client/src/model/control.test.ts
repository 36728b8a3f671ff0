import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CONTROL_DECISIONS } from '../sync/vocab.gen'
import { readDecisions } from './control'

function control(value: unknown): Y.Map<unknown> {
  const doc = new Y.Doc()
  const map = doc.getMap('control')
  map.set(CONTROL_DECISIONS, value)
  return map
}

describe('readDecisions', () => {
  it('reads the decisions oldest first', () => {
    const by = { role: 'moderator', name: 'Ada' }
    const list = [
      { id: 'b', text: 'Zweiter', field: null, note: 'n1', at: 20, by, edited_at: 30 },
      { id: 'a', text: 'Erster', field: 'A1', note: null, at: 10, by, edited_at: null }
    ]
    expect(readDecisions(control(list))).toEqual([
      { id: 'a', text: 'Erster', field: 'A1', note: null, at: 10, by, editedAt: null },
      { id: 'b', text: 'Zweiter', field: null, note: 'n1', at: 20, by, editedAt: 30 }
    ])
  })

  it('skips what is not a decision', () => {
    expect(readDecisions(control('nope'))).toEqual([])
    const junk = [null, 'x', { id: 1, text: 'a' }, { id: 'c', text: '  ' }, { id: 'd', text: 'ok' }]
    expect(readDecisions(control(junk)).map((d) => [d.id, d.by.role])).toEqual([['d', 'moderator']])
  })
})
