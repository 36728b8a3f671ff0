// Dragging a note by its handle (mouse, pen, touch): a ghost follows the pointer, the live
// position travels in awareness, and the move is committed to the document on release.
import type { Ctx } from './actions'
import { h } from './dom'
import type { FieldView } from './fields'
import type { DropHandler } from './groupDrop'
import type { PanZoom } from './panzoom'

const HANDLE = '.note-bar, .grip, .row-handle'
/** How near a scroller's side a drag scrolls it along, in px: a phone's diagram sideways,
 * a phone's board up and down. */
const EDGE = 36
/** The fastest it scrolls then, at the side itself, in px a second. */
const EDGE_SPEED = 720

export class NoteDrag {
  private readonly ctx: Ctx
  private readonly pz: PanZoom
  private readonly overlay: HTMLElement
  private readonly fieldAt: (x: number, y: number) => FieldView | null
  /** Drops that group notes or carry a selection along; false: an ordinary move. */
  onDrop: DropHandler | null = null
  /** True while presses select notes instead of moving them (touch selection mode). */
  selecting: () => boolean = () => false
  private active: {
    id: string
    pointer: number
    ghost: HTMLElement
    source: HTMLElement
    target: FieldView | null
    handle: HTMLElement
    from: { x: number; y: number }
    /** The pointer now, in client px. */
    at: { x: number; y: number }
    /** The edge scroll's next frame, 0 when none is asked for; the last frame's time. */
    frame: number
    time: number
  } | null = null

  constructor(
    ctx: Ctx,
    root: HTMLElement,
    pz: PanZoom,
    overlay: HTMLElement,
    fieldAt: (x: number, y: number) => FieldView | null
  ) {
    this.ctx = ctx
    this.pz = pz
    this.overlay = overlay
    this.fieldAt = fieldAt
    root.addEventListener('pointerdown', (e) => this.onDown(e))
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.active) this.end(null)
    })
  }

  private onDown(e: PointerEvent): void {
    if (this.ctx.readOnly() || this.active) return
    // Shift/Ctrl/Cmd-click selects (selection.ts), it never moves
    if (e.shiftKey || e.ctrlKey || e.metaKey || this.selecting()) return
    if (e.pointerType === 'mouse' && e.button !== 0) return
    const target = e.target instanceof Element ? e.target : null
    const handle = target?.closest<HTMLElement>(HANDLE)
    const source = handle?.closest<HTMLElement>('[data-note]')
    const id = source?.dataset.note
    if (!handle || !source || !id) return
    e.preventDefault()
    e.stopPropagation()
    const d = this.ctx.board.data(id)
    const text = this.ctx.board.text(id, 'text')?.toString() ?? ''
    const ghost = h('div', { class: 'drag-ghost', attrs: { 'aria-hidden': 'true' }, text: text.slice(0, 60) || '…' })
    ghost.style.setProperty('--note-bg', this.ctx.canvas.color(d?.color).value)
    this.overlay.append(ghost)
    source.classList.add('dragging')
    handle.setPointerCapture(e.pointerId)
    this.active = {
      id,
      pointer: e.pointerId,
      ghost,
      source,
      target: null,
      handle,
      from: { x: e.clientX, y: e.clientY },
      at: { x: e.clientX, y: e.clientY },
      frame: 0,
      time: 0
    }
    const move = (ev: PointerEvent): void => {
      if (ev.pointerId === this.active?.pointer) this.onMove(ev)
    }
    const up = (ev: PointerEvent): void => {
      if (ev.pointerId !== this.active?.pointer) return
      handle.removeEventListener('pointermove', move)
      handle.removeEventListener('pointerup', up)
      handle.removeEventListener('pointercancel', up)
      this.end(ev.type === 'pointerup' ? ev : null)
    }
    handle.addEventListener('pointermove', move)
    handle.addEventListener('pointerup', up)
    handle.addEventListener('pointercancel', up)
    this.onMove(e)
  }

  private onMove(e: PointerEvent): void {
    const a = this.active
    if (!a) return
    a.at = { x: e.clientX, y: e.clientY }
    const near = edgeScroller(a.at.x, a.at.y)
    this.track(near)
    if (!a.frame && near) {
      a.time = performance.now()
      a.frame = requestAnimationFrame((now) => this.edgeScroll(now))
    }
  }

  /** The ghost, the field under the pointer and the live position, where the pointer is
   * (`near`: the scroller whose side it is near, if any). */
  private track(near: EdgeScroller | null): void {
    const a = this.active
    if (!a) return
    const { x, y } = inScroller(a.at.x, a.at.y, near)
    const p = this.pz.toBoard(a.at.x, a.at.y)
    a.ghost.style.left = `${p.x}px`
    a.ghost.style.top = `${p.y}px`
    const field = this.fieldAt(x, y)
    if (field !== a.target) {
      a.target?.el.classList.remove('drop-target')
      field?.el.classList.add('drop-target')
      a.target = field
    }
    const pos = field?.pointToPos(x, y)
    if (field && pos) this.ctx.presence.setDrag({ note: a.id, field: field.field.id, x: pos.x, y: pos.y })
  }

  /** One frame of scrolling along while the pointer stays near a scroller's side; the
   * place under the pointer changes with it. Stops at the scroller's end. */
  private edgeScroll(now: number): void {
    const a = this.active
    if (!a) return
    a.frame = 0
    const near = edgeScroller(a.at.x, a.at.y)
    if (!near) return
    const side = near.down ? 'scrollTop' : 'scrollLeft'
    const before = near.el[side]
    const dt = Math.min(now - a.time, 50) / 1000
    near.el[side] += Math.sign(near.by) * Math.max(1, Math.abs(near.by) * EDGE_SPEED * dt)
    a.time = now
    if (near.el[side] === before) return
    this.track(near)
    a.frame = requestAnimationFrame((t) => this.edgeScroll(t))
  }

  private end(e: PointerEvent | null): void {
    const a = this.active
    if (!a) return
    this.active = null
    if (a.frame) cancelAnimationFrame(a.frame)
    a.ghost.remove()
    a.source.classList.remove('dragging')
    a.target?.el.classList.remove('drop-target')
    this.ctx.presence.setDrag(null)
    if (!e) return
    const { x, y } = inScroller(e.clientX, e.clientY, edgeScroller(e.clientX, e.clientY))
    const field = this.fieldAt(x, y)
    const pos = field?.pointToPos(x, y)
    if (field && this.onDrop?.(a.id, x, y, field, a.from)) return
    if (field && pos) {
      const kind = field.field.kind
      const rows = kind === 'table' || kind === 'actions'
      this.ctx.actions.move(a.id, field.field.id, rows ? 0.5 : pos.x, rows ? 0.5 : pos.y)
    }
  }
}

interface EdgeScroller {
  el: HTMLElement
  r: DOMRect
  /** True for the board scrolling up and down, false for a diagram scrolling sideways. */
  down: boolean
  /** How far into the band along its side, -1..1 (negative: its left or top side). */
  by: number
}

/** How far into the band of `EDGE` px inside `from`..`to` the point `at` is, -1..1; 0 outside. */
function intoBand(at: number, from: number, to: number): number {
  if (at < from + EDGE) return -Math.min(1, (from + EDGE - at) / EDGE)
  if (at > to - EDGE) return Math.min(1, (at - to + EDGE) / EDGE)
  return 0
}

/** A scroller with the point near one of its sides (inside or just outside it): a sideways
 * one (a phone's diagram) with `y` within it, else the board when it scrolls up and down
 * (a phone's), with `x` within it. Near a diagram's side and the board's at once, the
 * diagram goes first; the board follows when the diagram is at its end. */
function edgeScroller(x: number, y: number): EdgeScroller | null {
  let sideways: EdgeScroller | null = null
  for (const el of document.querySelectorAll<HTMLElement>('.area-wrap')) {
    if (el.scrollWidth <= el.clientWidth + 1 || getComputedStyle(el).overflowX === 'visible') continue
    const r = el.getBoundingClientRect()
    if (y < r.top || y > r.bottom || x < r.left - EDGE || x > r.right + EDGE) continue
    const by = intoBand(x, r.left, r.right)
    if (by === 0) continue
    sideways = { el, r, down: false, by }
    const end = by < 0 ? el.scrollLeft <= 0 : el.scrollLeft >= el.scrollWidth - el.clientWidth - 1
    if (!end) return sideways
  }
  // at its end a diagram stops; a drop beside it still lands on its side
  return upAndDown(x, y) ?? sideways
}

/** The board, when it scrolls up and down (a phone's) and `y` is near its top or bottom. */
function upAndDown(x: number, y: number): EdgeScroller | null {
  const board = document.getElementById('canvas')
  if (!board || board.scrollHeight <= board.clientHeight + 1) return null
  const overflow = getComputedStyle(board).overflowY
  if (overflow !== 'auto' && overflow !== 'scroll') return null
  // the part of the board on screen: the window's bottom when the board reaches below it
  const box = board.getBoundingClientRect()
  const r = new DOMRect(box.left, box.top, box.width, Math.min(box.bottom, window.innerHeight) - box.top)
  if (x < r.left || x > r.right || y < r.top - EDGE || y > r.bottom + EDGE) return null
  const by = intoBand(y, r.top, r.bottom)
  const end = by < 0 ? board.scrollTop <= 0 : board.scrollTop >= board.scrollHeight - board.clientHeight - 1
  return by === 0 || end ? null : { el: board, r, down: true, by }
}

/** A point just beside a scroller's side, where a finger goes to scroll it along, taken as
 * that side: the note is dropped there, not lost off its field. */
function inScroller(x: number, y: number, near: EdgeScroller | null): { x: number; y: number } {
  if (!near) return { x, y }
  if (near.down) return { x, y: Math.min(Math.max(y, near.r.top + 1), near.r.bottom - 1) }
  return { x: Math.min(Math.max(x, near.r.left + 1), near.r.right - 1), y }
}
