// Groups on the canvas: in each plain field, loose notes and groups flow in the order
// model/groups.ts gives (P273); a group is a box with an editable heading (plain text in an
// input, never markup), its count, "ungroup", and its own flowing list of notes.
import { t, tn } from '../i18n'
import type { NoteData } from '../model/board'
import { flowEntries, type Group, groupable, MAX_HEADING_CHARS } from '../model/groups'
import type { Ctx } from './actions'
import type { BoardGrid } from './BoardGrid'
import { h, setAttr, setText } from './dom'
import type { FieldView } from './fields'
import { renameGroup, ungroup } from './manyActions'

class GroupBox {
  readonly el: HTMLElement
  readonly list: HTMLElement
  private readonly input: HTMLInputElement
  private readonly count: HTMLElement
  private readonly ungroupBtn: HTMLButtonElement
  private heading = ''

  constructor(ctx: Ctx, field: string, id: string) {
    this.input = h('input', {
      class: 'group-heading',
      attrs: {
        type: 'text',
        maxlength: MAX_HEADING_CHARS,
        'aria-label': t('group.heading.label'),
        placeholder: t('group.default'),
        spellcheck: 'false'
      }
    })
    const commit = (): void => {
      if (this.input.value !== this.heading) renameGroup(ctx, field, id, this.input.value)
    }
    this.input.addEventListener('change', commit)
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault()
        commit()
        this.el.focus()
      } else if (e.key === 'Escape') {
        e.preventDefault()
        this.input.value = this.heading
        this.el.focus()
      }
    })
    this.count = h('span', { class: 'group-count' })
    this.ungroupBtn = h('button', {
      class: 'btn btn-small btn-ghost group-ungroup edit-only',
      text: t('group.ungroup'),
      attrs: { type: 'button' },
      on: { click: () => ungroup(ctx, field, id) }
    })
    this.list = h('div', { class: 'group-notes', attrs: { role: 'list' } })
    this.el = h(
      'div',
      { class: 'note-group', attrs: { role: 'listitem', tabindex: -1, 'data-group': id, 'data-field': field } },
      h('div', { class: 'group-head' }, this.input, this.count, this.ungroupBtn),
      this.list
    )
  }

  update(group: Group, readOnly: boolean): void {
    this.heading = group.heading
    if (document.activeElement !== this.input && this.input.value !== group.heading) this.input.value = group.heading
    this.input.readOnly = readOnly
    const shown = group.heading || t('group.default')
    setAttr(this.list, 'aria-label', t('group.list', { heading: shown }))
    setAttr(this.ungroupBtn, 'aria-label', t('group.ungroup.label', { heading: shown }))
    setText(this.count, tn('group.count', group.members.length))
  }
}

export class GroupsView {
  private readonly ctx: Ctx
  private readonly grid: BoardGrid
  private readonly boxes = new Map<string, GroupBox>()

  constructor(ctx: Ctx, grid: BoardGrid) {
    this.ctx = ctx
    this.grid = grid
  }

  /** Where a note's element belongs: its group's list, else the field's own container. */
  containerFor(fv: FieldView, d: NoteData): HTMLElement {
    if (d.cluster === null || d.heading === null || !groupable(this.ctx.canvas, d.field)) return fv.container()
    return this.box(d.field, d.cluster).list
  }

  private box(field: string, id: string): GroupBox {
    const key = `${field}/${id}`
    let box = this.boxes.get(key)
    if (!box) {
      box = new GroupBox(this.ctx, field, id)
      this.boxes.set(key, box)
    }
    return box
  }

  /** Put every plain field's notes and groups in flow order; drop groups that are gone. */
  arrange(element: (id: string) => HTMLElement | undefined): void {
    const byField = new Map<string, NoteData[]>()
    for (const d of this.ctx.board.all()) {
      if (!groupable(this.ctx.canvas, d.field)) continue
      const list = byField.get(d.field)
      if (list) list.push(d)
      else byField.set(d.field, [d])
    }
    const live = new Set<string>()
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null
    let moved = false
    for (const field of this.ctx.canvas.fields) {
      if (!groupable(this.ctx.canvas, field.id)) continue
      const area = this.grid.fieldView(field.id)?.area
      if (!area) continue
      const wanted: HTMLElement[] = []
      for (const entry of flowEntries(byField.get(field.id) ?? [])) {
        if (entry.kind === 'note') {
          const el = element(entry.note.id)
          if (el) wanted.push(el)
          continue
        }
        const key = `${field.id}/${entry.group.id}`
        live.add(key)
        const box = this.box(field.id, entry.group.id)
        box.update(entry.group, this.ctx.readOnly() || this.ctx.actions.lockedFor(field.id))
        const members = entry.group.members.map(element).filter((el): el is HTMLElement => !!el)
        moved = place(box.list, members) || moved
        wanted.push(box.el)
      }
      moved = place(area, wanted) || moved
    }
    for (const [key, box] of this.boxes) {
      if (live.has(key)) continue
      if (box.el.contains(focused)) moved = true
      box.el.remove()
      this.boxes.delete(key)
    }
    if (moved && focused?.isConnected && document.activeElement !== focused) focused.focus()
  }
}

/** Make `els` the first children of `parent`, in this order, moving only what is out of
 * place. Returns true when something moved. */
function place(parent: HTMLElement, els: HTMLElement[]): boolean {
  let moved = false
  for (let i = 0; i < els.length; i++) {
    const el = els[i] as HTMLElement
    const at = parent.children[i] ?? null
    if (at === el) continue
    parent.insertBefore(el, at)
    moved = true
  }
  return moved
}
