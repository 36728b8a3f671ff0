// Short messages for people: polite for information, assertive for refused edits.
import { t } from '../i18n'
import { h } from './dom'

export interface ToastAction {
  label: string
  run: () => void
}

export class Toasts {
  readonly el: HTMLElement
  private readonly polite: HTMLElement
  private readonly assertive: HTMLElement

  constructor() {
    this.polite = h('div', { class: 'toast-stack', attrs: { 'aria-live': 'polite', role: 'status' } })
    this.assertive = h('div', { class: 'toast-stack', attrs: { 'aria-live': 'assertive', role: 'alert' } })
    this.el = h('div', { class: 'toasts' }, this.assertive, this.polite)
  }

  show(
    message: string,
    opts: { kind?: 'info' | 'error'; detail?: string; action?: ToastAction; ms?: number } = {}
  ): void {
    const kind = opts.kind ?? 'info'
    const box = h('div', { class: `toast toast-${kind}` })
    box.append(h('p', { class: 'toast-text', text: message }))
    if (opts.detail) box.append(h('p', { class: 'toast-detail', text: opts.detail }))
    const close = (): void => box.remove()
    if (opts.action) {
      const action = opts.action
      box.append(
        h('button', {
          class: 'btn btn-small',
          text: action.label,
          attrs: { type: 'button' },
          on: {
            click: () => {
              action.run()
              close()
            }
          }
        })
      )
    }
    box.append(
      h('button', {
        class: 'btn btn-small btn-ghost',
        text: '×',
        attrs: { type: 'button', 'aria-label': t('app.close') },
        on: { click: close }
      })
    )
    const stack = kind === 'error' ? this.assertive : this.polite
    stack.append(box)
    while (stack.children.length > 4) stack.firstElementChild?.remove()
    setTimeout(close, opts.ms ?? (opts.action ? 9000 : 7000))
  }
}
