// One view per note: a sticky note (free fields, diagram, formats), a partner row (B4 table)
// or an action row (C3). Text goes in via collaborative bindings and textContent only.
import type * as Y from 'yjs'
import { t, tx } from '../i18n'
import type { NoteData, TextKey } from '../model/board'
import type { FieldDef } from '../model/canvas'
import type { Ctx } from './actions'
import { h, setAttr, setText, textOn } from './dom'
import { bindText } from './textbind'

export type ItemKind = 'sticky' | 'partner' | 'action'

export interface RemoteInfo {
  editing: string[]
  dragging: string | null
}

export interface ItemView {
  readonly el: HTMLElement
  readonly kind: ItemKind
  readonly id: string
  /** Where badges (votes, results) go. */
  readonly host: HTMLElement
  update: (d: NoteData, field: FieldDef) => void
  setRemote: (info: RemoteInfo) => void
  /** The element that carries the note's keyboard shortcuts. */
  focusRoot: () => void
  focusText: () => void
  destroy: () => void
}

export function itemKindFor (field: FieldDef): ItemKind {
  if (field.kind === 'table') return 'partner'
  if (field.kind === 'actions') return 'action'
  return 'sticky'
}

export function whoLabel (ctx: Ctx, d: NoteData): string {
  if (d.author === null) return t('note.anonymous')
  const g = ctx.canvas.group(d.group)
  return g ? `${d.author} · ${tx(g.label)}` : d.author
}

function groupColor (ctx: Ctx, d: NoteData): string {
  if (d.author === null) return '#5f6b76'
  return ctx.canvas.group(d.group)?.color ?? '#5f6b76'
}

/** A text control bound to the note's Y.Text under `key` (created on first focus if missing). */
class TextSlot {
  readonly el: HTMLTextAreaElement
  private unbind: (() => void) | null = null
  private bound: Y.Text | null = null
  private readonly ctx: Ctx
  private readonly id: string
  private readonly key: TextKey

  constructor (ctx: Ctx, id: string, key: TextKey, label: string, cls: string) {
    this.ctx = ctx
    this.id = id
    this.key = key
    this.el = h('textarea', {
      class: cls,
      attrs: { dir: 'auto', 'aria-label': label, maxlength: ctx.limits.maxChars, rows: 2, spellcheck: 'true', placeholder: ctx.readOnly() ? null : t('note.placeholder') }
    })
    this.el.readOnly = ctx.readOnly()
    this.el.addEventListener('focus', () => {
      this.bind(true)
      ctx.presence.setEditing(id)
    })
    this.el.addEventListener('blur', () => ctx.presence.setEditing(null))
    this.el.addEventListener('keydown', (ev) => {
      // a locked field: typing does nothing, so say why
      if (!this.el.readOnly || ctx.readOnly() || ev.ctrlKey || ev.metaKey || ev.altKey) return
      if (ev.key.length !== 1 && ev.key !== 'Backspace' && ev.key !== 'Delete' && ev.key !== 'Enter') return
      const field = ctx.board.data(id)?.field
      if (field && ctx.actions.lockedFor(field)) ctx.actions.explainLocked(field)
    })
    this.el.addEventListener('input', () => {
      if (this.el.value.length >= ctx.limits.maxChars) {
        ctx.toasts.show(t('limit.chars', { max: ctx.limits.maxChars }))
      }
    })
    this.bind(false)
  }

  bind (create: boolean): void {
    if (this.unbind) return
    let text = this.ctx.board.text(this.id, this.key)
    if (!text && create) text = this.ctx.actions.ensureText(this.id, this.key)
    if (!text) return
    this.bound = text
    this.unbind = bindText(this.el, text, (i, r, s) => this.ctx.actions.editText(this.id, this.key, i, r, s))
  }

  refresh (): void {
    this.el.readOnly = this.ctx.readOnly() || this.ctx.actions.lockedFor(this.ctx.board.data(this.id)?.field)
    // a restored snapshot replaces the note's map, and with it this Y.Text: bind the new one
    const current = this.ctx.board.text(this.id, this.key)
    if (this.unbind && current !== this.bound) {
      this.unbind()
      this.unbind = null
      this.bound = null
      if (!current) this.el.value = ''
    }
    if (!this.unbind) this.bind(false)
  }

  value (): string {
    return this.ctx.board.text(this.id, this.key)?.toString() ?? ''
  }

  destroy (): void {
    this.unbind?.()
    this.unbind = null
  }
}

function moveSelect (ctx: Ctx, id: string): HTMLSelectElement {
  const sel = h('select', { class: 'note-move edit-only', attrs: { 'aria-label': t('note.move.label'), title: t('note.move') } })
  for (const f of ctx.canvas.orderedFields()) {
    sel.append(h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
  }
  sel.addEventListener('change', () => {
    const target = sel.value
    const d = ctx.board.data(id)
    if (!d || target === d.field) return
    const spot = ctx.spotIn(target)
    ctx.actions.move(id, target, spot.x, spot.y, true)
  })
  return sel
}

function deleteButton (ctx: Ctx, id: string): HTMLButtonElement {
  return h('button', {
    class: 'icon-btn note-delete edit-only',
    text: '×',
    attrs: { type: 'button', 'aria-label': t('note.delete.label'), title: t('note.delete') },
    on: { click: () => ctx.actions.remove(id) }
  })
}

function remoteBadge (): HTMLElement {
  return h('p', { class: 'note-remote', hidden: true, attrs: { 'aria-hidden': 'true' } })
}

function showRemote (badge: HTMLElement, root: HTMLElement, info: RemoteInfo): void {
  const parts: string[] = []
  if (info.dragging) parts.push(t('note.dragging', { name: info.dragging }))
  for (const name of info.editing) parts.push(t('note.editing', { name }))
  const text = parts.join(' · ')
  setText(badge, text)
  badge.hidden = text === ''
  root.classList.toggle('remote-busy', text !== '')
}

/** A sticky note, positioned inside its field's area. */
export class StickyView implements ItemView {
  readonly el: HTMLElement
  readonly kind = 'sticky' as const
  readonly id: string
  get host (): HTMLElement { return this.el }
  private readonly ctx: Ctx
  private readonly text: TextSlot
  private readonly who: HTMLElement
  private readonly bar: HTMLElement
  private readonly colorBtn: HTMLButtonElement
  private readonly move: HTMLSelectElement
  private readonly format: HTMLSelectElement | null
  private readonly badge: HTMLElement
  private last = ''

  constructor (ctx: Ctx, id: string, field: FieldDef) {
    this.ctx = ctx
    this.id = id
    this.text = new TextSlot(ctx, id, 'text', t('note.text'), 'note-text')
    this.who = h('span', { class: 'note-who' })
    this.bar = h('div', { class: 'note-bar', attrs: { title: ctx.readOnly() ? null : t('note.drag') } },
      h('span', { class: 'grip edit-only', attrs: { 'aria-hidden': 'true' }, text: '⠿' }), this.who)
    this.colorBtn = h('button', {
      class: 'icon-btn note-color edit-only',
      attrs: { type: 'button' },
      on: { click: () => ctx.actions.nextColor(id) }
    }, h('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } }))
    this.move = moveSelect(ctx, id)
    this.format = field.kind === 'formats' ? this.formatSelect(field) : null
    this.badge = remoteBadge()
    this.el = h('article', {
      class: 'note',
      attrs: { tabindex: 0, role: 'listitem', 'data-note': id }
    }, this.bar, this.text.el, this.format, h('div', { class: 'note-tools' }, this.colorBtn, this.move, deleteButton(ctx, id)), this.badge)
    this.text.el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault()
        this.el.focus()
      }
    })
    this.text.el.addEventListener('input', () => this.label())
  }

  private formatSelect (field: FieldDef): HTMLSelectElement {
    const sel = h('select', { class: 'note-format', attrs: { 'aria-label': t('note.format') } },
      h('option', { text: t('note.format.none'), attrs: { value: '' } }))
    for (const fid of field.formats ?? []) {
      const card = this.ctx.canvas.format(fid)
      if (card) sel.append(h('option', { text: tx(card.title), attrs: { value: card.id } }))
    }
    sel.disabled = this.ctx.readOnly()
    sel.addEventListener('change', () => this.ctx.actions.set(this.id, 'format', sel.value || null))
    return sel
  }

  private label (): void {
    const d = this.ctx.board.data(this.id)
    if (!d) return
    const who = whoLabel(this.ctx, d)
    const text = this.text.value().slice(0, 160)
    const label = text ? t('note.label', { who, text }) : t('note.label.empty', { who })
    if (label !== this.last) {
      this.last = label
      this.el.setAttribute('aria-label', label)
    }
  }

  update (d: NoteData, field: FieldDef): void {
    const color = this.ctx.canvas.color(d.color)
    this.el.style.setProperty('--note-bg', color.value)
    this.el.style.setProperty('--note-group', groupColor(this.ctx, d))
    this.el.style.setProperty('--note-group-text', textOn(groupColor(this.ctx, d)))
    const x = d.x * 100
    const y = (field.kind === 'diagram' ? 1 - d.y : d.y) * 100
    this.el.style.left = `clamp(0px, calc(${x.toFixed(3)}% - var(--note-w) / 2), calc(100% - var(--note-w)))`
    this.el.style.top = `clamp(0px, calc(${y.toFixed(3)}% - var(--note-h) / 2), calc(100% - var(--note-h)))`
    this.el.dataset.x = d.x.toFixed(4)
    this.el.dataset.y = d.y.toFixed(4)
    this.el.dataset.field = d.field
    setText(this.who, whoLabel(this.ctx, d))
    this.who.classList.toggle('anonymous', d.author === null)
    setAttr(this.colorBtn, 'aria-label', t('note.color.label', { color: tx(color.label) }))
    setAttr(this.colorBtn, 'title', t('note.color.label', { color: tx(color.label) }))
    if (this.move.value !== d.field) this.move.value = d.field
    if (this.format && document.activeElement !== this.format) this.format.value = d.format ?? ''
    if (this.format) this.format.disabled = this.ctx.readOnly() || this.ctx.actions.lockedFor(d.field)
    this.text.refresh()
    this.label()
  }

  setRemote (info: RemoteInfo): void {
    showRemote(this.badge, this.el, info)
  }

  focusRoot (): void {
    this.el.focus()
  }

  focusText (): void {
    this.text.el.focus()
  }

  destroy (): void {
    this.text.destroy()
    this.el.remove()
  }
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

  constructor (ctx: Ctx, id: string, field: FieldDef) {
    this.ctx = ctx
    this.id = id
    const cols = field.columns ?? []
    const keys: TextKey[] = ['text', 'resources', 'competences', 'tasks']
    this.slots = keys.map((key, i) => new TextSlot(ctx, id, key, tx(cols[i]?.label) || key, 'cell-text'))
    this.who = h('span', { class: 'row-who' })
    this.move = moveSelect(ctx, id)
    this.badge = remoteBadge()
    const handle = h('td', { class: 'row-handle' },
      h('span', { class: 'grip edit-only', attrs: { 'aria-hidden': 'true', title: t('note.drag') }, text: '⠿' }), this.who, this.badge)
    this.host = handle
    this.el = h('tr', { class: 'row', attrs: { tabindex: 0, 'data-note': id } },
      handle, ...this.slots.map((s) => h('td', {}, s.el)),
      h('td', { class: 'row-tools' }, this.move, deleteButton(ctx, id)))
    for (const s of this.slots) {
      s.el.addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') {
          ev.preventDefault()
          this.el.focus()
        }
      })
    }
  }

  update (d: NoteData): void {
    this.el.style.setProperty('--note-group', groupColor(this.ctx, d))
    this.el.dataset.field = d.field
    setText(this.who, whoLabel(this.ctx, d))
    if (this.move.value !== d.field) this.move.value = d.field
    for (const s of this.slots) s.refresh()
    this.el.setAttribute('aria-label', `${this.slots[0]?.value().slice(0, 80) || t('note.label.empty', { who: whoLabel(this.ctx, d) })}`)
  }

  setRemote (info: RemoteInfo): void {
    showRemote(this.badge, this.el, info)
  }

  focusRoot (): void { this.el.focus() }
  focusText (): void { this.slots[0]?.el.focus() }

  destroy (): void {
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
  private readonly owner: HTMLInputElement
  private readonly due: HTMLInputElement
  private readonly done: HTMLInputElement
  private readonly who: HTMLElement
  private readonly move: HTMLSelectElement
  private readonly badge: HTMLElement
  private ownerTimer: ReturnType<typeof setTimeout> | null = null

  constructor (ctx: Ctx, id: string, field: FieldDef) {
    this.ctx = ctx
    this.id = id
    const cols = field.columns ?? []
    const label = (i: number, fallback: string): string => tx(cols[i]?.label) || fallback
    this.what = new TextSlot(ctx, id, 'text', label(0, 'what'), 'cell-text')
    this.owner = h('input', { class: 'cell-input', attrs: { type: 'text', dir: 'auto', maxlength: 200, 'aria-label': label(1, 'who') } })
    this.due = h('input', { class: 'cell-input', attrs: { type: 'date', 'aria-label': label(2, 'due') } })
    this.done = h('input', { class: 'cell-check', attrs: { type: 'checkbox', 'aria-label': label(3, 'done') } })
    for (const el of [this.owner, this.due]) el.readOnly = ctx.readOnly()
    this.done.disabled = ctx.readOnly()
    this.owner.addEventListener('input', () => {
      if (this.ownerTimer) clearTimeout(this.ownerTimer)
      this.ownerTimer = setTimeout(() => this.commitOwner(), 400)
    })
    this.owner.addEventListener('change', () => this.commitOwner())
    this.due.addEventListener('change', () => ctx.actions.set(id, 'due', this.due.value.slice(0, 32)))
    this.done.addEventListener('change', () => ctx.actions.setDone(id, this.done.checked))
    this.who = h('span', { class: 'row-who' })
    this.move = moveSelect(ctx, id)
    this.badge = remoteBadge()
    this.host = h('td', { class: 'row-handle' }, h('span', { class: 'grip edit-only', attrs: { 'aria-hidden': 'true', title: t('note.drag') }, text: '⠿' }), this.who, this.badge)
    this.el = h('tr', { class: 'row', attrs: { tabindex: 0, 'data-note': id } },
      this.host,
      h('td', {}, this.what.el), h('td', {}, this.owner), h('td', {}, this.due), h('td', { class: 'cell-center' }, this.done),
      h('td', { class: 'row-tools' }, this.move, deleteButton(ctx, id)))
    this.what.el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault()
        this.el.focus()
      }
    })
  }

  private commitOwner (): void {
    if (this.ownerTimer) clearTimeout(this.ownerTimer)
    this.ownerTimer = null
    const d = this.ctx.board.data(this.id)
    if (d && d.owner !== this.owner.value) this.ctx.actions.set(this.id, 'owner', this.owner.value.slice(0, 200))
  }

  update (d: NoteData): void {
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
    this.el.setAttribute('aria-label', this.what.value().slice(0, 80) || t('note.label.empty', { who: whoLabel(this.ctx, d) }))
  }

  setRemote (info: RemoteInfo): void {
    showRemote(this.badge, this.el, info)
  }

  focusRoot (): void { this.el.focus() }
  focusText (): void { this.what.el.focus() }

  destroy (): void {
    this.commitOwner()
    this.what.destroy()
    this.el.remove()
  }
}
