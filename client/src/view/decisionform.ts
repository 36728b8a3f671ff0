// The moderator's form in the log panel: write down what the group decided (P230), with an
// optional field, or linked to the note last selected on the board.

import { decisionArgs, excerpt } from '../facilitation/decisions'
import { t, tx } from '../i18n'
import { DECISION_MAX_CHARS } from '../sync/vocab.gen'
import type { Ctx } from './actions'
import { h, setText, uid } from './dom'

export class DecisionForm {
  readonly el: HTMLFormElement
  private readonly ctx: Ctx
  private readonly text: HTMLTextAreaElement
  private readonly field: HTMLSelectElement
  private readonly link: HTMLInputElement
  private readonly linkRow: HTMLElement
  private readonly linkText: HTMLElement
  private readonly status: HTMLElement
  private readonly submit: HTMLButtonElement
  private selectedNote: string | null = null

  constructor(ctx: Ctx) {
    this.ctx = ctx
    const textId = uid('decision-text')
    const fieldId = uid('decision-field')
    this.text = h('textarea', {
      id: textId,
      class: 'decision-text',
      attrs: { rows: 3, maxlength: DECISION_MAX_CHARS, required: true, 'aria-describedby': `${textId}-hint` }
    })
    this.field = h(
      'select',
      { id: fieldId, class: 'decision-field' },
      h('option', { text: t('decision.field.none'), attrs: { value: '' } }),
      ...ctx.canvas.fields.map((f) => h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
    )
    this.link = h('input', { attrs: { type: 'checkbox' } })
    this.linkText = h('span')
    this.linkRow = h('label', { class: 'decision-link', hidden: true }, this.link, this.linkText)
    this.status = h('p', { class: 'decision-status', attrs: { role: 'status' } })
    this.submit = h('button', { class: 'btn btn-small', text: t('decision.add'), attrs: { type: 'submit' } })
    this.el = h(
      'form',
      { class: 'decision-form', attrs: { 'aria-labelledby': `${textId}-label` } },
      h('label', { id: `${textId}-label`, class: 'decision-label', text: t('decision.write'), attrs: { for: textId } }),
      this.text,
      h('span', { id: `${textId}-hint`, class: 'hint', text: t('decision.hint') }),
      h(
        'div',
        { class: 'decision-row' },
        h('label', { text: t('decision.field'), attrs: { for: fieldId } }),
        this.field
      ),
      this.linkRow,
      this.submit,
      this.status
    )
    this.el.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.send()
    })
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault()
        this.el.requestSubmit()
      }
    })
    // "the selected note": the note that last had the keyboard focus or a click
    document.addEventListener('focusin', (e) => {
      const note = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-note]') : null
      if (note?.dataset.note) this.select(note.dataset.note)
    })
  }

  private select(id: string): void {
    if (this.selectedNote !== id) this.link.checked = false
    this.selectedNote = id
    this.refresh()
  }

  /** Name the selected note as it reads now (it may have been typed into since). */
  refresh(): void {
    const id = this.selectedNote
    const data = id ? this.ctx.board.data(id) : null
    this.linkRow.hidden = !data
    if (!id || !data) return
    const words = excerpt(this.ctx.board.text(id, 'text')?.toString() ?? '') || data.field
    setText(this.linkText, t('decision.link', { note: words }))
  }

  private async send(): Promise<void> {
    const note =
      this.link.checked && this.selectedNote && this.ctx.board.data(this.selectedNote) ? this.selectedNote : null
    const args = decisionArgs(this.text.value, this.field.value || null, note)
    if (!args) {
      setText(this.status, t('decision.empty'))
      this.text.focus()
      return
    }
    this.submit.disabled = true
    setText(this.status, '')
    const reply = await this.ctx.fac.run('decision.add', args)
    this.submit.disabled = false
    if (!reply) return // the refusal is explained where every refusal is
    this.text.value = ''
    this.field.value = ''
    this.link.checked = false
    setText(this.status, t('decision.added'))
    this.text.focus()
  }
}
