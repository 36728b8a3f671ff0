// Dots on a note: while a vote is open, this person's own dots with "give" and "take back"
// buttons; after the close, the note's result (total, split by group in the tooltip and in
// the results list). Counts of others are never known here before the close.
import { ANONYMOUS } from '../facilitation/voting'
import { t, tn, tx } from '../i18n'
import { readVoting, type VoteResult, type VotingState } from '../model/control'
import type { Ctx } from './actions'
import { h, setAttr, setText } from './dom'

export function groupName(ctx: Ctx, group: string): string {
  if (group === ANONYMOUS) return t('group.anonymous')
  const g = ctx.canvas.group(group)
  return g ? tx(g.label) : group
}

export function byGroupText(ctx: Ctx, r: VoteResult): string {
  return Object.entries(r.byGroup)
    .sort((a, b) => b[1] - a[1])
    .map(([g, n]) => `${groupName(ctx, g)} ${n}`)
    .join(', ')
}

export class VoteBox {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly noteId: string
  private readonly minus: HTMLButtonElement
  private readonly plus: HTMLButtonElement
  private readonly mine: HTMLElement
  private readonly result: HTMLElement

  constructor(ctx: Ctx, noteId: string) {
    this.ctx = ctx
    this.noteId = noteId
    this.minus = h('button', {
      class: 'vote-btn',
      text: '−',
      attrs: { type: 'button', 'data-vote': 'retract' },
      on: { click: () => this.retract() }
    })
    this.plus = h('button', {
      class: 'vote-btn',
      text: '+',
      attrs: { type: 'button', 'data-vote': 'cast' },
      on: { click: () => this.cast() }
    })
    this.mine = h('span', { class: 'vote-mine' })
    this.result = h('span', { class: 'vote-result', hidden: true })
    this.el = h('div', { class: 'note-votes', hidden: true }, this.minus, this.mine, this.plus, this.result)
  }

  update(voting: VotingState, inVote: boolean, text: string): void {
    const fac = this.ctx.fac
    const open = voting.state === 'open' && inVote && fac.permissions().vote
    const closed = voting.state === 'closed' && inVote
    this.el.hidden = !open && !closed
    this.el.classList.toggle('open', open)
    this.el.classList.toggle('closed', closed)
    for (const el of [this.minus, this.plus, this.mine]) el.hidden = !open
    this.result.hidden = !closed
    const short = text.slice(0, 60) || '…'
    if (open) {
      const n = fac.ballot.mine(this.noteId)
      const left = fac.ballot.remaining()
      setText(this.mine, n > 0 ? '●'.repeat(Math.min(n, 5)) + (n > 5 ? `${n}` : '') : '0')
      setAttr(this.mine, 'aria-label', t('vote.mine', { count: n }))
      this.el.dataset.mine = String(n)
      setAttr(this.plus, 'aria-label', t('vote.cast.label', { text: short }))
      setAttr(this.plus, 'title', t('vote.cast'))
      setAttr(this.minus, 'aria-label', t('vote.retract.label', { text: short }))
      setAttr(this.minus, 'title', t('vote.retract'))
      this.plus.setAttribute('aria-disabled', String(left === 0 || n >= voting.maxPerNote))
      this.minus.setAttribute('aria-disabled', String(n === 0))
    }
    if (closed) {
      const r = voting.results?.[this.noteId] ?? { total: 0, byGroup: {} }
      setText(this.result, t('vote.result.short', { count: r.total }))
      const detail = byGroupText(this.ctx, r)
      setAttr(this.result, 'title', detail)
      setAttr(
        this.result,
        'aria-label',
        detail ? tn('vote.result.label', r.total, { groups: detail }) : t('vote.result.short', { count: r.total })
      )
      this.el.dataset.total = String(r.total)
    }
  }

  private cast(): void {
    const fac = this.ctx.fac
    const left = fac.ballot.remaining()
    const max = readVoting(this.ctx.board.control).maxPerNote
    if (left === 0) {
      this.ctx.toasts.show(t('vote.none.left'), { kind: 'error' })
      return
    }
    if (fac.ballot.mine(this.noteId) >= max) {
      this.ctx.toasts.show(tn('vote.max.note', max), { kind: 'error' })
      return
    }
    fac.castVote(this.noteId)
  }

  private retract(): void {
    if (this.ctx.fac.ballot.mine(this.noteId) === 0) return
    this.ctx.fac.retractVote(this.noteId)
  }
}
