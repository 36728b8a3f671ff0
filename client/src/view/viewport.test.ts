import { describe, expect, it } from 'vitest'
import {
  centreOn,
  clearOf,
  FLOOR_SCALE,
  fitRect,
  MIN_SCALE,
  minScale,
  readableRect,
  readableScale,
  toBoard,
  under,
  union,
  visibleRect,
  zoomAt
} from './viewport'

const LAPTOP = { w: 1440, h: 790 }

describe('readableScale', () => {
  it('makes 16 px note text read at 14 px and larger text need less zoom', () => {
    expect(readableScale(16) * 16).toBe(14)
    expect(readableScale(19.2)).toBeCloseTo(14 / 19.2)
    expect(readableScale(0)).toBe(1)
  })
})

describe('fitRect', () => {
  it('shows the whole board centred with its padding', () => {
    const v = fitRect({ x: 0, y: 0, w: 2400, h: 2160 }, LAPTOP, 12)
    expect(v.scale).toBeCloseTo((790 - 24) / 2160)
    expect(v.y).toBeCloseTo(12)
    expect(v.x + (2400 * v.scale) / 2).toBeCloseTo(720)
  })

  it('fits a board grown far past the usual zoom floor', () => {
    const tall = { w: 2400, h: 9000 }
    const lo = minScale(tall, LAPTOP, 12)
    expect(lo).toBeLessThan(MIN_SCALE)
    const v = fitRect({ x: 0, y: 0, ...tall }, LAPTOP, 12)
    expect(v.scale).toBeGreaterThanOrEqual(lo)
    expect(v.y + tall.h * v.scale).toBeLessThanOrEqual(LAPTOP.h - 12 + 1e-9)
  })

  it('keeps the usual floor when the board fits above it, and a hard floor below', () => {
    expect(minScale({ w: 2400, h: 2160 }, LAPTOP, 12)).toBe(MIN_SCALE)
    expect(minScale({ w: 2400, h: 1e9 }, LAPTOP, 12)).toBe(FLOOR_SCALE)
  })
})

describe('readableRect', () => {
  const partA = { x: 14, y: 14, w: 2372, h: 700 }

  it('never goes below the readable scale: a wide part shows from its left edge', () => {
    const v = readableRect(partA, LAPTOP, 24, 0.875)
    expect(v.scale).toBe(0.875)
    // too wide to show whole: it shows from its top-left corner
    expect(v.x + partA.x * v.scale).toBeCloseTo(24)
    expect(v.y + partA.y * v.scale).toBeCloseTo(24)
  })

  it('with some give, shows a field a little too wide whole, a much too wide one from its left', () => {
    const table = { x: 24, y: 24, w: 1178, h: 300 }
    const tablet = { w: 1024, h: 640 }
    const strict = readableRect(table, tablet, 24, 0.875)
    expect(strict.scale).toBe(0.875)
    const given = readableRect(table, tablet, 24, 0.875, 2, 0.9)
    expect(given.scale).toBeCloseTo((1024 - 48) / 1178)
    expect(given.x + (table.x + table.w) * given.scale).toBeLessThanOrEqual(1024 - 24 + 1e-6)
    const portrait = readableRect(table, { w: 768, h: 1000 }, 24, 0.875, 2, 0.9)
    expect(portrait.scale).toBe(0.875)
  })

  it('with some give, shows every column of a table too tall to fit, from its top', () => {
    const tall = { x: 24, y: 24, w: 1178, h: 1400 }
    const tablet = { w: 1024, h: 640 }
    const v = readableRect(tall, tablet, 24, 0.875, 2, 0.9)
    expect(v.scale).toBeCloseTo((1024 - 48) / 1178)
    expect(v.x + (tall.x + tall.w) * v.scale).toBeLessThanOrEqual(1024 - 24 + 1e-6)
    expect(v.y + tall.y * v.scale).toBeCloseTo(24)
    // without give, or much too wide, it stays at the readable scale
    expect(readableRect(tall, tablet, 24, 0.875).scale).toBe(0.875)
    expect(readableRect({ ...tall, w: 2000 }, tablet, 24, 0.875, 2, 0.9).scale).toBe(0.875)
  })

  it('fits a small field whole, up to the cap', () => {
    const field = { x: 14, y: 14, w: 590, h: 340 }
    const v = readableRect(field, LAPTOP, 24, 0.875)
    expect(v.scale).toBeCloseTo(Math.min(2, (790 - 48) / 340))
    // centred
    expect(v.x + (field.x + field.w / 2) * v.scale).toBeCloseTo(720)
    expect(v.y + (field.y + field.h / 2) * v.scale).toBeCloseTo(395)
    const tiny = readableRect({ x: 0, y: 0, w: 100, h: 50 }, LAPTOP, 24, 0.875)
    expect(tiny.scale).toBe(2)
  })

  it('shows the top of a field taller than the view', () => {
    const tall = { x: 100, y: 200, w: 600, h: 3000 }
    const v = readableRect(tall, LAPTOP, 24, 0.875)
    expect(v.scale).toBe(0.875)
    expect(v.y + tall.y * v.scale).toBeCloseTo(24)
    expect(v.x + tall.x * v.scale).toBeCloseTo(24)
  })
})

describe('zoomAt', () => {
  it('keeps the point under the pointer (or the centre) where it is', () => {
    const v = { x: -300, y: 40, scale: 0.6 }
    for (const [px, py] of [
      [720, 395],
      [100, 700]
    ] as const) {
      const before = toBoard(v, px, py)
      const after = toBoard(zoomAt(v, 1.25, px, py, 0.15, 3), px, py)
      expect(after.x).toBeCloseTo(before.x)
      expect(after.y).toBeCloseTo(before.y)
    }
  })

  it('stops at the limits and still keeps the point', () => {
    const v = { x: 0, y: 0, scale: 2.8 }
    const z = zoomAt(v, 2, 500, 300, 0.15, 3)
    expect(z.scale).toBe(3)
    expect(toBoard(z, 500, 300).x).toBeCloseTo(toBoard(v, 500, 300).x)
    expect(zoomAt(v, 0.001, 0, 0, 0.15, 3).scale).toBe(0.15)
  })
})

describe('centreOn and visibleRect', () => {
  it('puts a board point in the middle and reports what is in sight', () => {
    const v = centreOn({ x: 0, y: 0, scale: 0.5 }, 1200, 1000, LAPTOP)
    expect(toBoard(v, 720, 395)).toEqual({ x: 1200, y: 1000 })
    const r = visibleRect(v, LAPTOP)
    expect(r.w).toBe(2880)
    expect(r.x + r.w / 2).toBeCloseTo(1200)
    expect(r.y + r.h / 2).toBeCloseTo(1000)
  })
})

describe('union', () => {
  it('holds all rectangles, and nothing for none', () => {
    expect(
      union([
        { x: 10, y: 20, w: 100, h: 50 },
        { x: 200, y: 5, w: 10, h: 10 }
      ])
    ).toEqual({ x: 10, y: 5, w: 200, h: 65 })
    expect(union([])).toBeNull()
  })
})

describe('clearOf', () => {
  const tablet = { w: 1024, h: 636 }
  const board = { x: 0, y: 0, w: 2400, h: 2160 }
  const map = { x: 784, y: 369, w: 228, h: 255 }
  const button = { x: 922, y: 588, w: 90, h: 36 }
  const showAll = (room: { w: number; h: number }) => fitRect(board, room, 12)

  it('keeps the view that leaves the overview free', () => {
    const far = { x: 0, y: 0, w: 100, h: 100 }
    expect(clearOf(far, tablet, { now: map, folded: button }, showAll)).toEqual({ view: showAll(tablet), fold: false })
    expect(clearOf(board, tablet, null, showAll).view).toEqual(showAll(tablet))
  })

  it('shows the whole board beside the overview rather than under it', () => {
    expect(under(board, showAll(tablet), map)).toBe(true)
    const { view, fold } = clearOf(board, tablet, { now: map, folded: button }, showAll)
    expect(fold).toBe(false)
    expect(under(board, view, map)).toBe(false)
    expect(view.scale).toBeCloseTo(showAll(tablet).scale)
  })

  it('folds the overview when only its button leaves a field free, and not for what cannot be', () => {
    const field = { x: 1406, y: 1445, w: 980, h: 701 }
    const show = (room: { w: number; h: number }) => readableRect(field, room, 24, 0.875, 2, 0.9)
    const { view, fold } = clearOf(field, tablet, { now: map, folded: button }, show)
    expect(fold).toBe(true)
    expect(under(field, view, button)).toBe(false)
    const tall = { ...field, h: 3000 }
    const pan = (room: { w: number; h: number }) => readableRect(tall, room, 24, 0.875)
    expect(clearOf({ ...tall, w: 1400 }, tablet, { now: map, folded: button }, pan).fold).toBe(false)
  })

  it('folds the overview over a heading beyond a part too large to show, where open it would stay', () => {
    const part = { x: 0, y: 0, w: 2400, h: 300 }
    const pan = (room: { w: number; h: number }) => readableRect(part, room, 24, 0.875)
    const heading = { x: 900, y: 500, w: 300, h: 40 }
    const cover = { now: map, folded: button }
    expect(clearOf(part, tablet, cover, pan).fold).toBe(false)
    const { view, fold } = clearOf(part, tablet, cover, pan, [heading])
    expect(fold).toBe(true)
    expect(view).toEqual(pan(tablet))
    // what is clear of the open overview leaves it open
    expect(clearOf(part, tablet, cover, pan, [{ ...heading, y: 2000 }]).fold).toBe(false)
  })
})
