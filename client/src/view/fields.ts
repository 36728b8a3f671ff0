// One canvas field: heading, prompt, help on demand, and the body its kind asks for
// (free notes, the A3 diagram with axes, the B3 format cards, the B4 table, the C3 list).
import { t, tn, tx } from '../i18n'
import { clamp01 } from '../model/board'
import { type FieldDef, type FormatCard, fieldKind } from '../model/canvas'
import type { Ctx } from './actions'
import { keepToolsInView } from './diagramLayout'
import { h, setText } from './dom'

export interface AddRequest {
  field: string
  pos?: { x: number; y: number }
}

export class FieldView {
  readonly el: HTMLElement
  readonly field: FieldDef
  readonly area: HTMLElement | null = null
  readonly tbody: HTMLTableSectionElement | null = null
  readonly addBtn: HTMLButtonElement
  /** Table and action fields: the same button again under the rows. */
  private addBelow: HTMLButtonElement | null = null
  /** Private notes of row fields (tables, action lists) are listed here. */
  readonly privateRows: HTMLElement | null = null
  private readonly empty: HTMLElement
  private readonly countEl: HTMLElement
  private readonly lockEl: HTMLElement
  private readonly badges: HTMLElement
  private readonly privateEl: HTMLElement
  private readonly voteEl: HTMLElement
  private readonly focusEl: HTMLElement
  private readonly addLabel: string

  /** `idPrefix` keeps element ids unique when a second canvas (a snapshot) is on the page. */
  constructor(ctx: Ctx, field: FieldDef, onAdd: (req: AddRequest) => void, idPrefix = '') {
    this.field = field
    const kind = fieldKind(field)
    const titleId = `${idPrefix}field-${field.id}-title`
    const helpId = `${idPrefix}field-${field.id}-help`
    const label = tx(field.label)
    const help = h('div', { id: helpId, class: 'field-help', hidden: true }, h('p', { text: tx(field.help) }))
    const helpBtn = h('button', {
      class: 'btn btn-small btn-ghost field-help-btn',
      text: t('field.help.show'),
      attrs: {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': helpId,
        'aria-label': t('field.help.label', { field: label })
      }
    })
    helpBtn.addEventListener('click', () => {
      help.hidden = !help.hidden
      helpBtn.setAttribute('aria-expanded', String(!help.hidden))
    })
    const rows = kind === 'table' || kind === 'actions'
    this.addBtn = h(
      'button',
      {
        class: 'btn btn-small btn-add edit-only',
        attrs: {
          type: 'button',
          'aria-label': t(rows ? 'field.add.row.label' : 'field.add.label', { field: `${field.id} ${label}` }),
          'data-add': field.id
        }
      },
      h('span', { attrs: { 'aria-hidden': 'true' }, text: '+ ' }),
      t(rows ? 'field.add.row' : 'field.add')
    )
    this.addBtn.addEventListener('click', () => onAdd({ field: field.id }))
    this.addLabel = this.addBtn.getAttribute('aria-label') ?? ''
    this.countEl = h('span', { class: 'field-count' })
    this.lockEl = h('span', { class: 'field-lock', hidden: true, text: t('field.locked') })
    this.focusEl = h('span', { class: 'field-focus', hidden: true, text: t('field.focus') })
    this.voteEl = h('span', { class: 'field-vote', hidden: true, text: t('field.vote') })
    this.badges = h('span', { class: 'field-badges' }, this.lockEl, this.focusEl, this.voteEl)
    this.privateEl = h('p', { class: 'field-private', hidden: true })
    const head = h(
      'header',
      { class: 'field-head' },
      h(
        'div',
        { class: 'field-title-row' },
        h(
          'h3',
          { id: titleId, class: 'field-title' },
          // the title zooms to the field; its name stays the title, the action is its description
          h(
            'button',
            { class: 'field-zoom', attrs: { type: 'button', 'data-zoom': field.id, title: t('field.zoom') } },
            h('span', { class: 'field-id' }, field.id),
            ' ',
            h('span', { class: 'field-label' }, label)
          )
        ),
        this.countEl,
        this.badges,
        h('div', { class: 'field-actions' }, helpBtn, this.addBtn)
      ),
      h('p', { class: 'field-prompt', text: tx(field.prompt) }),
      this.privateEl,
      help
    )
    this.empty = h('p', {
      class: 'field-empty',
      text: ctx.readOnly() ? t('field.empty') : t(rows ? 'field.empty.rows' : 'field.empty.edit')
    })
    const body = h('div', { class: 'field-body' })

    if (kind === 'table' || kind === 'actions') {
      const cols = field.columns ?? []
      const table = h(
        'table',
        { class: `rows rows-${kind}` },
        h('caption', { class: 'sr-only', text: `${field.id} ${label}` }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { attrs: { scope: 'col' } }, h('span', { class: 'sr-only', text: t('note.drag') })),
            ...cols.map((c) => h('th', { attrs: { scope: 'col' }, text: tx(c.label) })),
            h('th', { attrs: { scope: 'col' } }, h('span', { class: 'sr-only', text: t('toolbar.label') }))
          )
        )
      )
      const tbody = h('tbody', { class: 'rows-body' })
      table.append(tbody)
      this.tbody = tbody
      this.empty.textContent = ctx.readOnly()
        ? t(kind === 'table' ? 'table.empty' : 'actions.empty')
        : this.empty.textContent
      this.privateRows = h('div', {
        class: 'private-rows',
        attrs: { role: 'list', 'aria-label': t('private.list', { field: `${field.id} ${label}` }) }
      })
      // a second "+ Row" under the rows, on the left: zoomed in on a tablet the header's
      // button sits off to the right of a wide table
      const addBelow = h(
        'button',
        {
          class: 'btn btn-small btn-add-below edit-only',
          attrs: { type: 'button', 'aria-label': this.addLabel, 'data-add-below': field.id }
        },
        h('span', { attrs: { 'aria-hidden': 'true' }, text: '+ ' }),
        t('field.add.row')
      )
      addBelow.addEventListener('click', () => onAdd({ field: field.id }))
      this.addBelow = addBelow
      body.append(h('div', { class: 'rows-scroll' }, table), this.empty, addBelow, this.privateRows)
    } else {
      if (kind === 'formats') body.append(formatCards(field, ctx))
      const area = h('div', {
        class: `note-area note-area-${kind}`,
        attrs: {
          role: 'list',
          'aria-label': t('field.notes', { field: `${field.id} ${label}` }),
          'data-area': field.id
        }
      })
      if (kind === 'diagram' && field.axes) {
        area.setAttribute(
          'aria-description',
          t('field.diagram', { x: tx(field.axes.x.label), y: tx(field.axes.y.label) })
        )
        area.append(axes(field))
      }
      area.addEventListener('dblclick', (ev) => {
        if (ev.target !== area && !(ev.target instanceof HTMLElement && ev.target.closest('.axes'))) return
        const pos = this.pointToPos(ev.clientX, ev.clientY)
        if (pos) onAdd({ field: field.id, pos })
      })
      this.area = area
      const wrap = h('div', { class: 'area-wrap' }, area, this.empty)
      if (kind === 'diagram') keepToolsInView(wrap)
      body.append(wrap)
    }

    this.el = h(
      'section',
      {
        id: `${idPrefix}field-${field.id}`,
        class: `field field-${kind} part-${field.part}`,
        attrs: { 'aria-labelledby': titleId, 'data-field': field.id }
      },
      head,
      body
    )
    this.el.style.gridColumn = `${field.layout.col} / span ${field.layout.colspan}`
    this.el.style.gridRow = `${field.layout.row} / span ${field.layout.rowspan}`
  }

  container(): HTMLElement {
    return (this.tbody ?? this.area) as HTMLElement
  }

  setCount(n: number): void {
    this.empty.hidden = n > 0
    setText(this.countEl, n > 0 ? tn('field.count', n) : '')
  }

  /** `forMe`: this person cannot add or change notes here (moderators still can). */
  setLocked(on: boolean, forMe: boolean): void {
    this.lockEl.hidden = !on
    this.el.classList.toggle('locked', on)
    for (const btn of [this.addBtn, this.addBelow]) {
      if (!btn) continue
      btn.setAttribute('aria-disabled', String(forMe))
      btn.setAttribute('aria-label', forMe ? `${this.addLabel} (${t('field.locked')})` : this.addLabel)
      btn.title = forMe ? t('locked.hint') : ''
    }
  }

  /** Private writing: new notes here are seen only by their author until the reveal. */
  setPrivate(on: boolean, moderator: boolean): void {
    this.privateEl.hidden = !on
    this.el.classList.toggle('private', on)
    setText(this.privateEl, on ? t(moderator ? 'field.private.moderator' : 'field.private') : '')
  }

  /** Compact: each note shows its first lines; "more" shows the rest (P284). */
  setCompact(on: boolean): void {
    this.el.classList.toggle('compact', on)
  }

  setFocused(on: boolean): void {
    this.focusEl.hidden = !on
    this.el.classList.toggle('focused', on)
  }

  setVoting(on: boolean): void {
    this.voteEl.hidden = !on
    this.el.classList.toggle('voting', on)
  }

  /** Where private notes of this field go. */
  privateContainer(): HTMLElement {
    return (this.privateRows ?? this.area) as HTMLElement
  }

  /** A client point as a position in this field (0..1; the diagram's y axis points up). */
  pointToPos(clientX: number, clientY: number): { x: number; y: number } | null {
    const target = this.area ?? this.el
    const r = target.getBoundingClientRect()
    if (r.width <= 0 || r.height <= 0) return null
    const x = clamp01((clientX - r.left) / r.width)
    let y = clamp01((clientY - r.top) / r.height)
    if (this.field.kind === 'diagram') y = 1 - y
    return { x: round(x), y: round(y) }
  }
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000
}

/** The diagram's axes, labels and ticks, drawn over its whole box (the board's and the projector's). */
export function axes(field: FieldDef): HTMLElement {
  const box = h('div', { class: 'axes', attrs: { 'aria-hidden': 'true' } })
  const ax = field.axes
  if (!ax) return box
  box.append(h('div', { class: 'axis axis-x' }), h('div', { class: 'axis axis-y' }))
  box.append(h('p', { class: 'axis-label axis-label-x', text: `${tx(ax.x.label)} →` }))
  box.append(h('p', { class: 'axis-label axis-label-y', text: `${tx(ax.y.label)} →` }))
  for (const tick of ax.x.ticks) {
    const el = h('p', { class: 'tick tick-x', text: tx(tick.label) })
    el.style.left = `${tick.at * 100}%`
    el.classList.toggle('tick-start', tick.at <= 0)
    el.classList.toggle('tick-end', tick.at >= 1)
    box.append(el)
  }
  for (const tick of ax.y.ticks) {
    const el = h('p', { class: 'tick tick-y', text: tx(tick.label) })
    el.style.bottom = `${tick.at * 100}%`
    el.classList.toggle('tick-start', tick.at <= 0)
    el.classList.toggle('tick-end', tick.at >= 1)
    box.append(el)
    if (tick.at > 0 && tick.at < 1) {
      const line = h('div', { class: 'gridline' })
      line.style.bottom = `${tick.at * 100}%`
      box.append(line)
    }
  }
  return box
}

function formatCards(field: FieldDef, ctx: Ctx): HTMLElement {
  const list = h('ul', { class: 'format-cards', attrs: { 'aria-label': t('field.formats') } })
  for (const id of field.formats ?? []) {
    const card = ctx.canvas.format(id)
    if (card) list.append(h('li', { class: 'format-card' }, formatCard(card)))
  }
  return list
}

function formatCard(card: FormatCard): HTMLElement {
  const section = (
    key: 'format.aim' | 'format.how' | 'format.time' | 'format.example',
    text: string
  ): HTMLElement[] => [h('dt', { text: t(key) }), h('dd', { text })]
  return h(
    'details',
    { class: 'format' },
    h('summary', {}, h('span', { class: 'format-title', text: tx(card.title) })),
    h(
      'dl',
      {},
      ...section('format.aim', tx(card.aim)),
      ...section('format.how', tx(card.how)),
      ...section('format.time', tx(card.time_frame)),
      ...section('format.example', tx(card.example))
    ),
    h('p', { class: 'format-sub', text: t('format.dos') }),
    h('ul', { class: 'dos' }, ...card.dos.map((d) => h('li', { text: tx(d) }))),
    h('p', { class: 'format-sub', text: t('format.donts') }),
    h('ul', { class: 'donts' }, ...card.donts.map((d) => h('li', { text: tx(d) })))
  )
}
