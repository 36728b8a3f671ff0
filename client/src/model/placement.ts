// Where notes sit in the A3 diagram, in canvas coordinates: the twin of
// canvas_schema/placement.py (both are checked against canvas_schema/placement_cases.json).
// Centres are shares of the diagram (0..1, y down as displayed); a note covers NOTE_W x NOTE_H.

export const NOTE_W = 0.15
export const NOTE_H = 0.2
const EPS = 1e-6
// a note stacked on another is offset by these shares of a note: the one below shows its
// author line and first line of text
const STACK_DX = 0.06
const STACK_DY = 0.34

export interface Point {
  x: number
  y: number
}
/** A note as displayed: its centre, and the index of the note it is stacked on (or -1). */
export interface Placed {
  x: number
  y: number
  on: number
}

/** Half-up rounding to 4 places (the Python side rounds the same way). */
export function round4(v: number): number {
  return Math.floor(v * 10000 + 0.5) / 10000
}

function axis(size: number): number[] {
  const n = 2 * Math.max(1, Math.floor(1 / size)) - 1
  if (n === 1) return [0.5]
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(size / 2 + (i * (1 - size)) / (n - 1))
  return out
}

/** Spots a new note may take, top to bottom, left to right (half a note apart). */
export function candidates(w = NOTE_W, h = NOTE_H): Point[] {
  const out: Point[] = []
  for (const y of axis(h)) for (const x of axis(w)) out.push({ x, y })
  return out
}

function clamp(v: number, size: number): number {
  return Math.min(Math.max(v, size / 2), 1 - size / 2)
}

function overlaps(a: Point, b: Point, w: number, h: number): boolean {
  return Math.abs(a.x - b.x) < w - EPS && Math.abs(a.y - b.y) < h - EPS
}

/** The first spot no note covers; when all are covered, the one fewest notes cover. */
export function freeSpot(taken: readonly Point[], w = NOTE_W, h = NOTE_H): Point {
  const boxes = taken.map((p) => ({ x: clamp(p.x, w), y: clamp(p.y, h) }))
  let best: Point = { x: 0.5, y: 0.5 }
  let bestCount = -1
  for (const c of candidates(w, h)) {
    let count = 0
    for (const b of boxes) if (overlaps(c, b, w, h)) count++
    if (count === 0) return { x: round4(c.x), y: round4(c.y) }
    if (bestCount < 0 || count < bestCount) {
      best = c
      bestCount = count
    }
  }
  return { x: round4(best.x), y: round4(best.y) }
}

// offset down/right, or up/left where the edge leaves no room
function shift(v: number, d: number, size: number): number {
  return v + d <= 1 - size / 2 + EPS ? v + d : Math.max(size / 2, v - d)
}

/** On the note with the fewest stacked on it (the nearest, then the first), offset. */
function stack(placed: readonly Placed[], p: Point, w: number, h: number): Placed {
  const depths = new Map<number, number>()
  for (const q of placed) if (q.on >= 0) depths.set(q.on, (depths.get(q.on) ?? 0) + 1)
  let best = -1
  let bestDepth = 0
  let bestD = 0
  placed.forEach((q, i) => {
    if (q.on >= 0) return
    const dx = q.x - p.x
    const dy = q.y - p.y
    const d = dx * dx + dy * dy
    const depth = depths.get(i) ?? 0
    if (best < 0 || depth < bestDepth || (depth === bestDepth && d < bestD)) {
      best = i
      bestDepth = depth
      bestD = d
    }
  })
  const base = placed[best] ?? { x: p.x, y: p.y, on: -1 }
  const depth = bestDepth + 1
  return { x: shift(base.x, STACK_DX * w * depth, w), y: shift(base.y, STACK_DY * h * depth, h), on: best }
}

/**
 * Display positions for the notes in `order`: none hides another. A note keeps its place
 * when it covers no earlier note, else it moves to the nearest free spot; when none is left
 * it is stacked, offset, on the note with the fewest stacked on it (every top stays in sight).
 */
export function layout(notes: readonly Point[], w = NOTE_W, h = NOTE_H): Placed[] {
  const spots = candidates(w, h)
  const free = spots.map(() => true)
  const placed: Placed[] = []
  for (const n of notes) {
    const p = { x: clamp(n.x, w), y: clamp(n.y, h) }
    const hit = placed.findIndex((q) => overlaps(p, q, w, h))
    let out: Placed
    if (hit < 0) {
      out = { x: p.x, y: p.y, on: -1 }
    } else {
      let near = -1
      let nearD = 0
      spots.forEach((c, i) => {
        if (!free[i]) return
        const dx = c.x - p.x
        const dy = c.y - p.y
        const d = dx * dx + dy * dy
        if (near < 0 || d < nearD - EPS) {
          near = i
          nearD = d
        }
      })
      const spot = spots[near]
      if (spot) {
        out = { x: spot.x, y: spot.y, on: -1 }
      } else {
        out = stack(placed, p, w, h)
      }
    }
    spots.forEach((c, i) => {
      if (free[i] && overlaps(c, out, w, h)) free[i] = false
    })
    placed.push(out)
  }
  return placed.map((q) => ({ x: round4(q.x), y: round4(q.y), on: q.on }))
}
