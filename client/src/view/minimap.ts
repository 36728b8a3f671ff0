// The overview: the whole board in small, its fields, its notes as dots and the rectangle now
// in sight. A click
// or drag on it moves the view there; each field is a button (Tab, Enter) that zooms to it.
// It folds away to one button and stays folded or open as the person left it.
import { t, tx } from '../i18n'
import type { Canvas } from '../model/canvas'
import type { BoardCanvas } from './canvas'
import { h } from './dom'
import { type Cover, centreOn, type Rect, visibleRect } from './viewport'

/** The map's largest size in CSS px; it keeps the board's proportions inside. */
const MAP_W = 216
const MAP_H = 260

export interface MinimapDeps {
  canvas: BoardCanvas
  model: Canvas
  open: boolean
  onToggle: (open: boolean) => void
}

export class Minimap {
  readonly el: HTMLElement
  private readonly canvas: BoardCanvas
  private readonly toggle: HTMLButtonElement
  private readonly body: HTMLElement
  private readonly map: HTMLElement
  private readonly frame: HTMLElement
  private readonly dots: HTMLCanvasElement
  private dotsQueued = false
  private readonly fields = new Map<string, HTMLButtonElement>()
  private readonly observer: ResizeObserver
  private scale = 0.05
  private dragging: number | null = null

  constructor(deps: MinimapDeps) {
    this.canvas = deps.canvas
    const ctx = deps.model
    this.frame = h('div', { class: 'minimap-view', attrs: { 'aria-hidden': 'true' } })
    this.map = h('div', { class: 'minimap-map' })
    for (const part of ctx.def.parts) {
      for (const fid of part.fields) {
        const f = ctx.field(fid)
        if (!f) continue
        const btn = h(
          'button',
          {
            class: `minimap-field part-${part.id}`,
            attrs: { type: 'button', 'aria-label': t('minimap.field', { field: `${f.id} ${tx(f.label)}` }) }
          },
          // the id stays readable above the notes' dots
          h('span', { class: 'minimap-id', text: f.id })
        )
        // pointer clicks move the view to the point; Enter and Space (detail 0) zoom to the field
        btn.addEventListener('click', (e) => {
          if (e.detail === 0) this.canvas.showField(f.id)
        })
        this.fields.set(f.id, btn)
        this.map.append(btn)
      }
    }
    this.dots = h('canvas', { class: 'minimap-dots', attrs: { 'aria-hidden': 'true' } })
    this.map.append(this.dots, this.frame)
    this.body = h('div', { class: 'minimap-body', id: 'minimap-body' }, this.map)
    this.toggle = h('button', {
      class: 'btn btn-small minimap-toggle',
      text: t('minimap.toggle'),
      attrs: { type: 'button', 'aria-controls': 'minimap-body', title: t('minimap.toggle.hint') },
      on: {
        click: () => {
          this.setOpen(!this.isOpen())
          deps.onToggle(this.isOpen())
        }
      }
    })
    this.el = h('section', { class: 'minimap', attrs: { 'aria-label': t('minimap.label') } }, this.toggle, this.body)
    // the board's own pan and zoom must not see what happens here
    for (const type of ['pointerdown', 'wheel', 'dblclick'] as const) {
      this.el.addEventListener(type, (e) => e.stopPropagation())
    }
    this.map.addEventListener('pointerdown', (e) => this.onDown(e))
    this.map.addEventListener('pointermove', (e) => this.onMove(e))
    this.map.addEventListener('pointerup', (e) => this.onUp(e))
    this.map.addEventListener('pointercancel', (e) => this.onUp(e))
    this.observer = new ResizeObserver(() => this.layout())
    this.observer.observe(deps.canvas.content)
    deps.canvas.pz.onChange(() => this.place())
    this.setOpen(deps.open)
  }

  isOpen(): boolean {
    return this.body.hidden !== true
  }

  setOpen(open: boolean): void {
    this.body.hidden = !open
    this.toggle.setAttribute('aria-expanded', String(open))
    this.el.classList.toggle('open', open)
    if (open) this.layout()
  }

  /** Where it lies over the board's viewport `port` (viewport px), open and folded; null
   * when it is not shown (a phone). */
  cover(port: DOMRect): Cover | null {
    const r = this.el.getBoundingClientRect()
    if (r.width <= 0 || r.height <= 0) return null
    const now = { x: r.left - port.left, y: r.top - port.top, w: r.width, h: r.height }
    if (!this.isOpen()) return { now, folded: null }
    // folded, the button alone sits where the open map's bottom-right corner is
    const w = this.toggle.offsetWidth
    const h = this.toggle.offsetHeight
    return { now, folded: { x: now.x + now.w - w, y: now.y + now.h - h, w, h } }
  }

  /** Notes came, went or moved: redraw their dots once in the next frame. */
  notesChanged(): void {
    if (this.dotsQueued || !this.isOpen()) return
    this.dotsQueued = true
    requestAnimationFrame(() => {
      this.dotsQueued = false
      this.drawDots()
    })
  }

  destroy(): void {
    this.observer.disconnect()
  }

  /** Fields and map size follow the board, which grows with its notes. */
  private layout(): void {
    if (!this.isOpen()) return
    const board = this.canvas.pz.board()
    this.scale = Math.min(MAP_W / board.w, MAP_H / board.h)
    this.map.style.width = `${Math.round(board.w * this.scale)}px`
    this.map.style.height = `${Math.round(board.h * this.scale)}px`
    for (const [id, btn] of this.fields) {
      const r = this.canvas.fieldRect(id)
      btn.hidden = r === null
      if (r) this.put(btn, r)
    }
    this.drawDots()
    this.place()
  }

  private drawDots(): void {
    if (!this.isOpen()) return
    const w = this.map.offsetWidth
    const hh = this.map.offsetHeight
    const dpr = window.devicePixelRatio || 1
    this.dots.width = Math.round(w * dpr)
    this.dots.height = Math.round(hh * dpr)
    this.dots.style.width = `${w}px`
    this.dots.style.height = `${hh}px`
    const g = this.dots.getContext('2d')
    if (!g) return
    g.scale(dpr, dpr)
    const board = this.canvas.content.getBoundingClientRect()
    const k = this.scale / (this.canvas.pz.view.scale || 1)
    for (const el of this.canvas.content.querySelectorAll<HTMLElement>('[data-note], [data-row]')) {
      const r = el.getBoundingClientRect()
      if (r.width <= 0) continue
      g.fillStyle = getComputedStyle(el).getPropertyValue('--note-bg').trim() || '#fff4a3'
      g.fillRect(
        (r.left - board.left) * k,
        (r.top - board.top) * k,
        Math.max(2, r.width * k),
        Math.max(2, r.height * k)
      )
      g.strokeStyle = 'rgba(0, 0, 0, 0.45)'
      g.lineWidth = 0.5
      g.strokeRect(
        (r.left - board.left) * k,
        (r.top - board.top) * k,
        Math.max(2, r.width * k),
        Math.max(2, r.height * k)
      )
    }
  }

  /** The rectangle in sight. */
  private place(): void {
    if (!this.isOpen()) return
    const port = this.canvas.pz.port()
    if (port.w <= 0) return
    this.put(this.frame, visibleRect(this.canvas.pz.view, port))
  }

  private put(el: HTMLElement, r: Rect): void {
    const s = this.scale
    el.style.left = `${r.x * s}px`
    el.style.top = `${r.y * s}px`
    el.style.width = `${r.w * s}px`
    el.style.height = `${r.h * s}px`
  }

  private moveTo(e: PointerEvent): void {
    const m = this.map.getBoundingClientRect()
    const pz = this.canvas.pz
    const bx = (e.clientX - m.left) / this.scale
    const by = (e.clientY - m.top) / this.scale
    pz.set(centreOn(pz.view, bx, by, pz.port()))
  }

  private onDown(e: PointerEvent): void {
    if (e.pointerType === 'mouse' && e.button !== 0) return
    // keep the focus where it was: the map is a pointer's shortcut, the buttons are the keys'
    e.preventDefault()
    this.dragging = e.pointerId
    this.map.setPointerCapture(e.pointerId)
    this.moveTo(e)
  }

  private onMove(e: PointerEvent): void {
    if (this.dragging === e.pointerId) this.moveTo(e)
  }

  private onUp(e: PointerEvent): void {
    if (this.dragging === e.pointerId) this.dragging = null
  }
}
