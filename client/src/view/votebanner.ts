// The vote as a line under the header: while open, where to vote and how many dots this
// person has left; after the close, a button to the results panel (sortable, by group).
import { t, tn } from '../i18n'
import { readVoting } from '../model/control'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { ResultsTable } from './results'

export class VoteBanner {
  readonly el: HTMLElement
  readonly panel: HTMLElement
  private readonly ctx: Ctx
  private readonly text: HTMLElement
  private readonly resultsBtn: HTMLButtonElement
  private readonly table: ResultsTable

  private readonly screen: boolean

  /** `screen`: a projector, where nobody clicks; its stage shows the results when pushed. */
  constructor(ctx: Ctx, onGoto: (noteId: string) => void, screen = false) {
    this.ctx = ctx
    this.screen = screen
    this.text = h('span', { class: 'vote-banner-text', attrs: { role: 'status' } })
    this.resultsBtn = h('button', {
      class: 'btn btn-small',
      text: t('vote.results.show'),
      attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'results' },
      on: { click: () => this.toggle() }
    })
    this.el = h('div', { class: 'vote-banner', hidden: true }, this.text, this.resultsBtn)
    this.table = new ResultsTable(ctx, (id) => onGoto(id))
    this.panel = h(
      'aside',
      { class: 'panel results-panel', id: 'results', hidden: true, attrs: { 'aria-labelledby': 'results-h' } },
      h('h2', { id: 'results-h', text: t('vote.results.title') }),
      this.table.el,
      h('button', {
        class: 'btn btn-small',
        text: t('app.close'),
        attrs: { type: 'button' },
        on: { click: () => this.toggle(false) }
      })
    )
  }

  update(): void {
    const voting = readVoting(this.ctx.board.control)
    const fac = this.ctx.fac
    const fields = voting.fields.join(', ')
    let text = ''
    if (voting.state === 'open') {
      const left = fac.ballot.remaining()
      if (fac.permissions().vote && left !== null) {
        const key = voting.maxPerNote < voting.perPerson ? 'vote.banner.open.max' : 'vote.banner.open'
        text = tn(key, voting.perPerson, { fields, left, max: voting.maxPerNote })
      } else {
        text = t('vote.banner.watch', { fields })
      }
    } else if (voting.state === 'closed') {
      text = tn('vote.banner.closed', voting.voters ?? 0, { fields })
    }
    this.el.hidden = text === ''
    this.el.dataset.state = voting.state
    setText(this.text, text)
    this.resultsBtn.hidden = voting.state !== 'closed' || this.screen
    if (voting.state !== 'closed') this.toggle(false)
    else if (!this.panel.hidden) this.table.render(voting)
  }

  toggle(show = this.panel.hidden): void {
    this.panel.hidden = !show
    this.resultsBtn.setAttribute('aria-expanded', String(show))
    if (show) {
      this.table.render()
      this.panel.querySelector('h2')?.setAttribute('tabindex', '-1')
    }
  }
}
