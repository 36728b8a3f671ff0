// The canvas: the board grid in a pan/zoom viewport, the notes on it, drag, live cursors and
// keyboard operation wired together; showing one field or part zooms the viewport to it at a
// size where note text can be read.
import { BOARD_HEIGHT, BOARD_WIDTH } from '../config'
import { tx } from '../i18n'
import type { Ctx } from './actions'
import { BoardGrid } from './BoardGrid'
import { CanvasNotes, type DiffMark } from './CanvasNotes'
import { onCanvasKey } from './canvasKeys'
import { Cursors } from './cursors'
import { h } from './dom'
import { NoteDrag } from './drag'
import type { FieldView } from './fields'
import { groupDrop } from './groupDrop'
import { PanZoom } from './panzoom'
import { Selection } from './selection'
import { type Rect, readableRect, readableScale, type Size, union } from './viewport'

/** Room around a field or part shown on its own. */
const SHOW_PAD = 24
/** A table shown whole may be this much smaller than readable (its text 14 → 12.6 px). A
 * tablet upright (768 px) would need 9 px (A3, B4) or 11 px (C3) to fit one: it pans instead. */
const TABLE_GIVE = 0.9
/** What a person works with in a field: kept clear of the overview when showing it. The
 * diagram's axis names and ticks say where a note belongs. */
const USED = 'button, input, select, textarea, a[href], [data-note], [data-row], .axis-label, .tick'
/** The first view keeps these clear in every field, not only those it opens on: below or
 * beside a part too large to fit, the next fields' headings are in sight too. */
const SEEN = `${USED}, .field-title-row`

export class BoardCanvas {
  readonly el: HTMLElement
  readonly content: HTMLElement
  readonly pz: PanZoom
  readonly cursors: Cursors
  private readonly ctx: Ctx
  private readonly grid: BoardGrid
  private readonly notes: CanvasNotes

  /** `idPrefix` keeps element ids unique when a second canvas (a snapshot) is on the page. */
  constructor(ctx: Ctx, opts: { idPrefix?: string } = {}) {
    const prefix = opts.idPrefix ?? ''
    this.ctx = ctx
    this.grid = new BoardGrid(ctx, prefix, (req) => this.notes.add(req))
    this.notes = new CanvasNotes(ctx, this.grid)
    this.content = this.grid.el
    const overlay = h('div', { class: 'drag-layer', attrs: { 'aria-hidden': 'true' } })
    this.cursors = new Cursors(ctx)
    this.content.append(overlay, this.cursors.layer)
    this.el = h(
      'div',
      { class: 'viewport', id: `${prefix}canvas`, attrs: { tabindex: -1, 'aria-label': tx(ctx.canvas.def.title) } },
      this.content
    )
    this.pz = new PanZoom(this.el, this.content, BOARD_WIDTH, BOARD_HEIGHT)
    const drag = new NoteDrag(ctx, this.content, this.pz, overlay, (x, y) => this.grid.fieldAt(x, y))
    this.notes.selection = new Selection(ctx, this.content, this.el, overlay, this.pz)
    drag.onDrop = groupDrop(ctx, this.notes.selection)
    drag.selecting = () => this.notes.selection?.touchSelecting ?? false

    const keys = { ctx, grid: this.grid, notes: this.notes }
    this.content.addEventListener('keydown', (e) => onCanvasKey(keys, e))
    // a field's title is a button that zooms to the field (click, Enter or Space)
    this.content.addEventListener('click', (e) => {
      const btn = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-zoom]') : null
      const id = btn?.dataset.zoom
      if (id) this.showField(id)
    })
    this.el.addEventListener('pointermove', (e) => {
      if (e.pointerType === 'touch') return
      const p = this.pz.toBoard(e.clientX, e.clientY)
      ctx.presence.setCursor({ x: Math.round(p.x), y: Math.round(p.y) })
    })
    this.el.addEventListener('pointerleave', () => ctx.presence.setCursor(null))
    this.grid.setPhoneField(this.grid.currentPhoneField())
  }

  /** Board coordinates of a position inside a field (for others' drags). */
  boardPoint(fv: FieldView, x: number, y: number): { x: number; y: number } | null {
    const target = fv.area ?? fv.el
    const r = target.getBoundingClientRect()
    if (r.width <= 0) return null
    const yy = fv.field.kind === 'diagram' ? 1 - y : y
    return this.pz.toBoard(r.left + x * r.width, r.top + yy * r.height)
  }

  /** Show one field (the moderator's focus, a title clicked) or, with null, the whole canvas. */
  showField(fieldId: string | null, animate = true, also: readonly Rect[] = []): void {
    if (fieldId === null) {
      this.pz.fit()
      return
    }
    if (!this.grid.fieldView(fieldId)) return
    if (this.grid.isPhone()) {
      this.grid.setPhoneField(fieldId)
      return
    }
    // a table (B4, C3) whole rather than its last column and row tools off screen
    const kind = this.ctx.canvas.field(fieldId)?.kind
    const give = kind === 'table' || kind === 'actions' ? TABLE_GIVE : 1
    this.showRect(this.fieldRect(fieldId), this.usedRect([fieldId]), animate, give, also)
  }

  /** Show one part of the canvas (all its fields), large enough to read. */
  showPart(partId: string, animate = true, also: readonly Rect[] = []): void {
    const part = this.ctx.canvas.def.parts.find((p) => p.id === partId)
    if (!part) return
    if (this.grid.isPhone()) {
      const first = part.fields[0]
      if (first) this.grid.setPhoneField(first)
      return
    }
    const rects = part.fields.map((f) => this.fieldRect(f)).filter((r) => r !== null)
    this.showRect(union(rects), this.usedRect(part.fields), animate, 1, also)
  }

  /** The first view: the moderator's focus, or else the first part, with readable notes. */
  home(field: string | null): void {
    const first = this.ctx.canvas.def.parts[0]
    const every = this.ctx.canvas.def.parts.flatMap((p) => p.fields)
    const seen = this.boardRects(every, SEEN)
    if (field !== null && this.grid.fieldView(field)) this.showField(field, false, seen)
    else if (first) this.showPart(first.id, false, seen)
    else this.pz.fit()
  }

  /** A field's box on the board (board units), or null when it is not laid out. */
  fieldRect(fieldId: string): Rect | null {
    const el = this.grid.fieldView(fieldId)?.el
    if (!el || el.offsetWidth <= 0) return null
    return { x: el.offsetLeft, y: el.offsetTop, w: el.offsetWidth, h: el.offsetHeight }
  }

  /** Note text size at zoom 1: from a note on the board, else from the page's root size. */
  noteFontPx(): number {
    const probe = this.content.querySelector('.note-text') ?? document.documentElement
    return Number.parseFloat(getComputedStyle(probe).fontSize) || 16
  }

  /** What of these fields a person works with, in board units: their notes and controls (a
   * table's rows end well above the field's bottom edge). */
  private usedRect(fieldIds: readonly string[]): Rect | null {
    return union(this.boardRects(fieldIds, USED))
  }

  /** The boxes of what `selector` finds in these fields, in board units. */
  private boardRects(fieldIds: readonly string[], selector: string): Rect[] {
    const board = this.content.getBoundingClientRect()
    // the scale drawn now, which mid-zoom is not yet the view's
    const k = board.width / (this.content.offsetWidth || 1) || 1
    const rects: Rect[] = []
    for (const id of fieldIds) {
      const el = this.grid.fieldView(id)?.el
      if (!el) continue
      for (const c of el.querySelectorAll(selector)) {
        const r = c.getBoundingClientRect()
        if (r.width <= 0 || r.height <= 0) continue
        rects.push({ x: (r.left - board.left) / k, y: (r.top - board.top) / k, w: r.width / k, h: r.height / k })
      }
    }
    return rects
  }

  private showRect(rect: Rect | null, used: Rect | null, animate: boolean, give = 1, also: readonly Rect[] = []): void {
    const port = this.pz.port()
    if (!rect || port.w <= 0 || port.h <= 0) return
    const readable = readableScale(this.noteFontPx())
    const pick = (room: Size) => readableRect(rect, room, SHOW_PAD, readable, 2, give)
    const view = this.pz.clearView(used ?? rect, pick, also)
    if (animate) this.pz.animateTo(view)
    else this.pz.set(view)
  }

  /** Others' activity: who writes in or drags which note, and their cursors. */
  renderRemote(): void {
    const peers = this.ctx.presence.peers()
    this.notes.renderRemote(peers)
    this.cursors.render(
      peers,
      (fv, x, y) => this.boardPoint(fv, x, y),
      (id) => this.grid.fieldView(id)
    )
  }

  render(dirty: Set<string> | null = null): void {
    this.notes.render(dirty)
  }
  renderControl(): void {
    this.notes.renderControl()
  }
  renderVotes(): void {
    this.notes.renderVotes()
  }
  renderPrivate(): void {
    this.notes.renderPrivate()
  }
  markDiff(marks: Map<string, DiffMark> | null): void {
    this.notes.markDiff(marks)
  }
  focusNote(id: string): boolean {
    return this.notes.focusNote(id)
  }
  spotIn(fieldId: string): { x: number; y: number } {
    return this.grid.spotIn(fieldId)
  }
  setPhoneField(id: string): void {
    this.grid.setPhoneField(id)
  }
  currentPhoneField(): string {
    return this.grid.currentPhoneField()
  }
  stepPhoneField(delta: number): string {
    return this.grid.stepPhoneField(delta)
  }
}
