// A full-page message when there is no board to show.
import { t } from '../i18n'
import { normalizeJoinCode } from '../model/joincode'
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

/** A board address without its key (the projector's URL, or a code that did not work):
 * ask for the short join code, with an error only when there was one (`problem`). */
export function showJoinCode (root: HTMLElement, problem?: string): void {
  clear(root)
  const id = uid('code')
  const hintId = uid('code-hint')
  const input = h('input', { id, attrs: { type: 'text', name: 'join-code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 20, placeholder: 'ABCD-2345', 'aria-describedby': hintId } })
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' }, text: problem ?? '' })
  const form = h('form', { class: 'card join-code-form' },
    h('div', { class: 'form-row' }, h('label', { text: t('joincode.label'), attrs: { for: id } }), input),
    h('p', { id: hintId, class: 'hint', text: t('joincode.hint') }),
    error,
    h('button', { class: 'btn btn-primary', text: t('joincode.submit'), attrs: { type: 'submit' } }))
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const code = normalizeJoinCode(input.value)
    if (!code) {
      error.textContent = t('joincode.invalid')
      input.focus()
      return
    }
    window.location.hash = `k=${code}`
    window.location.reload()
  })
  root.append(h('main', { class: 'error-page join-page', id: 'main' },
    h('h1', { text: t('joincode.title') }),
    h('p', { text: t('joincode.lead') }),
    form,
    h('p', {}, h('a', { text: t('joincode.home'), attrs: { href: '/' } }))))
  input.focus()
}
