// Dragging a note by its handle (mouse, pen, touch): a ghost follows the pointer, the live
// position travels in awareness, and the move is committed to the document on release.
import type { Ctx } from './actions'
import { h } from './dom'
import type { FieldView } from './fields'
import type { DropHandler } from './groupDrop'
import type { PanZoom } from './panzoom'

const HANDLE = '.note-bar, .grip, .row-handle'
/** How near a sideways scroller's side (a phone's diagram) a drag scrolls it along, in px. */
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
    const before = near.el.scrollLeft
    const dt = Math.min(now - a.time, 50) / 1000
    near.el.scrollLeft += Math.sign(near.by) * Math.max(1, Math.abs(near.by) * EDGE_SPEED * dt)
    a.time = now
    if (near.el.scrollLeft === before) return
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
  /** How far into the band along its side, -1..1 (negative: its left side). */
  by: number
}

/** A sideways scroller with `x` near one of its sides (inside or just outside it) and `y`
 * within it. */
function edgeScroller(x: number, y: number): EdgeScroller | null {
  for (const el of document.querySelectorAll<HTMLElement>('.area-wrap')) {
    if (el.scrollWidth <= el.clientWidth + 1 || getComputedStyle(el).overflowX === 'visible') continue
    const r = el.getBoundingClientRect()
    if (y < r.top || y > r.bottom || x < r.left - EDGE || x > r.right + EDGE) continue
    if (x < r.left + EDGE) return { el, r, by: -Math.min(1, (r.left + EDGE - x) / EDGE) }
    if (x > r.right - EDGE) return { el, r, by: Math.min(1, (x - r.right + EDGE) / EDGE) }
  }
  return null
}

/** A point just beside a scroller's side, where a finger goes to scroll it along, taken as
 * that side: the note is dropped there, not lost off its field. */
function inScroller(x: number, y: number, near: EdgeScroller | null): { x: number; y: number } {
  if (!near) return { x, y }
  return { x: Math.min(Math.max(x, near.r.left + 1), near.r.right - 1), y }
}
