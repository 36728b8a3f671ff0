// Pan and zoom of the board inside its viewport: mouse drag on the background, wheel
// (trackpads: two-finger scroll pans, pinch arrives as ctrl+wheel and zooms), touch
// (one finger pans, two fingers pinch), keys and buttons. "Show all" fits the whole canvas,
// however far it has grown.
import { prefersReducedMotion } from './dom'
import {
  type Cover,
  clamp,
  clearOf,
  fitRect,
  MAX_SCALE,
  minScale,
  type Rect,
  type Size,
  type View,
  zoomAt
} from './viewport'

export type { View } from './viewport'

/** Room left around the board by "show all". */
const FIT_PAD = 12

/** Targets where a pointer press means "work with this", not "pan". */
const INTERACTIVE =
  'textarea, input, select, button, a, summary, details, label, .note, .row, .field-head, .format-cards, [contenteditable]'

/** `.board.animating`'s transition. */
const ANIMATION_MS = 250

export class PanZoom {
  readonly viewport: HTMLElement
  readonly content: HTMLElement
  private readonly width: number
  private readonly height: number
  view: View = { x: 0, y: 0, scale: 1 }
  enabled = true
  /** What lies over the viewport and hides the board under it (the overview), in client px. */
  covers: () => DOMRect[] = () => []
  /** The overview as a `Cover` (viewport px), and folding it: views the board picks itself
   * (show all, a field, a part) keep clear of it. */
  overview: { cover: (port: DOMRect) => Cover | null; fold: () => void } | null = null
  private readonly pointers = new Map<number, { x: number; y: number }>()
  private pinch: { dist: number; cx: number; cy: number } | null = null
  private moved = false
  private animations = 0
  /** A pointer is pressed: what it focuses is under it, and moving the board would make
   * the press end elsewhere (no click). */
  private pressed = false
  private readonly listeners = new Set<(v: View) => void>()

  constructor(viewport: HTMLElement, content: HTMLElement, width: number, height: number) {
    this.viewport = viewport
    this.content = content
    this.width = width
    this.height = height
    viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false })
    viewport.addEventListener('pointerdown', (e) => this.onDown(e))
    viewport.addEventListener('pointermove', (e) => this.onMove(e))
    viewport.addEventListener('pointerup', (e) => this.onUp(e))
    viewport.addEventListener('pointercancel', (e) => this.onUp(e))
    viewport.addEventListener('focusin', (e) => this.reveal(e.target))
    // the browser scrolls a focused element into view (Tab) even where nothing may
    // scroll: take that as a pan, or the board and its overview drift apart
    viewport.addEventListener('scroll', () => this.unscroll())
    viewport.addEventListener('pointerdown', () => this.setPressed(true), { capture: true })
    for (const type of ['pointerup', 'pointercancel', 'keydown'] as const)
      viewport.addEventListener(type, () => this.setPressed(false), { capture: true })
  }

  onChange(fn: (v: View) => void): void {
    this.listeners.add(fn)
  }

  apply(): void {
    const { x, y, scale } = this.view
    this.content.style.transform = this.enabled ? `translate(${x}px, ${y}px) scale(${scale})` : ''
    for (const fn of this.listeners) fn(this.view)
  }

  set(v: View): void {
    this.view = { x: v.x, y: v.y, scale: clamp(v.scale, this.minScale(), MAX_SCALE) }
    this.apply()
  }

  /** The viewport's size in CSS px. */
  port(): Size {
    const r = this.viewport.getBoundingClientRect()
    return { w: r.width, h: r.height }
  }

  /** The board's size now: it grows with its notes. */
  board(): Size {
    return { w: this.width, h: Math.max(this.height, this.content.offsetHeight) }
  }

  /** However many notes the board holds, "show all" is allowed to fit it, even beside the
   * overview. */
  minScale(): number {
    const port = this.port()
    if (port.w <= 0 || port.h <= 0) return 0
    return minScale(this.board(), { w: port.w / 2, h: port.h / 2 }, FIT_PAD)
  }

  /** The view `pick` gives for the viewport (or a room in it), with `keep` and `also` (board
   * units) not under the overview where that can be had; folds the overview if that is the way. */
  clearView(keep: Rect, pick: (room: Size) => View, also: readonly Rect[] = []): View {
    const port = this.viewport.getBoundingClientRect()
    const size = { w: port.width, h: port.height }
    const { view, fold } = clearOf(keep, size, this.overview?.cover(port) ?? null, pick, also)
    if (fold) this.overview?.fold()
    return view
  }

  /** Zoom by `factor` around a viewport point (default: the centre of the view). */
  zoom(factor: number, cx?: number, cy?: number): void {
    const port = this.port()
    this.set(zoomAt(this.view, factor, cx ?? port.w / 2, cy ?? port.h / 2, this.minScale(), MAX_SCALE))
  }

  /** Show all: the whole board in the viewport. */
  fit(): void {
    const port = this.port()
    if (port.w <= 0 || port.h <= 0) return
    const board = { x: 0, y: 0, ...this.board() }
    this.set(this.clearView(board, (room) => fitRect(board, room, FIT_PAD)))
  }

  /** Board coordinates of a client point. */
  toBoard(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.viewport.getBoundingClientRect()
    if (!this.enabled) {
      const c = this.content.getBoundingClientRect()
      return { x: clientX - c.left, y: clientY - c.top }
    }
    return {
      x: (clientX - r.left - this.view.x) / this.view.scale,
      y: (clientY - r.top - this.view.y) / this.view.scale
    }
  }

  private unscroll(): void {
    const { scrollLeft: sx, scrollTop: sy } = this.viewport
    if (!this.enabled || (sx === 0 && sy === 0)) return
    this.viewport.scrollLeft = 0
    this.viewport.scrollTop = 0
    this.set({ ...this.view, x: this.view.x - sx, y: this.view.y - sy })
  }

  private setPressed(on: boolean): void {
    this.pressed = on
  }

  /** Keep a focused element in sight (keyboard users move through the whole canvas). */
  reveal(target: EventTarget | null, again = 2): void {
    if (!this.enabled || this.pressed || !(target instanceof HTMLElement)) return
    if (target === this.viewport || target === this.content || !this.content.contains(target)) return
    if (this.content.classList.contains('animating')) {
      // mid-zoom the element is not where it will be: look again once the zoom ends
      setTimeout(() => {
        if (document.activeElement === target) this.reveal(target)
      }, ANIMATION_MS + 20)
      return
    }
    const vr = this.viewport.getBoundingClientRect()
    const er = target.getBoundingClientRect()
    // whole fields and other big things are not chased; notes and controls are
    if (er.width > vr.width || er.height > vr.height) return
    const margin = 24
    let dx = 0
    let dy = 0
    if (er.width > vr.width - margin * 2 || er.left < vr.left + margin) dx = vr.left + margin - er.left
    else if (er.right > vr.right - margin) dx = vr.right - margin - er.right
    if (er.height > vr.height - margin * 2 || er.top < vr.top + margin) dy = vr.top + margin - er.top
    else if (er.bottom > vr.bottom - margin) dy = vr.bottom - margin - er.bottom
    // out from under the overview, the shorter way: left of it or above it
    for (const c of this.covers()) {
      const l = er.left + dx
      const t = er.top + dy
      if (l + er.width <= c.left || l >= c.right || t + er.height <= c.top || t >= c.bottom) continue
      const left = c.left - margin / 2 - (l + er.width)
      const up = c.top - margin / 2 - (t + er.height)
      if (-left <= -up) dx += left
      else dy += up
    }
    if (dx !== 0 || dy !== 0) {
      // the viewport must not scroll itself; all movement goes through the transform
      this.viewport.scrollTop = 0
      this.viewport.scrollLeft = 0
      this.set({ ...this.view, x: this.view.x + dx, y: this.view.y + dy })
      // a layout that changed under the pan (a field growing, a view set meanwhile) can
      // leave the control out of sight: look once more after the frame, a bounded number
      // of times
      if (again > 0) {
        requestAnimationFrame(() => {
          if (document.activeElement === target) this.reveal(target, again - 1)
        })
      }
    }
  }

  private onWheel(e: WheelEvent): void {
    if (!this.enabled) return
    e.preventDefault()
    const r = this.viewport.getBoundingClientRect()
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? r.height : 1
    if (e.ctrlKey || e.metaKey) {
      this.zoom(Math.exp(-e.deltaY * unit * 0.0025), e.clientX - r.left, e.clientY - r.top)
    } else {
      const dx = (e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX) * unit
      const dy = (e.shiftKey && e.deltaX === 0 ? 0 : e.deltaY) * unit
      this.set({ ...this.view, x: this.view.x - dx, y: this.view.y - dy })
    }
  }

  private onDown(e: PointerEvent): void {
    if (!this.enabled) return
    const target = e.target instanceof Element ? e.target : null
    const onBackground = !target?.closest(INTERACTIVE)
    if (e.pointerType === 'mouse' && e.button !== 0 && e.button !== 1) return
    if (!onBackground && this.pointers.size === 0 && e.button !== 1) return
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY })
    // capture only once the pointer really moves: a capture would retarget dblclick
    this.moved = false
    if (this.pointers.size === 2) {
      this.capture()
      this.pinch = this.pinchState()
    }
  }

  private capture(): void {
    this.moved = true
    for (const id of this.pointers.keys()) {
      try {
        this.viewport.setPointerCapture(id)
      } catch {
        // the pointer is already gone
      }
    }
    this.viewport.classList.add('panning')
  }

  private pinchState(): { dist: number; cx: number; cy: number } | null {
    const [a, b] = [...this.pointers.values()]
    if (!a || !b) return null
    const r = this.viewport.getBoundingClientRect()
    return { dist: Math.hypot(a.x - b.x, a.y - b.y) || 1, cx: (a.x + b.x) / 2 - r.left, cy: (a.y + b.y) / 2 - r.top }
  }

  private onMove(e: PointerEvent): void {
    const prev = this.pointers.get(e.pointerId)
    if (!prev) return
    const next = { x: e.clientX, y: e.clientY }
    if (!this.moved && Math.hypot(next.x - prev.x, next.y - prev.y) < 4) return
    if (!this.moved) this.capture()
    this.pointers.set(e.pointerId, next)
    if (this.pointers.size >= 2 && this.pinch) {
      const now = this.pinchState()
      if (!now) return
      this.zoom(now.dist / this.pinch.dist, now.cx, now.cy)
      this.set({ ...this.view, x: this.view.x + now.cx - this.pinch.cx, y: this.view.y + now.cy - this.pinch.cy })
      this.pinch = now
    } else {
      this.set({ ...this.view, x: this.view.x + next.x - prev.x, y: this.view.y + next.y - prev.y })
    }
  }

  private onUp(e: PointerEvent): void {
    if (!this.pointers.delete(e.pointerId)) return
    this.pinch = this.pointers.size >= 2 ? this.pinchState() : null
    if (this.pointers.size === 0) this.viewport.classList.remove('panning')
  }

  animateTo(v: View): void {
    if (prefersReducedMotion()) {
      this.set(v)
      return
    }
    this.content.classList.add('animating')
    this.set(v)
    // only the last of overlapping animations ends the state: an earlier one's timer
    // would let a focused control be chased while the board still moves
    const token = ++this.animations
    setTimeout(() => {
      if (token === this.animations) this.content.classList.remove('animating')
    }, ANIMATION_MS + 10)
  }
}
