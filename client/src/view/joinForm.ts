// Landing page: one field for the code from the projector or a pasted link (P240). At /join
// it is the whole page (the projector's URL).
import { t } from '../i18n'
import { parseJoinInput } from '../model/joincode'
import { ApiError } from '../sync/rest'
import { h, uid } from './dom'

/** The join form; `findBoard` names the board a code opens (rejects with an ApiError). */
export function joinForm(standalone: boolean, findBoard: (code: string) => Promise<string>): HTMLElement {
  const id = uid('join')
  const hintId = uid('join-hint')
  const input = h('input', {
    id,
    attrs: {
      type: 'text',
      name: 'join',
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      maxlength: 2048,
      placeholder: 'ABCD-2345',
      'aria-describedby': hintId
    }
  })
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
  const submit = h('button', { class: 'btn btn-primary', text: t('landing.join.submit'), attrs: { type: 'submit' } })
  const heading = standalone
    ? h('h1', { id: 'join-h', text: t('joincode.title') })
    : h('h2', { id: 'join-h', text: t('landing.join') })
  const f = h(
    'form',
    { class: 'card join-form', attrs: { 'aria-labelledby': 'join-h' } },
    heading,
    h(
      'div',
      { class: 'form-row form-inline' },
      h('label', { text: t('landing.join.label'), attrs: { for: id } }),
      input,
      submit
    ),
    h('p', { id: hintId, class: 'hint', text: t('landing.join.hint') }),
    error
  )
  const fail = (message: string): void => {
    error.textContent = message
    submit.disabled = false
    input.focus()
  }
  f.addEventListener('submit', (ev) => {
    ev.preventDefault()
    error.textContent = ''
    const parsed = parseJoinInput(input.value, new URL(window.location.href))
    if (parsed.kind === 'link') {
      window.location.assign(parsed.href)
    } else if (parsed.kind === 'elsewhere') {
      fail(t('landing.join.elsewhere', { host: parsed.host }))
    } else if (parsed.kind === 'invalid') {
      fail(t('landing.join.invalid'))
    } else {
      submit.disabled = true
      findBoard(parsed.code)
        .then((board) => window.location.assign(`/b/${encodeURIComponent(board)}#k=${parsed.code}`))
        .catch((err: unknown) => fail(joinError(err)))
    }
  })
  if (standalone) queueMicrotask(() => input.focus())
  return f
}

/** Why a code did not open a board, and what to do. */
function joinError(err: unknown): string {
  if (!(err instanceof ApiError)) return t('landing.error.network')
  switch (err.status) {
    case 0:
      return t('landing.error.network')
    case 404:
      return t('landing.join.unknown')
    case 429:
      return t('landing.join.ratelimit')
    default:
      return t('landing.join.invalid')
  }
}
