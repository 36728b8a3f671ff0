// Dragging a note by its handle (mouse, pen, touch): a ghost follows the pointer, the live
// position travels in awareness, and the move is committed to the document on release.
import type { Ctx } from './actions'
import { h } from './dom'
import type { FieldView } from './fields'
import type { DropHandler } from './groupDrop'
import type { PanZoom } from './panzoom'

const HANDLE = '.note-bar, .grip, .row-handle'

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
      from: { x: e.clientX, y: e.clientY }
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
    const p = this.pz.toBoard(e.clientX, e.clientY)
    a.ghost.style.left = `${p.x}px`
    a.ghost.style.top = `${p.y}px`
    const field = this.fieldAt(e.clientX, e.clientY)
    if (field !== a.target) {
      a.target?.el.classList.remove('drop-target')
      field?.el.classList.add('drop-target')
      a.target = field
    }
    const pos = field?.pointToPos(e.clientX, e.clientY)
    if (field && pos) this.ctx.presence.setDrag({ note: a.id, field: field.field.id, x: pos.x, y: pos.y })
  }

  private end(e: PointerEvent | null): void {
    const a = this.active
    if (!a) return
    this.active = null
    a.ghost.remove()
    a.source.classList.remove('dragging')
    a.target?.el.classList.remove('drop-target')
    this.ctx.presence.setDrag(null)
    if (!e) return
    const field = this.fieldAt(e.clientX, e.clientY)
    const pos = field?.pointToPos(e.clientX, e.clientY)
    if (field && this.onDrop?.(a.id, e.clientX, e.clientY, field, a.from)) return
    if (field && pos) {
      const kind = field.field.kind
      const rows = kind === 'table' || kind === 'actions'
      this.ctx.actions.move(a.id, field.field.id, rows ? 0.5 : pos.x, rows ? 0.5 : pos.y)
    }
  }
}
