// A sticky note card: colour, author line, text (all of it, or a button away), optional
// format card, and the label screen readers announce. Where it sits is the field's business:
// notes flow in plain fields, and diagramLayout.ts places them in the diagram.
import { t, tx } from '../i18n'
import type { NoteData } from '../model/board'
import type { FieldDef } from '../model/canvas'
import type { Ctx } from './actions'
import { h, setAttr, setText, textOn } from './dom'
import { Expander } from './expander'
import type { ItemView, RemoteInfo } from './items'
import { deleteButton, groupColor, moveSelect, remoteBadge, showRemote, whoLabel } from './noteParts'
import { escapeTo, TextSlot } from './noteText'

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
  private readonly more: Expander
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
    }, this.bar, this.text.el)
    this.more = new Expander(this.el, this.text.el)
    this.el.append(this.more.button)
    if (this.format) this.el.append(this.format)
    this.el.append(h('div', { class: 'note-tools' }, this.colorBtn, this.move, deleteButton(ctx, id)), this.badge)
    escapeTo(this.text.el, this.el)
    this.text.el.addEventListener('input', () => {
      this.label()
      this.more.check()
    })
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

  update (d: NoteData, _field: FieldDef): void {
    const color = this.ctx.canvas.color(d.color)
    this.el.style.setProperty('--note-bg', color.value)
    this.el.style.setProperty('--note-group', groupColor(this.ctx, d))
    this.el.style.setProperty('--note-group-text', textOn(groupColor(this.ctx, d)))
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
    this.more.check()
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
