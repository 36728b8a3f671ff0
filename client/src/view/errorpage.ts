// A full-page message when there is no board to show.
import { t } from '../i18n'
import { clear, h, uid } from './dom'

export function showError (root: HTMLElement, message: string, reload = false): void {
  clear(root)
  root.append(h('main', { class: 'error-page', id: 'main' },
    h('h1', { text: t('error.title') }),
    h('p', { attrs: { role: 'alert' }, text: message }),
    reload ? h('button', { class: 'btn btn-primary', text: t('app.reload'), attrs: { type: 'button' }, on: { click: () => window.location.reload() } }) : null,
    h('p', {}, h('a', { text: t('app.name'), attrs: { href: '/' } }))))
}

export function showLoading (root: HTMLElement): void {
  clear(root)
  root.append(h('p', { class: 'loading', attrs: { role: 'status' }, text: t('app.loading') }))
}

/** A board address without its key: ask for the short join code shown on the projector. */
export function showJoinCode (root: HTMLElement, message: string): void {
  clear(root)
  const id = uid('code')
  const input = h('input', { id, attrs: { type: 'text', name: 'join-code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 12, placeholder: 'ABCD-2345' } })
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
  const form = h('form', { class: 'card join-code-form' },
    h('div', { class: 'form-row' }, h('label', { text: t('joincode.label'), attrs: { for: id } }), input),
    error,
    h('button', { class: 'btn btn-primary', text: t('joincode.submit'), attrs: { type: 'submit' } }))
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const code = input.value.toUpperCase().replace(/[^A-Z0-9]/g, '')
    if (code.length !== 8) {
      error.textContent = t('joincode.invalid')
      input.focus()
      return
    }
    window.location.hash = `k=${code}`
    window.location.reload()
  })
  root.append(h('main', { class: 'error-page', id: 'main' },
    h('h1', { text: t('joincode.title') }),
    h('p', { text: message }),
    form,
    h('p', {}, h('a', { text: t('app.name'), attrs: { href: '/' } }))))
}
