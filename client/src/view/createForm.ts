// Landing page: the form that creates a board (title, canvas, language) and, once made, its
// four links with copy buttons and a QR code for the participant link.
import { LOCALES, type Locale, t, tx } from '../i18n'
import type { CanvasDef } from '../model/canvas'
import { h, uid } from './dom'
import { LINK_ROLES, linkRow } from './links'
import { qrSvg } from './qr'

export interface CreatedBoard {
  id: string
  title: string
  links: { moderator: string; participant: string; viewer: string; projector: string }
  /** Made from an archive rather than created empty. */
  imported?: boolean
}

/** What was typed into the form, kept when the page is drawn again (a language switch). */
export interface BoardDraft {
  title: string
  canvas: string
  locale: Locale
}

export type CreateBoard = (body: { canvas: string; title: string; locale: Locale }) => Promise<CreatedBoard>

/** The creation form; `done` gets the new board. */
export function createForm(
  canvases: CanvasDef[],
  draft: BoardDraft,
  createBoard: CreateBoard,
  done: (board: CreatedBoard) => void
): HTMLElement {
  const titleId = uid('title')
  const canvasId = uid('canvas')
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
  const titleInput = h('input', {
    id: titleId,
    attrs: {
      name: 'title',
      required: true,
      maxlength: 200,
      autocomplete: 'off',
      placeholder: t('landing.form.title.placeholder'),
      value: draft.title
    }
  })
  const canvasSelect = h(
    'select',
    { id: canvasId, attrs: { name: 'canvas' } },
    ...canvases.map((c) => h('option', { text: tx(c.title), attrs: { value: c.id, selected: c.id === draft.canvas } }))
  )
  const localeBox = h(
    'fieldset',
    { class: 'radios' },
    h('legend', { text: t('landing.form.locale') }),
    ...LOCALES.map((l) =>
      h(
        'label',
        { class: 'radio' },
        h('input', { attrs: { type: 'radio', name: 'locale', value: l, checked: l === draft.locale } }),
        t(`lang.${l}`)
      )
    )
  )
  const submit = h('button', { class: 'btn btn-primary', text: t('landing.form.submit'), attrs: { type: 'submit' } })
  const f = h(
    'form',
    { class: 'card create-form', attrs: { 'aria-labelledby': 'create-h' } },
    h('h2', { id: 'create-h', text: t('landing.create') }),
    h('div', { class: 'form-row' }, h('label', { text: t('landing.form.title'), attrs: { for: titleId } }), titleInput),
    h(
      'div',
      { class: 'form-row' },
      h('label', { text: t('landing.form.canvas'), attrs: { for: canvasId } }),
      canvasSelect
    ),
    localeBox,
    error,
    submit
  )
  f.addEventListener('input', () => {
    const data = new FormData(f)
    draft.title = String(data.get('title') ?? '')
    draft.canvas = String(data.get('canvas') ?? draft.canvas)
    draft.locale = data.get('locale') === 'en' ? 'en' : 'de'
  })
  f.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const data = new FormData(f)
    const title = String(data.get('title') ?? '').trim()
    if (!title) {
      titleInput.focus()
      return
    }
    submit.disabled = true
    submit.textContent = t('landing.form.busy')
    error.textContent = ''
    createBoard({ title, canvas: String(data.get('canvas')), locale: data.get('locale') === 'en' ? 'en' : 'de' })
      .then(done)
      .catch((err: unknown) => {
        submit.disabled = false
        submit.textContent = t('landing.form.submit')
        error.textContent =
          err instanceof TypeError
            ? t('landing.error.network')
            : t('landing.error', { message: err instanceof Error ? err.message : String(err) })
      })
  })
  return f
}

/** The links of a board just made or imported. */
export function createdResult(board: CreatedBoard): HTMLElement {
  const rows = LINK_ROLES.map((role) => linkRow(role, board.links[role]))
  const qr = h(
    'figure',
    { class: 'qr-box' },
    qrSvg(board.links.participant, t('landing.qr.alt')),
    h('figcaption', { text: t('landing.qr') })
  )
  return h(
    'section',
    { class: 'card result', attrs: { 'aria-labelledby': 'result-h' } },
    h('h2', {
      id: 'result-h',
      text: t(board.imported ? 'landing.imported' : 'landing.created', { title: board.title }),
      attrs: { tabindex: -1, dir: 'auto' }
    }),
    h('p', { class: 'hint', text: t('landing.links.hint') }),
    h(
      'div',
      { class: 'result-grid' },
      h('ul', { class: 'links', attrs: { 'aria-label': t('landing.links') } }, ...rows),
      qr
    )
  )
}
