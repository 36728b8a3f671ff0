import { describe, expect, it } from 'vitest'
import { authorIdFor, userColor } from './author'
import { Canvas, getCanvas } from './canvas'

function koKreation(): Canvas {
  const def = getCanvas('ko-kreation')
  if (!def) throw new Error('the ko-kreation canvas is not generated; run node build.mjs --gen-only')
  return new Canvas(def)
}

describe('authorIdFor', () => {
  it('is the first 16 hex digits of sha256("board:pid"), as the server computes it', async () => {
    // hashlib.sha256('brd_1:pid-ü'.encode()).hexdigest()[:16] in Python
    expect(await authorIdFor('brd_1', 'pid-ü')).toBe('e29b802b547801bb')
  })
})

describe('userColor', () => {
  const canvas = koKreation()

  it("takes the group's colour", () => {
    const group = canvas.def.groups[0]
    if (!group) throw new Error('the canvas has no groups')
    expect(userColor(canvas, group.id, 'seed')).toBe(group.color)
  })

  it('picks a steady colour from the seed without a known group', () => {
    const a = userColor(canvas, 'no-such-group', 'pid-a')
    expect(a).toMatch(/^#[0-9a-f]{6}$/)
    expect(userColor(canvas, null, 'pid-a')).toBe(a)
    const seen = new Set(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'].map((s) => userColor(canvas, null, s)))
    expect(seen.size).toBeGreaterThan(1)
  })
})
