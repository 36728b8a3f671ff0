// The moderator moved everyone's focus while this person was typing in a note: instead of
// moving the view (and, on a phone, hiding the note and its keyboard) a line offers to go.
import { t, tx } from '../i18n'
import type { Ctx } from './actions'
import { h, setText } from './dom'

const EDITABLE = 'textarea, input[type=text], input:not([type]), [contenteditable=true]'
const IN_NOTE = '[data-note], [data-private-note]'

/** True while the keyboard is in one of the note's text controls. */
export function typingInNote(): boolean {
  const el = document.activeElement
  return el instanceof HTMLElement && el.matches(EDITABLE) && el.closest(IN_NOTE) !== null
}

export class FocusPrompt {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly text: HTMLElement
  private readonly go: (field: string | null) => void
  private field: string | null = null

  constructor(ctx: Ctx, go: (field: string | null) => void) {
    this.ctx = ctx
    this.go = go
    this.text = h('span', { class: 'focus-prompt-text' })
    this.el = h(
      'div',
      { class: 'focus-prompt', hidden: true, attrs: { role: 'status' } },
      this.text,
      h('button', {
        class: 'btn btn-small',
        text: t('focus.go'),
        attrs: { type: 'button', 'data-focus-go': '' },
        on: { click: () => this.accept() }
      }),
      h('button', {
        class: 'btn btn-small btn-ghost',
        text: '×',
        attrs: { type: 'button', 'aria-label': t('app.close') },
        on: { click: () => this.hide() }
      })
    )
  }

  /** Offer the field (null: the whole canvas) without touching the keyboard focus. */
  offer(field: string | null): void {
    this.field = field
    const f = field ? this.ctx.canvas.field(field) : undefined
    setText(this.text, f ? t('focus.offer', { field: `${f.id} ${tx(f.label)}` }) : t('focus.offer.all'))
    this.el.hidden = false
  }

  hide(): void {
    this.el.hidden = true
  }

  private accept(): void {
    this.hide()
    this.go(this.field)
  }
}
