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

/** Room kept between a focused note's tools and the side of its scrolling diagram (px). */
const TOOLS_ROOM = 8

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
    // the tool row opens toward the middle: at the left edge it would stick out of the diagram
    el.classList.toggle('tools-start', p.x < 0.5)
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

// a press that focuses must end where it began, or it makes no click: a reveal asked for
// during a press waits for its end. One pair of listeners for every diagram, added once.
let pressed = false
let afterPress: (() => void) | null = null
let watching = false

function watchPresses(): void {
  if (watching) return
  watching = true
  window.addEventListener('pointerdown', () => (pressed = true), { capture: true })
  const release = (): void => {
    const then = afterPress
    pressed = false
    afterPress = null
    if (then) setTimeout(then, 0)
  }
  window.addEventListener('pointerup', release, { capture: true })
  window.addEventListener('pointercancel', release, { capture: true })
}

/** A focused note's tools in sight inside a diagram that scrolls sideways (a phone's): the
 * browser brings the focused text into view, not the row of buttons under it. */
export function keepToolsInView(wrap: HTMLElement): void {
  watchPresses()
  wrap.addEventListener('focusin', (e) => {
    const note = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-note]') : null
    if (!note) return
    if (pressed) afterPress = () => note.contains(document.activeElement) && revealTools(wrap, note)
    else revealTools(wrap, note)
  })
}

function revealTools(wrap: HTMLElement, note: HTMLElement): void {
  const tools = note.querySelector<HTMLElement>(':scope > .note-tools')
  if (!tools || wrap.scrollWidth <= wrap.clientWidth) return
  const w = wrap.getBoundingClientRect()
  const n = note.getBoundingClientRect()
  const r = tools.getBoundingClientRect()
  const left = Math.min(n.left, r.left) - TOOLS_ROOM
  const right = Math.max(n.right, r.right) + TOOLS_ROOM
  if (left < w.left) wrap.scrollLeft -= w.left - left
  else if (right > w.right) wrap.scrollLeft += Math.min(right - w.right, left - w.left)
  tools.scrollIntoView({ block: 'nearest', inline: 'nearest' })
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
