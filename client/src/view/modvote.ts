// Moderator: dot voting. Choose fields, dots per person and at most per note; open, close
// or cancel; after the close the results, sortable and split by stakeholder group.
import { t, tn, tx } from '../i18n'
import { readVoting } from '../model/control'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { button, labelled, section } from './modkit'
import { ResultsTable } from './results'

export class ModVote {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly form: HTMLElement
  private readonly openBox: HTMLElement
  private readonly status: HTMLElement
  private readonly perPerson: HTMLInputElement
  private readonly maxPerNote: HTMLInputElement
  private readonly error: HTMLElement
  private readonly fieldBoxes: HTMLInputElement[] = []
  private readonly results: ResultsTable
  private readonly resultsBox: HTMLElement

  constructor(ctx: Ctx, onGoto: (noteId: string) => void) {
    this.ctx = ctx
    const fields = h('fieldset', { class: 'mod-fieldset' }, h('legend', { text: t('mod.vote.fields') }))
    for (const f of ctx.canvas.orderedFields()) {
      const box = h('input', { attrs: { type: 'checkbox', name: 'vote-field', value: f.id } })
      this.fieldBoxes.push(box)
      fields.append(h('label', { class: 'mod-check', attrs: { title: tx(f.label) } }, box, f.id))
    }
    this.perPerson = h('input', { attrs: { type: 'number', name: 'vote-dots', min: 1, max: 50, step: 1, value: 3 } })
    this.maxPerNote = h('input', {
      attrs: { type: 'number', name: 'vote-max', min: 1, max: 50, step: 1, placeholder: '–' }
    })
    this.error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    this.form = h(
      'div',
      { class: 'mod-grid' },
      fields,
      labelled(t('mod.vote.dots'), this.perPerson).row,
      labelled(t('mod.vote.max'), this.maxPerNote, t('mod.vote.max.hint')).row,
      this.error,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.vote.open'), () => this.open(), { 'data-vote-open': '' }, 'btn-primary')
      )
    )
    this.status = h('p', { class: 'mod-status', attrs: { 'aria-live': 'polite' } })
    this.openBox = h(
      'div',
      { class: 'mod-buttons', hidden: true },
      button(t('mod.vote.close'), () => ctx.fac.run('vote.close', {}), { 'data-vote-close': '' }, 'btn-primary'),
      button(t('mod.vote.cancel'), () => this.cancel(), { 'data-vote-cancel': '' })
    )
    this.results = new ResultsTable(ctx, onGoto)
    this.resultsBox = h(
      'div',
      { class: 'mod-results', hidden: true },
      h('h4', { class: 'mod-sub', text: t('vote.results.title') }),
      this.results.el
    )
    this.el = section('vote', t('mod.vote.title'), false, this.status, this.openBox, this.resultsBox, this.form)
    this.update()
  }

  private async open(): Promise<void> {
    const fields = this.fieldBoxes.filter((b) => b.checked).map((b) => b.value)
    const per = Math.round(Number(this.perPerson.value))
    const maxRaw = this.maxPerNote.value.trim()
    const max = maxRaw === '' ? undefined : Math.round(Number(maxRaw))
    if (fields.length === 0) {
      setText(this.error, t('mod.vote.error.fields'))
      return
    }
    if (!(per >= 1 && per <= 50) || (max !== undefined && !(max >= 1 && max <= 50))) {
      setText(this.error, t('mod.vote.error.dots'))
      return
    }
    setText(this.error, '')
    await this.ctx.fac.run('vote.open', { fields, per_person: per, max_per_note: max })
  }

  private async cancel(): Promise<void> {
    if (!window.confirm(t('mod.vote.cancel.confirm'))) return
    await this.ctx.fac.run('vote.cancel', {})
  }

  update(): void {
    const voting = readVoting(this.ctx.board.control)
    const open = voting.state === 'open'
    this.form.hidden = open
    this.openBox.hidden = !open
    const fields = voting.fields.join(', ')
    setText(
      this.status,
      open
        ? t('mod.vote.status.open', { fields, dots: voting.perPerson, max: voting.maxPerNote })
        : voting.state === 'closed'
          ? tn('mod.vote.status.closed', voting.voters ?? 0, { fields })
          : t('mod.vote.status.idle')
    )
    this.resultsBox.hidden = voting.state !== 'closed'
    if (voting.state === 'closed') this.results.render(voting)
  }
}
