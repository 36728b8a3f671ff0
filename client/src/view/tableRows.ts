// Notes as table rows: the partner table (B4) and the action list (C3). The row carries
// the note's shortcuts; its cells are the note's texts and fields.
import { t, tx } from '../i18n'
import { type NoteData, TEXT_KEYS, type TextKey } from '../model/board'
import type { FieldDef } from '../model/canvas'
import { EARLIEST_DUE, isValidDue, LATEST_DUE } from '../model/dates'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import type { ItemView, RemoteInfo } from './items'
import { deleteButton, groupColor, moveSelect, remoteBadge, showRemote, whoLabel } from './noteParts'
import { escapeTo, TextSlot } from './noteText'

// the note key shown in each column of a table and an action list, in column order
const COLUMN_KEYS: Readonly<Record<string, readonly string[]>> = {
  table: TEXT_KEYS,
  actions: ['text', 'owner', 'due', 'done']
}

/** The column heading `key` has in `field` (a table or an action list), if it has one. */
export function columnLabel(field: FieldDef | undefined, key: string): string | null {
  const i = field ? (COLUMN_KEYS[field.kind]?.indexOf(key) ?? -1) : -1
  return i >= 0 ? tx(field?.columns?.[i]?.label) || null : null
}

/** A row of the partner table (B4): actor, resources, competences, tasks. */
export class PartnerRow implements ItemView {
  readonly el: HTMLTableRowElement
  readonly kind = 'partner' as const
  readonly id: string
  readonly host: HTMLElement
  private readonly ctx: Ctx
  private readonly slots: TextSlot[]
  private readonly who: HTMLElement
  private readonly move: HTMLSelectElement
  private readonly badge: HTMLElement

  constructor(ctx: Ctx, id: string, field: FieldDef) {
    this.ctx = ctx
    this.id = id
    const cols = field.columns ?? []
    const keys: readonly TextKey[] = TEXT_KEYS
    this.slots = keys.map((key, i) => new TextSlot(ctx, id, key, tx(cols[i]?.label) || key, 'cell-text'))
    this.who = h('span', { class: 'row-who' })
    this.move = moveSelect(ctx, id)
    this.badge = remoteBadge()
    const handle = h(
      'td',
      { class: 'row-handle' },
      h('span', { class: 'grip edit-only', attrs: { 'aria-hidden': 'true', title: t('note.drag') }, text: '⠿' }),
      this.who,
      this.badge
    )
    this.host = handle
    this.el = h(
      'tr',
      { class: 'row', attrs: { tabindex: 0, 'data-note': id } },
      handle,
      ...this.slots.map((s, i) => h('td', { attrs: { 'data-label': tx(cols[i]?.label) || null } }, s.el)),
      h('td', {}, h('div', { class: 'row-tools' }, this.move, deleteButton(ctx, id)))
    )
    for (const s of this.slots) escapeTo(s.el, this.el)
  }

  update(d: NoteData): void {
    this.el.style.setProperty('--note-group', groupColor(this.ctx, d))
    this.el.dataset.field = d.field
    setText(this.who, whoLabel(this.ctx, d))
    if (this.move.value !== d.field) this.move.value = d.field
    for (const s of this.slots) s.refresh()
    this.el.setAttribute(
      'aria-label',
      `${this.slots[0]?.value().slice(0, 80) || t('note.label.empty', { who: whoLabel(this.ctx, d) })}`
    )
  }

  setRemote(info: RemoteInfo): void {
    showRemote(this.badge, this.el, info)
  }

  focusRoot(): void {
    this.el.focus()
  }
  focusText(): void {
    this.slots[0]?.el.focus()
  }

  destroy(): void {
    for (const s of this.slots) s.destroy()
    this.el.remove()
  }
}

/** A row of the action list (C3): what, who, by when, done. */
export class ActionRow implements ItemView {
  readonly el: HTMLTableRowElement
  readonly kind = 'action' as const
  readonly id: string
  readonly host: HTMLElement
  private readonly ctx: Ctx
  private readonly what: TextSlot
  /** A text area, not an input: a long owner ("Amt für Digitalisierung (Fr. Demir)")
   * wraps in its column instead of being cut off; Enter does not add a line. */
  private readonly owner: HTMLTextAreaElement
  private readonly due: HTMLInputElement
  private readonly done: HTMLInputElement
  private readonly who: HTMLElement
  private readonly move: HTMLSelectElement
  private readonly badge: HTMLElement
  private ownerTimer: ReturnType<typeof setTimeout> | null = null

  constructor(ctx: Ctx, id: string, field: FieldDef) {
    this.ctx = ctx
    this.id = id
    const cols = field.columns ?? []
    const label = (i: number, fallback: string): string => tx(cols[i]?.label) || fallback
    this.what = new TextSlot(ctx, id, 'text', label(0, 'what'), 'cell-text')
    this.owner = h('textarea', {
      class: 'cell-input cell-owner',
      attrs: { rows: 1, dir: 'auto', maxlength: 200, 'aria-label': label(1, 'who'), 'data-cell': 'owner' }
    })
    this.owner.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing) return
      e.preventDefault()
      this.commitOwner()
    })
    this.due = h('input', { class: 'cell-input', attrs: { type: 'date', 'aria-label': label(2, 'due') } })
    this.done = h('input', { class: 'cell-check', attrs: { type: 'checkbox', 'aria-label': label(3, 'done') } })
    for (const el of [this.owner, this.due]) el.readOnly = ctx.readOnly()
    this.done.disabled = ctx.readOnly()
    this.owner.addEventListener('input', () => {
      if (this.ownerTimer) clearTimeout(this.ownerTimer)
      this.ownerTimer = setTimeout(() => this.commitOwner(), 400)
    })
    this.owner.addEventListener('change', () => this.commitOwner())
    this.due.min = EARLIEST_DUE
    this.due.max = LATEST_DUE
    this.due.addEventListener('change', () => this.commitDue(false))
    this.due.addEventListener('blur', () => this.commitDue(true))
    this.done.addEventListener('change', () => ctx.actions.setDone(id, this.done.checked))
    this.who = h('span', { class: 'row-who' })
    this.move = moveSelect(ctx, id)
    this.badge = remoteBadge()
    this.host = h(
      'td',
      { class: 'row-handle' },
      h('span', { class: 'grip edit-only', attrs: { 'aria-hidden': 'true', title: t('note.drag') }, text: '⠿' }),
      this.who,
      this.badge
    )
    this.el = h(
      'tr',
      { class: 'row', attrs: { tabindex: 0, 'data-note': id } },
      this.host,
      // data-label: the column's name above each cell where a phone stacks the cells
      h('td', { attrs: { 'data-label': label(0, '') || null } }, this.what.el),
      h('td', { attrs: { 'data-label': label(1, '') || null } }, this.owner),
      h('td', { attrs: { 'data-label': label(2, '') || null } }, this.due),
      h('td', { class: 'cell-center', attrs: { 'data-label': label(3, '') || null } }, this.done),
      h('td', {}, h('div', { class: 'row-tools' }, this.move, deleteButton(ctx, id)))
    )
    escapeTo(this.what.el, this.el)
  }

  /** Store the date once it is a real day in range; a half-typed one waits, and one left
   * invalid on blur goes back to the stored date with a message (P241). */
  private commitDue(leaving: boolean): void {
    const d = this.ctx.board.data(this.id)
    if (!d) return
    const value = this.due.value
    const ok = !this.due.validity.badInput && isValidDue(value)
    this.due.setAttribute('aria-invalid', ok ? 'false' : 'true')
    if (ok) {
      if (d.due !== value) this.ctx.actions.set(this.id, 'due', value)
    } else if (leaving) {
      this.ctx.toasts.show(t('due.invalid'), { kind: 'error' })
      this.due.value = isValidDue(d.due) ? d.due : ''
      this.due.setAttribute('aria-invalid', 'false')
    }
  }

  private commitOwner(): void {
    if (this.ownerTimer) clearTimeout(this.ownerTimer)
    this.ownerTimer = null
    const d = this.ctx.board.data(this.id)
    // one line: a pasted line break becomes a space (none at the end), here too
    const typed = this.owner.value
    const value = typed
      .replace(/\s*[\r\n]+\s*$/, '')
      .replace(/\s*[\r\n]+\s*/g, ' ')
      .slice(0, 200)
    if (/[\r\n]/.test(typed)) this.owner.value = value
    if (d && d.owner !== value) this.ctx.actions.set(this.id, 'owner', value)
  }

  update(d: NoteData): void {
    this.el.style.setProperty('--note-group', groupColor(this.ctx, d))
    this.el.dataset.field = d.field
    this.el.classList.toggle('done', d.done)
    setText(this.who, whoLabel(this.ctx, d))
    if (document.activeElement !== this.owner && this.owner.value !== d.owner) this.owner.value = d.owner
    if (document.activeElement !== this.due && this.due.value !== d.due) this.due.value = d.due
    this.done.checked = d.done
    const locked = this.ctx.readOnly() || this.ctx.actions.lockedFor(d.field)
    this.owner.readOnly = locked
    this.due.readOnly = locked
    this.done.disabled = locked
    if (this.move.value !== d.field) this.move.value = d.field
    this.what.refresh()
    this.el.setAttribute(
      'aria-label',
      this.what.value().slice(0, 80) || t('note.label.empty', { who: whoLabel(this.ctx, d) })
    )
  }

  setRemote(info: RemoteInfo): void {
    showRemote(this.badge, this.el, info)
  }

  focusRoot(): void {
    this.el.focus()
  }
  focusText(): void {
    this.what.el.focus()
  }

  destroy(): void {
    this.commitOwner()
    this.what.destroy()
    this.el.remove()
  }
}
