// Notes in the A3 diagram at the places the shared placement gives them (model/placement.ts):
// the same on every device, none hidden under another; a stack shows how many lie on it.
import { layout } from '../model/placement'

/** A note element and its stored position (y pointing up, as the diagram's axis). */
export interface DiagramNote {
  el: HTMLElement
  x: number
  y: number
}

/** Place the notes of one diagram, given in `order` (earlier notes keep their places). */
export function layoutDiagram (notes: readonly DiagramNote[]): void {
  const placed = layout(notes.map((n) => ({ x: n.x, y: 1 - n.y })))
  const stacks = new Map<number, number>()
  placed.forEach((p, i) => {
    const el = notes[i]?.el
    if (!el) return
    el.style.setProperty('--cx', String(p.x))
    el.style.setProperty('--cy', String(p.y))
    let depth = 0
    if (p.on >= 0) {
      depth = (stacks.get(p.on) ?? 0) + 1
      stacks.set(p.on, depth)
    }
    el.style.zIndex = depth > 0 ? String(depth) : ''
    if (depth > 0) el.dataset.stacked = String(depth)
    else if (el.dataset.stacked) delete el.dataset.stacked
  })
  placed.forEach((_, i) => {
    const el = notes[i]?.el
    if (!el) return
    const n = stacks.get(i)
    if (n) el.dataset.stack = `+${n}`
    else if (el.dataset.stack) delete el.dataset.stack
  })
}
