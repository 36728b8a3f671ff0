// Short messages for people: polite for information, assertive for refused edits. A toast
// with a key replaces the one still shown under that key, in place: repeated actions (group,
// group again) leave one toast, and the live region reads the new text once per action.
// Without a key the text is the key: a reconnect that parks two drafts says so once.
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
  private readonly keyed = new Map<string, { box: HTMLElement; timer: number }>()

  constructor() {
    this.polite = h('div', { class: 'toast-stack', attrs: { 'aria-live': 'polite', role: 'status' } })
    this.assertive = h('div', { class: 'toast-stack', attrs: { 'aria-live': 'assertive', role: 'alert' } })
    this.el = h('div', { class: 'toasts' }, this.assertive, this.polite)
  }

  show(
    message: string,
    opts: { kind?: 'info' | 'error'; detail?: string; action?: ToastAction; ms?: number; key?: string } = {}
  ): void {
    const kind = opts.kind ?? 'info'
    const key = opts.key ?? `${kind}:${message}`
    const prior = key ? this.keyed.get(key) : undefined
    if (prior) {
      clearTimeout(prior.timer)
      prior.box.remove()
    }
    const box = h('div', { class: `toast toast-${kind}` })
    if (key) box.dataset.toast = key
    box.append(h('p', { class: 'toast-text', text: message }))
    if (opts.detail) box.append(h('p', { class: 'toast-detail', text: opts.detail }))
    const close = (): void => {
      box.remove()
      if (key && this.keyed.get(key)?.box === box) this.keyed.delete(key)
    }
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
    const timer = window.setTimeout(close, opts.ms ?? (opts.action ? 9000 : 7000))
    if (key) this.keyed.set(key, { box, timer })
  }
}
