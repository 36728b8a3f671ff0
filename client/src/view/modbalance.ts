// Moderator: participation balance. Per field, notes (and dots after a vote) per stakeholder
// group; who is here now per group, who was here so far; which groups are missing.
import { type Balance, computeBalance, missingGroups } from '../facilitation/balance'
import { ANONYMOUS } from '../facilitation/voting'
import { t, tx } from '../i18n'
import { readRoster, readVoting } from '../model/control'
import type { Ctx } from './actions'
import { clear, h, setText } from './dom'
import { section } from './modkit'
import { groupName } from './votes'

const RENDER_EVERY_MS = 500

export class ModBalance {
  readonly el: HTMLDetailsElement
  private readonly ctx: Ctx
  private readonly missing: HTMLElement
  private readonly table: HTMLTableElement
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(ctx: Ctx) {
    this.ctx = ctx
    this.missing = h('p', { class: 'mod-status balance-missing' })
    this.table = h('table', { class: 'mod-table balance-table' })
    this.el = section(
      'balance',
      t('mod.balance.title'),
      false,
      h('p', { class: 'hint', text: t('mod.balance.lead') }),
      this.missing,
      h(
        'div',
        { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': t('mod.balance.title') } },
        this.table
      )
    )
    this.el.addEventListener('toggle', () => this.render())
  }

  /** Notes, presence or control changed: render soon (at most twice a second). */
  schedule(): void {
    if (!this.el.open || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.render()
    }, RENDER_EVERY_MS)
  }

  render(): void {
    if (!this.el.open) return
    const { ctx } = this
    const people = [...ctx.presence.peers().map((p) => p.user)]
    const me = ctx.presence.self()
    if (me) people.push(me.user)
    const b = computeBalance(
      ctx.board,
      ctx.canvas,
      readVoting(ctx.board.control),
      people,
      readRoster(ctx.board.control)
    )
    const missing = missingGroups(b)
    setText(
      this.missing,
      missing.length
        ? t('mod.balance.missing', { groups: missing.map((g) => groupName(ctx, g)).join(', ') })
        : t('mod.balance.all')
    )
    this.renderTable(b)
  }

  /** One row per stakeholder group: here now, seen so far, then notes (· dots) per field. */
  private renderTable(b: Balance): void {
    const { ctx } = this
    clear(this.table)
    const voted = b.rows.some((r) => r.votes)
    this.table.append(
      h('caption', { class: 'sr-only', text: t('mod.balance.title') }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' }, text: t('mod.balance.group') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.balance.present') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.balance.seen') }),
          ...b.rows.map((r) =>
            h('th', {
              attrs: { scope: 'col', 'data-balance-field': r.field, title: tx(ctx.canvas.field(r.field)?.label) },
              text: r.field
            })
          )
        )
      )
    )
    const body = h('tbody', {})
    for (const g of b.groups) {
      const present = b.present[g] ?? 0
      const head = h(
        'th',
        { attrs: { scope: 'row' } },
        h('span', { class: 'group-dot', attrs: { 'aria-hidden': 'true' } }),
        groupName(ctx, g)
      )
      const color = ctx.canvas.group(g)?.color
      const dot = head.firstElementChild
      if (color && dot instanceof HTMLElement) dot.style.background = color
      const missing = present === 0 && g !== ANONYMOUS
      body.append(
        h(
          'tr',
          { class: missing ? 'balance-missing-row' : '', attrs: { 'data-balance-group': g } },
          head,
          h('td', { class: missing ? 'missing' : present > 0 ? 'present' : 'zero', text: String(present) }),
          h('td', { text: String(b.seen[g] ?? 0) }),
          ...b.rows.map((row) => {
            const n = row.notes[g] ?? 0
            const v = row.votes?.[g] ?? 0
            const text = row.votes ? t('mod.balance.cell.votes', { notes: n, votes: v }) : String(n)
            return h('td', { class: n === 0 && v === 0 ? 'zero' : '', text })
          })
        )
      )
    }
    const totals = h(
      'tr',
      { class: 'balance-total' },
      h('th', { attrs: { scope: 'row' }, text: t('mod.balance.total') }),
      h('td', { text: String(Object.values(b.present).reduce((a, n) => a + n, 0)) }),
      h('td', { text: String(Object.values(b.seen).reduce((a, n) => a + n, 0)) }),
      ...b.rows.map((row) => h('td', { text: String(row.notesTotal) }))
    )
    body.append(totals)
    this.table.append(body)
    if (voted)
      this.table.append(
        h(
          'tfoot',
          {},
          h(
            'tr',
            {},
            h('td', { class: 'hint', attrs: { colspan: b.rows.length + 3 }, text: t('mod.balance.votes.hint') })
          )
        )
      )
  }
}
