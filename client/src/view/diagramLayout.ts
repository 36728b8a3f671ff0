// Notes in the A3 diagram at the places the shared placement gives them (model/placement.ts):
// the same on every device, none hidden under another; a stack shows how many lie on it, and
// its count is a button (mouse, touch, keyboard) that brings each note of the stack to the front.
import { t, tn } from '../i18n'
import { layout } from '../model/placement'
import { h, setAttr, setText } from './dom'

/** A note element and its stored position (y pointing up, as the diagram's axis). */
export interface DiagramNote {
  el: HTMLElement
  x: number
  y: number
}

/** Above the other notes of its stack, below a focused or expanded note (app.css). */
const FRONT_Z = '19'

/** The notes of each stack, its bottom note first, as the last layout left them. */
const stackOf = new WeakMap<HTMLElement, HTMLElement[]>()

/** Place the notes of one diagram, given in `order` (earlier notes keep their places). */
export function layoutDiagram(notes: readonly DiagramNote[]): void {
  const placed = layout(notes.map((n) => ({ x: n.x, y: 1 - n.y })))
  const stacks = new Map<number, HTMLElement[]>()
  placed.forEach((p, i) => {
    const el = notes[i]?.el
    if (!el) return
    el.style.setProperty('--cx', String(p.x))
    el.style.setProperty('--cy', String(p.y))
    let depth = 0
    if (p.on >= 0) {
      const members = stacks.get(p.on) ?? []
      members.push(el)
      stacks.set(p.on, members)
      depth = members.length
    }
    el.style.zIndex = el.classList.contains('stack-front') ? FRONT_Z : depth > 0 ? String(depth) : ''
    if (depth > 0) el.dataset.stacked = String(depth)
    else if (el.dataset.stacked) delete el.dataset.stacked
  })
  placed.forEach((_, i) => {
    const el = notes[i]?.el
    if (!el) return
    const on = stacks.get(i)
    if (on) {
      el.dataset.stack = `+${on.length}`
      stackOf.set(el, [el, ...on])
      showCount(el, on.length)
    } else {
      if (el.dataset.stack) delete el.dataset.stack
      stackOf.delete(el)
      for (const old of el.querySelectorAll(':scope > .note-stack, :scope > .note-stack-status')) old.remove()
    }
  })
}

function showCount(el: HTMLElement, n: number): void {
  let btn = el.querySelector<HTMLButtonElement>(':scope > .note-stack')
  if (!btn) {
    btn = h('button', {
      class: 'note-stack',
      attrs: { type: 'button' },
      on: { click: () => cycle(el) }
    })
    // which note came to the front, said where the pressed button is
    el.append(btn, h('span', { class: 'note-stack-status sr-only', attrs: { role: 'status' } }))
  }
  setText(btn, `+${n}`)
  setAttr(btn, 'aria-label', tn('note.stack', n))
}

/** Bring the next note of the stack at `base` to the front; the focus stays on the count,
 * so pressing it again goes on through the stack. */
function cycle(base: HTMLElement): void {
  const members = stackOf.get(base)
  if (!members) return
  const now = members.findIndex((m) => m.classList.contains('stack-front'))
  const next = members[(now + 1) % members.length]
  if (!next) return
  members.forEach((m, depth) => {
    const front = m === next
    m.classList.toggle('stack-front', front)
    m.style.zIndex = front ? FRONT_Z : depth > 0 ? String(depth) : ''
  })
  const status = base.querySelector(':scope > .note-stack-status')
  if (status) setText(status, t('note.stack.front', { note: next.getAttribute('aria-label') ?? '' }))
}
