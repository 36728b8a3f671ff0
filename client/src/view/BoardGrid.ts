// The canvas definition laid out on a CSS grid: parts and their fields, which field is where,
// where a new note fits, the fields' badges (locks, private, focus, voting, counts) and the
// one field a phone shows at a time.
import { BOARD_HEIGHT, BOARD_WIDTH } from '../config'
import { t, tx } from '../i18n'
import type { FieldDef } from '../model/canvas'
import { readFocus, readVoting } from '../model/control'
import { freeSpot } from '../model/notes'
import type { Ctx } from './actions'
import { h } from './dom'
import { type AddRequest, FieldView } from './fields'

export class BoardGrid {
  /** The board at its full size, the element pan/zoom transforms. */
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly fields = new Map<string, FieldView>()
  private readonly order: FieldDef[]
  private phoneField: string

  /** `prefix` keeps element ids unique when a second canvas (a snapshot) is on the page. */
  constructor (ctx: Ctx, prefix: string, onAdd: (req: AddRequest) => void) {
    this.ctx = ctx
    this.order = ctx.canvas.orderedFields()
    this.phoneField = this.order[0]?.id ?? ''
    const grid = ctx.canvas.def.grid
    this.el = h('div', { class: 'board', attrs: { 'data-canvas': ctx.canvas.def.id } })
    this.el.style.width = `${BOARD_WIDTH}px`
    this.el.style.height = `${BOARD_HEIGHT}px`
    this.el.style.gridTemplateColumns = `repeat(${grid.columns}, minmax(0, 1fr))`
    this.el.style.gridTemplateRows = `repeat(${grid.rows}, minmax(0, 1fr))`
    for (const part of ctx.canvas.def.parts) {
      const partEl = h('section', { class: `part part-${part.id}`, attrs: { 'aria-labelledby': `${prefix}part-${part.id}-title` } },
        h('h2', { id: `${prefix}part-${part.id}-title`, class: 'sr-only', text: t('part.title', { id: part.id, label: tx(part.label), subtitle: tx(part.subtitle) }) }))
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

  fieldView (id: string): FieldView | undefined {
    return this.fields.get(id)
  }

  fieldAt (clientX: number, clientY: number): FieldView | null {
    for (const el of document.elementsFromPoint(clientX, clientY)) {
      const f = el.closest<HTMLElement>('.field')
      const id = f?.dataset.field
      if (id && this.fields.has(id)) return this.fields.get(id) ?? null
    }
    return null
  }

  /** The field `delta` steps from `fieldId` in reading order, wrapping around. */
  fieldAfter (fieldId: string, delta: number): FieldDef | undefined {
    const i = this.order.findIndex((f) => f.id === fieldId)
    return this.order[(i + delta + this.order.length) % this.order.length]
  }

  /** A free place for one more note in a field, from the field's size in board units. */
  spotIn (fieldId: string): { x: number, y: number } {
    const fv = this.fields.get(fieldId)
    const taken: Array<{ x: number, y: number }> = this.ctx.board.inField(fieldId)
    for (const p of this.ctx.fac.privateNotes.inField(fieldId)) taken.push({ x: p.x ?? 0.5, y: p.y ?? 0.5 })
    const area = fv?.area
    if (!fv || !area) return { x: 0.5, y: 0.5 }
    const style = getComputedStyle(area)
    const noteW = parseFloat(style.getPropertyValue('--note-w')) || 176
    const noteH = parseFloat(style.getPropertyValue('--note-h')) || 132
    const cols = Math.floor(area.offsetWidth / (noteW + 8))
    const rows = Math.floor(area.offsetHeight / (noteH + 8))
    const spots = taken.map((n) => (fv.field.kind === 'diagram' ? { x: n.x, y: 1 - n.y } : n))
    const p = freeSpot(spots, cols, rows)
    return fv.field.kind === 'diagram' ? { x: p.x, y: 1 - p.y } : p
  }

  /** Notes per field: shared ones from `counts`, plus this person's private ones. */
  setCounts (counts: Map<string, number>): void {
    for (const [id, fv] of this.fields) fv.setCount((counts.get(id) ?? 0) + this.ctx.fac.privateNotes.inField(id).length)
  }

  /** Mark the fields the moderator locked, put in private mode, focused or opened for voting. */
  renderLocks (): void {
    const { board, actions } = this.ctx
    const locked = board.lockedFields()
    const priv = board.privateFields()
    const focus = readFocus(board.control)
    const voting = readVoting(board.control)
    const mod = this.ctx.moderator()
    for (const [id, fv] of this.fields) {
      fv.setLocked(locked.has(id), actions.lockedFor(id) && !this.ctx.readOnly())
      fv.setPrivate(priv.has(id), mod)
      fv.setFocused(focus?.field === id)
      fv.setVoting(voting.state === 'open' && voting.fields.includes(id))
    }
  }

  isPhone (): boolean {
    return document.body.classList.contains('phone')
  }

  setPhoneField (id: string): void {
    if (!this.fields.has(id)) return
    this.phoneField = id
    for (const [fid, fv] of this.fields) fv.el.classList.toggle('current', fid === id)
  }

  currentPhoneField (): string {
    return this.phoneField
  }

  stepPhoneField (delta: number): string {
    const next = this.fieldAfter(this.phoneField, delta)
    if (next) this.setPhoneField(next.id)
    return this.phoneField
  }
}
