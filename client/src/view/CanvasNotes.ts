// The notes on the canvas, kept in step with the document: one view per note in its field,
// in reading order, with vote dots, comparison marks, others' activity and this person's
// private notes; and where the focus goes when a note appears, moves or goes away.
import { inVote } from '../facilitation/voting'
import { byOrder, type NoteData } from '../model/board'
import { readCompact, readVoting } from '../model/control'
import type { Peer } from '../sync/awareness'
import type { Ctx } from './actions'
import type { BoardGrid } from './BoardGrid'
import { layoutDiagram } from './diagramLayout'
import type { AddRequest } from './fields'
import { GroupsView } from './groups'
import { createItem, type ItemView, itemKindFor } from './items'
import { PrivateNoteView } from './privatenote'
import type { Selection } from './selection'
import { VoteBox } from './votes'

export type DiffMark = 'added' | 'removed' | 'changed'

export class CanvasNotes {
  private readonly ctx: Ctx
  private readonly grid: BoardGrid
  private readonly items = new Map<string, ItemView>()
  private readonly votes = new Map<string, VoteBox>()
  private readonly privates = new Map<string, PrivateNoteView>()
  private pendingFocus: { id: string; text: boolean } | null = null
  /** Notes marked by a comparison (added / changed / removed), kept across renders. */
  private marks = new Map<string, DiffMark>()
  private controlKey = ''
  private readonly groups: GroupsView
  /** Several notes selected at once (set by the canvas, which owns the viewport). */
  selection: Selection | null = null

  constructor(ctx: Ctx, grid: BoardGrid) {
    this.ctx = ctx
    this.grid = grid
    this.groups = new GroupsView(ctx, grid)
  }

  item(id: string): ItemView | undefined {
    return this.items.get(id)
  }

  /** Focus this note (its text, or the note itself) once the next render has it. */
  focusAfterRender(id: string, text: boolean): void {
    this.pendingFocus = { id, text }
  }

  /** Add a note (button, double-click, keyboard) and put the caret in it. */
  add(req: AddRequest): void {
    const field = this.ctx.canvas.field(req.field)
    if (!field) return
    const pos = req.pos ?? this.grid.spotIn(field.id)
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

  /** Bring the view in line with the document; `dirty` limits the work to those notes. */
  render(dirty: Set<string> | null = null): void {
    const all = this.ctx.board.all()
    const live = new Set(all.map((n) => n.id))
    for (const [id, item] of this.items) {
      if (!live.has(id)) {
        const hadFocus = item.el.contains(document.activeElement)
        item.destroy()
        this.items.delete(id)
        this.votes.delete(id)
        if (hadFocus) this.grid.fieldView(item.el.dataset.field ?? '')?.addBtn.focus()
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
    this.grid.setCounts(counts)
    this.grid.renderLocks()
    this.groups.arrange((id) => this.items.get(id)?.el)
    this.selection?.show()
    this.layoutDiagrams()
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

  private renderNote(d: NoteData): void {
    const field = this.ctx.canvas.field(d.field)
    const fv = this.grid.fieldView(d.field)
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
      item = createItem(this.ctx, kind, d.id, field)
      this.items.set(d.id, item)
    }
    const container = this.groups.containerFor(fv, d)
    if (item.el.parentElement !== container) {
      const focused = item.el.contains(document.activeElement) ? document.activeElement : null
      insertSorted(container, item.el, d, this.ctx)
      if (focused instanceof HTMLElement) focused.focus()
    }
    item.update(d, field)
    this.applyMark(item)
  }

  /** Mark notes on the canvas after a comparison; null clears the marks. */
  markDiff(marks: Map<string, DiffMark> | null): void {
    this.marks = marks ?? new Map()
    for (const item of this.items.values()) this.applyMark(item)
  }

  private applyMark(item: ItemView): void {
    const mark = this.marks.get(item.id)
    if (mark) item.el.dataset.diff = mark
    else if (item.el.dataset.diff) delete item.el.dataset.diff
  }

  /** `control` changed: when locks, the vote or a compact view changed, every note is
   * rendered again (locks decide what can be edited, views what fits); otherwise only the
   * field badges. */
  renderControl(): void {
    const { board } = this.ctx
    const v = readVoting(board.control)
    const compact = [...readCompact(board.control)].sort()
    const key = JSON.stringify([
      [...board.lockedFields()].sort(),
      [...board.privateFields()].sort(),
      compact,
      v.state,
      v.round,
      v.fields,
      v.closedAt
    ])
    if (key === this.controlKey) {
      this.grid.renderLocks()
      return
    }
    this.controlKey = key
    this.render()
  }

  /** Dots on the notes of the voted fields (own dots while open, results after close). */
  renderVotes(dirty: Set<string> | null = null): void {
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
  renderPrivate(): void {
    const notes = this.ctx.fac.privateNotes.all()
    const live = new Set(notes.map((n) => n.id))
    for (const [id, view] of this.privates) {
      if (!live.has(id)) {
        const hadFocus = view.el.contains(document.activeElement)
        view.destroy()
        this.privates.delete(id)
        // revealed: the same note is now in the document
        if (hadFocus && !this.focusNote(id)) this.grid.fieldView(view.el.dataset.field ?? '')?.addBtn.focus()
      }
    }
    for (const n of notes) {
      const fv = this.grid.fieldView(n.field)
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
    this.grid.setCounts(counts)
    this.layoutDiagrams()
  }

  /** Diagram fields: shared notes in `order`, then this person's private ones, placed by
   * the shared algorithm so that no note hides another (P281). */
  private layoutDiagrams(): void {
    for (const field of this.ctx.canvas.fields) {
      if (field.kind !== 'diagram') continue
      const notes = []
      for (const d of this.ctx.board.inField(field.id)) {
        const item = this.items.get(d.id)
        if (item) notes.push({ el: item.el, x: d.x, y: d.y })
      }
      for (const n of this.ctx.fac.privateNotes.inField(field.id)) {
        const view = this.privates.get(n.id)
        if (view) notes.push({ el: view.el, x: n.x ?? 0.5, y: n.y ?? 0.5 })
      }
      layoutDiagram(notes)
    }
  }

  /** Show who is writing in or dragging which note. */
  renderRemote(peers: Peer[]): void {
    const editing = new Map<string, string[]>()
    const dragging = new Map<string, string>()
    for (const p of peers) {
      if (p.editing) editing.set(p.editing, [...(editing.get(p.editing) ?? []), p.user.name])
      if (p.drag) dragging.set(p.drag.note, p.user.name)
    }
    for (const [id, item] of this.items) {
      item.setRemote({ editing: editing.get(id) ?? [], dragging: dragging.get(id) ?? null })
    }
  }

  focusNote(id: string): boolean {
    const item = this.items.get(id)
    if (!item) return false
    const d = this.ctx.board.data(id)
    if (d && this.grid.isPhone()) this.grid.setPhoneField(d.field)
    item.focusRoot()
    return true
  }
}

/** Keep DOM order = reading order: rows and flowing notes by `order`, diagram notes
 * top-to-bottom, left-to-right. */
function insertSorted(container: HTMLElement, el: HTMLElement, d: NoteData, ctx: Ctx): void {
  const rows = !container.classList.contains('note-area-diagram')
  // a first render comes in board order: appending is right, and checking costs one lookup
  const last = container.lastElementChild
  const lastData = last instanceof HTMLElement && last.dataset.note ? ctx.board.data(last.dataset.note) : null
  if (rows && lastData && byOrder(lastData, d) < 0) {
    container.append(el)
    return
  }
  for (const child of Array.from(container.children)) {
    if (!(child instanceof HTMLElement)) continue
    const other = child.dataset.note ? ctx.board.data(child.dataset.note) : null
    if (!other) continue
    const before = rows ? byOrder(d, other) < 0 : d.y > other.y || (d.y === other.y && d.x < other.x)
    if (before) {
      container.insertBefore(el, child)
      return
    }
  }
  container.append(el)
}
