// Vote results as a sortable table: note, field, dots, and dots per stakeholder group
// (groups only, never persons). Used by everyone's results panel and the moderator panel.
import { type ResultRow, type ResultSort, resultRows, sortResults } from '../facilitation/voting'
import { t, tn } from '../i18n'
import { readVoting, type VotingState } from '../model/control'
import type { Ctx } from './actions'
import { clear, h } from './dom'
import { byGroupText } from './votes'

export class ResultsTable {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly onGoto: (noteId: string) => void
  private readonly caption: HTMLElement
  private readonly head: HTMLTableRowElement
  private readonly body: HTMLTableSectionElement
  private sort: ResultSort = 'total'
  private ascending = false

  constructor(ctx: Ctx, onGoto: (noteId: string) => void) {
    this.ctx = ctx
    this.onGoto = onGoto
    this.caption = h('caption', { class: 'results-caption' })
    this.head = h('tr', {})
    this.body = h('tbody', {})
    this.el = h(
      'div',
      { class: 'results' },
      h('table', { class: 'results-table' }, this.caption, h('thead', {}, this.head), this.body)
    )
  }

  render(voting: VotingState = readVoting(this.ctx.board.control)): void {
    const rows = sortResults(resultRows(this.ctx.board, voting), this.sort, this.ascending)
    this.caption.textContent = tn('results.caption', voting.voters ?? 0, { fields: voting.fields.join(', ') })
    clear(this.head)
    const col = (key: ResultSort, label: string): HTMLElement => {
      const active = this.sort === key
      const btn = h('button', {
        class: 'sort-btn',
        text: label + (active ? (this.ascending ? ' ▲' : ' ▼') : ''),
        attrs: { type: 'button', 'data-sort': key },
        on: { click: () => this.setSort(key) }
      })
      return h(
        'th',
        { attrs: { scope: 'col', 'aria-sort': active ? (this.ascending ? 'ascending' : 'descending') : 'none' } },
        btn
      )
    }
    this.head.append(
      h('th', { attrs: { scope: 'col' }, text: t('results.rank') }),
      col('text', t('results.note')),
      col('field', t('results.field')),
      col('total', t('results.dots')),
      h('th', { attrs: { scope: 'col' }, text: t('results.groups') })
    )
    clear(this.body)
    const ranked = sortResults(rows, 'total', false)
    const rank = (r: ResultRow): number => 1 + ranked.filter((o) => o.total > r.total).length
    for (const r of rows) {
      const goto = h('button', {
        class: 'btn btn-small btn-ghost',
        text: t('list.goto'),
        attrs: { type: 'button' },
        on: { click: () => this.onGoto(r.id) }
      })
      this.body.append(
        h(
          'tr',
          { attrs: { 'data-result': r.id } },
          h('td', { text: String(rank(r)) }),
          h('td', { class: 'results-text', attrs: { dir: 'auto' } }, h('span', { text: r.text || '–' }), ' ', goto),
          h('td', { text: r.field }),
          h('td', { class: 'results-total', text: String(r.total) }),
          h('td', { text: byGroupText(this.ctx, { total: r.total, byGroup: r.byGroup }) || '–' })
        )
      )
    }
    if (rows.length === 0) this.body.append(h('tr', {}, h('td', { attrs: { colspan: 5 }, text: t('results.none') })))
  }

  private setSort(key: ResultSort): void {
    if (this.sort === key) this.ascending = !this.ascending
    else {
      this.sort = key
      this.ascending = key !== 'total'
    }
    this.render()
    this.head.querySelector<HTMLButtonElement>(`[data-sort='${key}']`)?.focus()
  }
}
