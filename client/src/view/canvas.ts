// The canvas: parts and fields laid out from the definition on a CSS grid, notes kept in
// step with the document, keyboard operation, live cursors, drag and pan/zoom.
import { BOARD_HEIGHT, BOARD_WIDTH } from '../config'
import { inVote } from '../facilitation/voting'
import { t, tx } from '../i18n'
import type { NoteData } from '../model/board'
import type { FieldDef } from '../model/canvas'
import { readFocus, readVoting } from '../model/control'
import { freeSpot } from '../model/notes'
import type { Ctx } from './actions'
import { Cursors } from './cursors'
import { h, isEditable } from './dom'
import { NoteDrag } from './drag'
import { type AddRequest, FieldView } from './fields'
import { ActionRow, type ItemView, itemKindFor, PartnerRow, StickyView } from './items'
import { PanZoom, type View } from './panzoom'
import { PrivateNoteView } from './privatenote'
import { VoteBox } from './votes'

export type DiffMark = 'added' | 'removed' | 'changed'

const NUDGE = 0.02
const NUDGE_BIG = 0.1

export class BoardCanvas {
  readonly el: HTMLElement
  readonly content: HTMLElement
  readonly pz: PanZoom
  readonly cursors: Cursors
  private readonly ctx: Ctx
  private readonly fields = new Map<string, FieldView>()
  private readonly order: FieldDef[]
  private readonly items = new Map<string, ItemView>()
  private readonly votes = new Map<string, VoteBox>()
  private readonly privates = new Map<string, PrivateNoteView>()
  private readonly overlay: HTMLElement
  private pendingFocus: { id: string, text: boolean } | null = null
  private phoneField: string
  /** Notes marked by a comparison (added / changed / removed), kept across renders. */
  private marks = new Map<string, DiffMark>()

  /** `idPrefix` keeps element ids unique when a second canvas (a snapshot) is on the page. */
  constructor (ctx: Ctx, opts: { idPrefix?: string } = {}) {
    const prefix = opts.idPrefix ?? ''
    this.ctx = ctx
    this.order = ctx.canvas.orderedFields()
    this.phoneField = this.order[0]?.id ?? ''
    const grid = ctx.canvas.def.grid
    this.content = h('div', { class: 'board', attrs: { 'data-canvas': ctx.canvas.def.id } })
    this.content.style.width = `${BOARD_WIDTH}px`
    this.content.style.height = `${BOARD_HEIGHT}px`
    this.content.style.gridTemplateColumns = `repeat(${grid.columns}, minmax(0, 1fr))`
    this.content.style.gridTemplateRows = `repeat(${grid.rows}, minmax(0, 1fr))`
    const onAdd = (req: AddRequest): void => this.add(req)
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
      this.content.append(partEl)
    }
    this.overlay = h('div', { class: 'drag-layer', attrs: { 'aria-hidden': 'true' } })
    this.cursors = new Cursors(ctx)
    this.content.append(this.overlay, this.cursors.layer)
    this.el = h('div', { class: 'viewport', id: `${prefix}canvas`, attrs: { tabindex: -1, 'aria-label': tx(ctx.canvas.def.title) } }, this.content)
    this.pz = new PanZoom(this.el, this.content, BOARD_WIDTH, BOARD_HEIGHT)
    new NoteDrag(ctx, this.content, this.pz, this.overlay, (x, y) => this.fieldAt(x, y)) // eslint-disable-line no-new

    this.content.addEventListener('keydown', (e) => this.onKey(e))
    this.el.addEventListener('pointermove', (e) => {
      if (e.pointerType === 'touch') return
      const p = this.pz.toBoard(e.clientX, e.clientY)
      ctx.presence.setCursor({ x: Math.round(p.x), y: Math.round(p.y) })
    })
    this.el.addEventListener('pointerleave', () => ctx.presence.setCursor(null))
    this.setPhoneField(this.phoneField)
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

  /** Board coordinates of a position inside a field (for others' drags). */
  boardPoint (fv: FieldView, x: number, y: number): { x: number, y: number } | null {
    const target = fv.area ?? fv.el
    const r = target.getBoundingClientRect()
    if (r.width <= 0) return null
    const yy = fv.field.kind === 'diagram' ? 1 - y : y
    return this.pz.toBoard(r.left + x * r.width, r.top + yy * r.height)
  }

  /** Add a note (button, double-click, keyboard) and put the caret in it. */
  add (req: AddRequest): void {
    const field = this.ctx.canvas.field(req.field)
    if (!field) return
    const pos = req.pos ?? this.spotIn(field.id)
    const color = this.ctx.canvas.def.note_colors[0]?.id ?? 'yellow'
    if (this.ctx.actions.isPrivateField(field.id)) {
      const pid = this.ctx.actions.addPrivate({ field: field.id, x: pos.x, y: pos.y, color })
      if (pid) {
        this.renderPrivate()
        this.privates.get(pid)?.focusText()
      }
      return
    }
    const id = this.ctx.actions.add({ field: field.id, x: pos.x, y: pos.y, color })
    if (id) {
      this.pendingFocus = { id, text: true }
      this.render(new Set([id]))
    }
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

  /** Bring the view in line with the document; `dirty` limits the work to those notes. */
  render (dirty: Set<string> | null = null): void {
    const all = this.ctx.board.all()
    const live = new Set(all.map((n) => n.id))
    for (const [id, item] of this.items) {
      if (!live.has(id)) {
        const hadFocus = item.el.contains(document.activeElement)
        item.destroy()
        this.items.delete(id)
        this.votes.delete(id)
        if (hadFocus) this.fields.get(item.el.dataset.field ?? '')?.addBtn.focus()
      }
    }
    const counts = new Map<string, number>()
    for (const d of all) {
      counts.set(d.field, (counts.get(d.field) ?? 0) + 1)
      if (dirty && !dirty.has(d.id) && this.items.has(d.id)) {
        const cur = this.items.get(d.id)
        if (cur && cur.el.dataset.field === d.field) continue
      }
      this.renderNote(d)
    }
    for (const [id, fv] of this.fields) fv.setCount((counts.get(id) ?? 0) + this.ctx.fac.privateNotes.inField(id).length)
    this.renderLocks()
    this.renderVotes(dirty)
    if (this.pendingFocus) {
      const item = this.items.get(this.pendingFocus.id)
      if (item) {
        if (this.pendingFocus.text) item.focusText()
        else item.focusRoot()
        this.pendingFocus = null
      }
    }
  }

  private renderNote (d: NoteData): void {
    const field = this.ctx.canvas.field(d.field)
    const fv = this.fields.get(d.field)
    if (!field || !fv) return
    const kind = itemKindFor(field)
    let item = this.items.get(d.id)
    if (item && item.kind !== kind) {
      if (item.el.contains(document.activeElement)) this.pendingFocus = { id: d.id, text: false }
      item.destroy()
      this.items.delete(d.id)
      item = undefined
    }
    if (!item) {
      item = kind === 'partner' ? new PartnerRow(this.ctx, d.id, field) : kind === 'action' ? new ActionRow(this.ctx, d.id, field) : new StickyView(this.ctx, d.id, field)
      this.items.set(d.id, item)
    }
    const container = fv.container()
    if (item.el.parentElement !== container) {
      const focused = item.el.contains(document.activeElement) ? document.activeElement : null
      insertSorted(container, item.el, d, this.ctx)
      if (focused instanceof HTMLElement) focused.focus()
    }
    item.update(d, field)
    this.applyMark(item)
  }

  /** Mark notes on the canvas after a comparison; null clears the marks. */
  markDiff (marks: Map<string, DiffMark> | null): void {
    this.marks = marks ?? new Map()
    for (const item of this.items.values()) this.applyMark(item)
  }

  private applyMark (item: ItemView): void {
    const mark = this.marks.get(item.id)
    if (mark) item.el.dataset.diff = mark
    else if (item.el.dataset.diff) delete item.el.dataset.diff
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

  private controlKey = ''

  /** `control` changed: when locks or the vote changed, every note is rendered again
   * (locks decide what can be edited); otherwise only the field badges. */
  renderControl (): void {
    const { board } = this.ctx
    const v = readVoting(board.control)
    const key = JSON.stringify([[...board.lockedFields()].sort(), [...board.privateFields()].sort(), v.state, v.round, v.fields, v.closedAt])
    if (key === this.controlKey) {
      this.renderLocks()
      return
    }
    this.controlKey = key
    this.render()
  }

  /** Dots on the notes of the voted fields (own dots while open, results after close). */
  renderVotes (dirty: Set<string> | null = null): void {
    const voting = readVoting(this.ctx.board.control)
    for (const [id, item] of this.items) {
      if (dirty && !dirty.has(id) && !this.votes.has(id)) continue
      const d = this.ctx.board.data(id)
      const active = d !== null && voting.state !== 'idle' && voting.fields.includes(d.field)
      let box = this.votes.get(id)
      if (!active && !box) continue
      if (!box) {
        box = new VoteBox(this.ctx, id)
        this.votes.set(id, box)
      }
      if (box.el.parentElement !== item.host) item.host.append(box.el)
      const text = this.ctx.board.text(id, 'text')?.toString() ?? ''
      box.update(voting, voting.state === 'closed' ? active : inVote(voting, d), text)
    }
  }

  /** This person's private notes, in their fields until revealed. */
  renderPrivate (): void {
    const notes = this.ctx.fac.privateNotes.all()
    const live = new Set(notes.map((n) => n.id))
    for (const [id, view] of this.privates) {
      if (!live.has(id)) {
        const hadFocus = view.el.contains(document.activeElement)
        view.destroy()
        this.privates.delete(id)
        // revealed: the same note is now in the document
        if (hadFocus && !this.focusNote(id)) this.fields.get(view.el.dataset.field ?? '')?.addBtn.focus()
      }
    }
    for (const n of notes) {
      const fv = this.fields.get(n.field)
      if (!fv) continue
      let view = this.privates.get(n.id)
      if (!view) {
        view = new PrivateNoteView(this.ctx, n)
        this.privates.set(n.id, view)
      }
      const container = fv.privateContainer()
      if (view.el.parentElement !== container) container.append(view.el)
      view.update(n, fv.field)
    }
    const counts = new Map<string, number>()
    for (const d of this.ctx.board.all()) counts.set(d.field, (counts.get(d.field) ?? 0) + 1)
    for (const [id, fv] of this.fields) fv.setCount((counts.get(id) ?? 0) + this.ctx.fac.privateNotes.inField(id).length)
  }

  /** Show one field (the moderator's focus) or, with null, the whole canvas. */
  showField (fieldId: string | null, animate = true): void {
    if (fieldId === null) {
      this.pz.fit()
      return
    }
    const fv = this.fields.get(fieldId)
    if (!fv) return
    if (this.isPhone()) {
      this.setPhoneField(fieldId)
      return
    }
    const r = this.pz.viewport.getBoundingClientRect()
    if (r.width <= 0 || r.height <= 0) return
    const pad = 24
    const w = fv.el.offsetWidth
    const hh = fv.el.offsetHeight
    const scale = Math.min(2, (r.width - pad * 2) / w, (r.height - pad * 2) / hh)
    const view: View = { scale, x: (r.width - w * scale) / 2 - fv.el.offsetLeft * scale, y: (r.height - hh * scale) / 2 - fv.el.offsetTop * scale }
    if (animate) this.pz.animateTo(view)
    else this.pz.set(view)
  }

  /** Show who is writing in or dragging which note. */
  renderRemote (): void {
    const peers = this.ctx.presence.peers()
    const editing = new Map<string, string[]>()
    const dragging = new Map<string, string>()
    for (const p of peers) {
      if (p.editing) editing.set(p.editing, [...(editing.get(p.editing) ?? []), p.user.name])
      if (p.drag) dragging.set(p.drag.note, p.user.name)
    }
    for (const [id, item] of this.items) {
      item.setRemote({ editing: editing.get(id) ?? [], dragging: dragging.get(id) ?? null })
    }
    this.cursors.render(peers, (fv, x, y) => this.boardPoint(fv, x, y), (id) => this.fields.get(id))
  }

  focusNote (id: string): boolean {
    const item = this.items.get(id)
    if (!item) return false
    const d = this.ctx.board.data(id)
    if (d && this.isPhone()) this.setPhoneField(d.field)
    item.focusRoot()
    return true
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
    const i = this.order.findIndex((f) => f.id === this.phoneField)
    const next = this.order[(i + delta + this.order.length) % this.order.length]
    if (next) this.setPhoneField(next.id)
    return this.phoneField
  }

  private onKey (e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const target = e.target instanceof HTMLElement ? e.target : null
    if (!target) return
    const noteEl = target.closest<HTMLElement>('[data-note]')
    const id = noteEl?.dataset.note
    if (noteEl && id && target === noteEl) {
      this.onNoteKey(e, id)
      return
    }
    if (isEditable(target)) return
    const fieldEl = target.closest<HTMLElement>('.field')
    const fid = fieldEl?.dataset.field
    if (fid && (e.key === 'n' || e.key === 'N') && !this.ctx.readOnly()) {
      e.preventDefault()
      this.add({ field: fid })
    }
  }

  private onNoteKey (e: KeyboardEvent, id: string): void {
    const d = this.ctx.board.data(id)
    if (!d) return
    const field = this.ctx.canvas.field(d.field)
    const step = e.shiftKey ? NUDGE_BIG : NUDGE
    const up = field?.kind === 'diagram' ? step : -step
    let handled = true
    switch (e.key) {
      case 'Enter':
      case 'F2':
        this.items.get(id)?.focusText()
        break
      case 'ArrowLeft':
        this.nudge(d, -step, 0)
        break
      case 'ArrowRight':
        this.nudge(d, step, 0)
        break
      case 'ArrowUp':
        this.nudge(d, 0, up)
        break
      case 'ArrowDown':
        this.nudge(d, 0, -up)
        break
      case 'PageDown':
      case 'PageUp': {
        const i = this.order.findIndex((f) => f.id === d.field)
        const next = this.order[(i + (e.key === 'PageDown' ? 1 : -1) + this.order.length) % this.order.length]
        if (next) {
          const pos = this.spotIn(next.id)
          this.pendingFocus = { id, text: false }
          this.ctx.actions.move(id, next.id, pos.x, pos.y, true)
          if (this.isPhone()) this.setPhoneField(next.id)
        }
        break
      }
      case 'c':
      case 'C':
        this.ctx.actions.nextColor(id)
        break
      case 'Delete':
      case 'Backspace':
        this.ctx.actions.remove(id)
        break
      default:
        handled = false
    }
    if (handled) e.preventDefault()
  }

  private nudge (d: NoteData, dx: number, dy: number): void {
    const field = this.ctx.canvas.field(d.field)
    if (!field || field.kind === 'table' || field.kind === 'actions') return
    this.ctx.actions.move(d.id, d.field, Math.round((d.x + dx) * 1000) / 1000, Math.round((d.y + dy) * 1000) / 1000)
  }
}

/** Keep DOM order = reading order: rows by creation, notes top-to-bottom, left-to-right. */
function insertSorted (container: HTMLElement, el: HTMLElement, d: NoteData, ctx: Ctx): void {
  const rows = container.tagName === 'TBODY'
  for (const child of Array.from(container.children)) {
    if (!(child instanceof HTMLElement)) continue
    const other = child.dataset.note ? ctx.board.data(child.dataset.note) : null
    if (!other) continue
    const before = rows ? d.order < other.order : d.y < other.y || (d.y === other.y && d.x < other.x)
    if (before) {
      container.insertBefore(el, child)
      return
    }
  }
  container.append(el)
}
