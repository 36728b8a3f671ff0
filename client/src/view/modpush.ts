// Moderator: push the timer, a field or the vote results to the projector full-screen, and
// take the push back (P288). Every projector shows it, also one that connects later.
import { t, tx } from '../i18n'
import { readVoting } from '../model/control'
import { readPush } from '../model/projection'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { button, labelled, section } from './modkit'

export class ModPush {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly status: HTMLElement
  private readonly results: HTMLButtonElement
  private readonly clearBtn: HTMLButtonElement

  constructor(ctx: Ctx) {
    this.ctx = ctx
    const { canvas, fac } = ctx
    const select = h(
      'select',
      { attrs: { name: 'push-field' } },
      ...canvas.fields.map((f) => h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
    )
    this.status = h('p', { class: 'mod-status', attrs: { 'aria-live': 'polite' } })
    this.results = button(t('push.results'), () => fac.run('projector.push', { show: 'results' }), {
      'data-push': 'results'
    })
    this.clearBtn = button(t('push.clear'), () => fac.run('projector.push', { show: null }), {
      'data-push': 'clear'
    })
    this.el = section(
      'push',
      t('push.heading'),
      false,
      h('p', { class: 'hint', text: t('push.hint') }),
      this.status,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('push.timer'), () => fac.run('projector.push', { show: 'timer' }), { 'data-push': 'timer' }),
        this.results,
        this.clearBtn
      ),
      h(
        'div',
        { class: 'mod-row mod-inline' },
        labelled(t('push.field.label'), select).row,
        button(t('push.field'), () => fac.run('projector.push', { show: 'field', field: select.value }), {
          'data-push': 'field'
        })
      )
    )
    this.update()
  }

  update(): void {
    const { board, canvas } = this.ctx
    const push = readPush(board.control)
    const field = push.field ? canvas.field(push.field) : undefined
    const what =
      push.show === 'timer'
        ? t('push.now.timer')
        : push.show === 'results'
          ? t('push.now.results')
          : push.show === 'field'
            ? t('push.now.field', { field: field ? `${field.id} ${tx(field.label)}` : (push.field ?? '') })
            : t('push.now.none')
    setText(this.status, what)
    this.clearBtn.disabled = push.show === null
    // results exist only once a vote is closed (P289)
    this.results.disabled = readVoting(board.control).state !== 'closed'
  }
}
