// The canvas definition laid out on a CSS grid: parts and their fields, which field is where,
// where a new note fits, the fields' badges (locks, private, focus, voting, counts) and the
// one field a phone shows at a time.
import { BOARD_HEIGHT, BOARD_WIDTH } from '../config'
import { t, tx } from '../i18n'
import type { FieldDef } from '../model/canvas'
import { readCompact, readFocus, readVoting } from '../model/control'
import { freeSpot, round4 } from '../model/placement'
import type { Ctx } from './actions'
import { h } from './dom'

// as .board's padding and gap in app.css
const BOARD_PAD = 14
const BOARD_GAP = 14

import { type AddRequest, FieldView } from './fields'

export class BoardGrid {
  /** The board at its full size, the element pan/zoom transforms. */
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly fields = new Map<string, FieldView>()
  private readonly order: FieldDef[]
  private phoneField: string

  /** `prefix` keeps element ids unique when a second canvas (a snapshot) is on the page. */
  constructor(ctx: Ctx, prefix: string, onAdd: (req: AddRequest) => void) {
    this.ctx = ctx
    this.order = ctx.canvas.orderedFields()
    this.phoneField = this.order[0]?.id ?? ''
    const grid = ctx.canvas.def.grid
    this.el = h('div', { class: 'board', attrs: { 'data-canvas': ctx.canvas.def.id } })
    this.el.style.width = `${BOARD_WIDTH}px`
    this.el.style.minHeight = `${BOARD_HEIGHT}px`
    this.el.style.gridTemplateColumns = `repeat(${grid.columns}, minmax(0, 1fr))`
    // a row grows with the notes of its fields instead of piling them up (P283)
    const row = (BOARD_HEIGHT - BOARD_PAD * 2 - BOARD_GAP * (grid.rows - 1)) / grid.rows
    this.el.style.gridTemplateRows = `repeat(${grid.rows}, minmax(${Math.floor(row)}px, auto))`
    for (const part of ctx.canvas.def.parts) {
      const partEl = h(
        'section',
        { class: `part part-${part.id}`, attrs: { 'aria-labelledby': `${prefix}part-${part.id}-title` } },
        h('h2', {
          id: `${prefix}part-${part.id}-title`,
          class: 'sr-only',
          text: t('part.title', { id: part.id, label: tx(part.label), subtitle: tx(part.subtitle) })
        })
      )
      for (const fid of part.fields) {
        const f = ctx.canvas.field(fid)
        if (!f) continue
        const fv = new FieldView(ctx, f, onAdd, prefix)
        this.fields.set(f.id, fv)
        partEl.append(fv.el)
      }
      this.el.append(partEl)
    }
  }

  fieldView(id: string): FieldView | undefined {
    return this.fields.get(id)
  }

  fieldAt(clientX: number, clientY: number): FieldView | null {
    for (const el of document.elementsFromPoint(clientX, clientY)) {
      const f = el.closest<HTMLElement>('.field')
      const id = f?.dataset.field
      if (id && this.fields.has(id)) return this.fields.get(id) ?? null
    }
    return null
  }

  /** The field `delta` steps from `fieldId` in reading order, wrapping around. */
  fieldAfter(fieldId: string, delta: number): FieldDef | undefined {
    const i = this.order.findIndex((f) => f.id === fieldId)
    return this.order[(i + delta + this.order.length) % this.order.length]
  }

  /** A free place for one more note in a field, in canvas coordinates: the same answer on
   * every device (P280). Only the diagram shows it; plain fields flow in `order`. */
  spotIn(fieldId: string): { x: number; y: number } {
    const diagram = this.fields.get(fieldId)?.field.kind === 'diagram'
    const taken: Array<{ x: number; y: number }> = this.ctx.board.inField(fieldId)
    for (const p of this.ctx.fac.privateNotes.inField(fieldId)) taken.push({ x: p.x ?? 0.5, y: p.y ?? 0.5 })
    const p = freeSpot(taken.map((n) => (diagram ? { x: n.x, y: 1 - n.y } : n)))
    return diagram ? { x: p.x, y: round4(1 - p.y) } : p
  }

  /** Notes per field: shared ones from `counts`, plus this person's private ones. */
  setCounts(counts: Map<string, number>): void {
    for (const [id, fv] of this.fields)
      fv.setCount((counts.get(id) ?? 0) + this.ctx.fac.privateNotes.inField(id).length)
  }

  /** Mark the fields the moderator locked, put in private mode, focused or opened for voting. */
  renderLocks(): void {
    const { board, actions } = this.ctx
    const locked = board.lockedFields()
    const priv = board.privateFields()
    const focus = readFocus(board.control)
    const voting = readVoting(board.control)
    const compact = readCompact(board.control)
    const mod = this.ctx.moderator()
    for (const [id, fv] of this.fields) {
      fv.setLocked(locked.has(id), actions.lockedFor(id) && !this.ctx.readOnly())
      fv.setPrivate(priv.has(id), mod)
      fv.setFocused(focus?.field === id)
      fv.setCompact(compact.has(id))
      fv.setVoting(voting.state === 'open' && voting.fields.includes(id))
    }
  }

  isPhone(): boolean {
    return document.body.classList.contains('phone')
  }

  setPhoneField(id: string): void {
    if (!this.fields.has(id)) return
    this.phoneField = id
    for (const [fid, fv] of this.fields) fv.el.classList.toggle('current', fid === id)
    // a diagram wider than the phone (app.css) opens at its leftmost note (the placement
    // fills it from the top left), or at its start with the axis when it has none; a note
    // at its left edge shows the axis and its ticks too
    const wrap = this.fields.get(id)?.el.querySelector<HTMLElement>('.field-diagram .area-wrap')
    const area = wrap?.querySelector<HTMLElement>('.note-area-diagram')
    if (wrap && area && wrap.scrollLeft === 0) {
      const base = area.getBoundingClientRect().left
      const lefts = [...area.querySelectorAll<HTMLElement>('[data-note]')].map(
        (n) => n.getBoundingClientRect().left - base
      )
      if (lefts.length) wrap.scrollLeft = Math.max(0, Math.min(...lefts) - 8)
    }
  }

  currentPhoneField(): string {
    return this.phoneField
  }

  stepPhoneField(delta: number): string {
    const next = this.fieldAfter(this.phoneField, delta)
    if (next) this.setPhoneField(next.id)
    return this.phoneField
  }
}
