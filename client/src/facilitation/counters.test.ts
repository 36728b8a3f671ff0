import { describe, expect, it } from 'vitest'
import { readEvent } from '../sync/appmsg'
import { fieldCount, LiveCounts } from './counters'

const counts = (rec: Record<string, unknown>) => {
  const ev = readEvent({ ev: 'counts', ...rec })
  if (ev?.ev !== 'counts') throw new Error(`not read: ${JSON.stringify(rec)}`)
  return ev
}

describe('live counters (P293)', () => {
  it('counts writers of a field among the people here', () => {
    const c = counts({ present: 12, written: { A1: 7 } })
    expect(fieldCount(c, 'A1', [])).toEqual({ kind: 'written', n: 7, of: 12 })
    expect(fieldCount(c, 'A2', [])).toEqual({ kind: 'written', n: 0, of: 12 })
  })

  it('counts voters in the voted fields while a vote is open', () => {
    const c = counts({ present: 12, written: { B2: 10 }, voted: 9, voted_fields: { B2: 9 } })
    expect(fieldCount(c, 'B2', ['B2'])).toEqual({ kind: 'voted', n: 9, of: 12 })
    expect(fieldCount(c, 'B1', ['B2'])).toEqual({ kind: 'written', n: 0, of: 12 })
  })

  it('shows nothing without counts or without anybody here', () => {
    expect(fieldCount(null, 'A1', [])).toBeNull()
    expect(fieldCount(counts({ present: 0, written: {} }), 'A1', [])).toBeNull()
  })

  it('never shows more writers than people', () => {
    expect(fieldCount(counts({ present: 2, written: { A1: 5 } }), 'A1', [])).toEqual({ kind: 'written', n: 2, of: 2 })
  })

  it('refuses malformed counts', () => {
    expect(readEvent({ ev: 'counts', present: -1, written: {} })).toBeNull()
    expect(readEvent({ ev: 'counts', present: 3, written: { A1: 'x' } })).toBeNull()
    expect(readEvent({ ev: 'counts', present: 3 })).toBeNull()
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`F${i}`, 1]))
    expect(readEvent({ ev: 'counts', present: 3, written: many })).toBeNull()
  })

  it('tells subscribers about new numbers', () => {
    const live = new LiveCounts()
    let seen = 0
    live.changed.on(() => seen++)
    live.set(counts({ present: 1, written: {} }))
    expect(seen).toBe(1)
    expect(live.get()?.present).toBe(1)
  })
})
