import { describe, expect, it } from 'vitest'
import { freeSpot, layout, NOTE_H, NOTE_W } from './placement'
import { CASES } from './placement.cases.gen'

const pts = (list: ReadonlyArray<readonly number[]>): Array<{ x: number; y: number }> =>
  list.map((p) => ({ x: p[0] ?? 0, y: p[1] ?? 0 }))

describe('A3 placement, twin of canvas_schema/placement.py (P282)', () => {
  it('uses the same footprint', () => {
    expect([NOTE_W, NOTE_H]).toEqual([CASES.note_w, CASES.note_h])
  })

  it('finds the same free spots', () => {
    for (const c of CASES.free_spot) {
      const p = freeSpot(pts(c.taken))
      expect([p.x, p.y]).toEqual(c.out)
    }
  })

  it('lays notes out the same way', () => {
    for (const c of CASES.layout) {
      expect(layout(pts(c.notes)).map((p) => [p.x, p.y, p.on])).toEqual(c.out)
    }
  })

  it('moves notes on one spot apart (P281)', () => {
    const out = layout(
      pts([
        [0.5, 0.5],
        [0.5, 0.5],
        [0.5, 0.5]
      ])
    )
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]
        const b = out[j]
        if (!a || !b) continue
        expect(Math.abs(a.x - b.x) >= NOTE_W - 1e-4 || Math.abs(a.y - b.y) >= NOTE_H - 1e-4).toBe(true)
      }
    }
  })
})
