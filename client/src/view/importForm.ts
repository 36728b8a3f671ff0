// Landing page: import a `.cocanvas` archive as a new board, checked for size before upload.
import { t } from '../i18n'
import { ApiError, MAX_ARCHIVE_BYTES } from '../sync/rest'
import type { CreatedBoard } from './createForm'
import { h, uid } from './dom'

/** The import form; `done` gets the new board. */
export function importForm(
  importArchive: (file: File) => Promise<CreatedBoard>,
  done: (board: CreatedBoard) => void
): HTMLElement {
  const id = uid('archive')
  const input = h('input', {
    id,
    attrs: { type: 'file', name: 'archive', accept: '.cocanvas', 'aria-describedby': 'import-hint' }
  })
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
  const status = h('p', { class: 'hint', attrs: { role: 'status' } })
  const submit = h('button', { class: 'btn', text: t('landing.import.submit'), attrs: { type: 'submit' } })
  const f = h(
    'form',
    { class: 'card import-form', attrs: { 'aria-labelledby': 'import-h' } },
    h('h2', { id: 'import-h', text: t('landing.import') }),
    h('p', { id: 'import-hint', class: 'hint', text: t('landing.import.hint') }),
    h(
      'div',
      { class: 'form-row form-inline' },
      h('label', { text: t('landing.import.label'), attrs: { for: id } }),
      input,
      submit
    ),
    status,
    error
  )
  f.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const file = input.files?.[0]
    error.textContent = ''
    status.textContent = ''
    const problem = !file
      ? t('landing.import.nofile')
      : file.size === 0
        ? t('landing.import.empty')
        : file.size > MAX_ARCHIVE_BYTES
          ? t('landing.import.toolarge')
          : null
    if (problem || !file) {
      error.textContent = problem ?? ''
      input.focus()
      return
    }
    submit.disabled = true
    status.textContent = t('landing.import.busy')
    importArchive(file)
      .then((board) => done({ ...board, imported: true }))
      .catch((err: unknown) => {
        submit.disabled = false
        status.textContent = ''
        error.textContent = importError(err)
        input.focus()
      })
  })
  return f
}

/** Why an import failed, in words, with what to do next. */
function importError(err: unknown): string {
  if (!(err instanceof ApiError))
    return t('landing.import.failed', { message: err instanceof Error ? err.message : String(err) })
  switch (err.status) {
    case 0:
      return t('landing.error.network')
    case 400:
      return t('landing.import.invalid', { message: err.message })
    case 401:
      return t('landing.import.token')
    case 413:
      return t('landing.import.toolarge')
    case 429:
      return t('landing.import.ratelimit')
    default:
      return t('landing.import.failed', { message: err.message })
  }
}
