// The landing page: create a board (title, canvas, language), then show its four links
// with copy buttons and a QR code for the participant link; or open an existing link.
import { type Locale, LOCALES, onLocale, setLocale, t, locale, tx } from '../i18n'
import type { CanvasDef } from '../model/canvas'
import { ApiError, MAX_ARCHIVE_BYTES } from '../sync/rest'
import { clear, h, uid } from './dom'
import { LINK_ROLES, linkRow } from './links'
import { qrSvg } from './qr'

export interface CreatedBoard {
  id: string
  title: string
  links: { moderator: string, participant: string, viewer: string, projector: string }
  /** Made from an archive rather than created empty. */
  imported?: boolean
}

export interface LandingDeps {
  canvases: CanvasDef[]
  createBoard: (body: { canvas: string, title: string, locale: Locale }) => Promise<CreatedBoard>
  importArchive: (file: File) => Promise<CreatedBoard>
}

export function mountLanding (root: HTMLElement, deps: LandingDeps): void {
  let created: CreatedBoard | null = null
  let draft = { title: '', canvas: deps.canvases[0]?.id ?? 'ko-kreation', locale: locale() as Locale }

  const render = (): void => {
    clear(root)
    root.append(header(), h('main', { id: 'main', class: 'landing' }, intro(), created ? result(created) : form(), joinForm(), importForm()), footer())
  }

  const header = (): HTMLElement => {
    const select = h('select', { id: 'ui-lang', on: { change: (e) => setLocale((e.target as HTMLSelectElement).value as Locale, true) } },
      ...LOCALES.map((l) => h('option', { text: t(`lang.${l}`), attrs: { value: l, selected: l === locale() } })))
    return h('header', { class: 'topbar topbar-landing' },
      h('p', { class: 'brand' }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), t('app.name')),
      h('div', { class: 'lang-switch' }, h('label', { text: t('lang.label'), attrs: { for: 'ui-lang' } }), select))
  }

  const intro = (): HTMLElement => h('section', { class: 'intro' },
    h('h1', { text: t('landing.title') }),
    h('p', { class: 'lead', text: t('landing.lead') }))

  const form = (): HTMLElement => {
    const titleId = uid('title')
    const canvasId = uid('canvas')
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    const titleInput = h('input', { id: titleId, attrs: { name: 'title', required: true, maxlength: 200, autocomplete: 'off', placeholder: t('landing.form.title.placeholder'), value: draft.title } })
    const canvasSelect = h('select', { id: canvasId, attrs: { name: 'canvas' } },
      ...deps.canvases.map((c) => h('option', { text: tx(c.title), attrs: { value: c.id, selected: c.id === draft.canvas } })))
    const localeBox = h('fieldset', { class: 'radios' }, h('legend', { text: t('landing.form.locale') }),
      ...LOCALES.map((l) => h('label', { class: 'radio' },
        h('input', { attrs: { type: 'radio', name: 'locale', value: l, checked: l === draft.locale } }), t(`lang.${l}`))))
    const submit = h('button', { class: 'btn btn-primary', text: t('landing.form.submit'), attrs: { type: 'submit' } })
    const f = h('form', { class: 'card create-form', attrs: { 'aria-labelledby': 'create-h' } },
      h('h2', { id: 'create-h', text: t('landing.create') }),
      h('div', { class: 'form-row' }, h('label', { text: t('landing.form.title'), attrs: { for: titleId } }), titleInput),
      h('div', { class: 'form-row' }, h('label', { text: t('landing.form.canvas'), attrs: { for: canvasId } }), canvasSelect),
      localeBox, error, submit)
    f.addEventListener('input', () => {
      const data = new FormData(f)
      draft = { title: String(data.get('title') ?? ''), canvas: String(data.get('canvas') ?? draft.canvas), locale: (data.get('locale') === 'en' ? 'en' : 'de') }
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
      deps.createBoard({ title, canvas: String(data.get('canvas')), locale: data.get('locale') === 'en' ? 'en' : 'de' })
        .then((board) => {
          created = board
          render()
          document.getElementById('result-h')?.focus()
        })
        .catch((err: unknown) => {
          submit.disabled = false
          submit.textContent = t('landing.form.submit')
          error.textContent = err instanceof TypeError
            ? t('landing.error.network')
            : t('landing.error', { message: err instanceof Error ? err.message : String(err) })
        })
    })
    return f
  }

  const result = (board: CreatedBoard): HTMLElement => {
    const rows = LINK_ROLES.map((role) => linkRow(role, board.links[role]))
    const qr = h('figure', { class: 'qr-box' },
      qrSvg(board.links.participant, t('landing.qr.alt')),
      h('figcaption', { text: t('landing.qr') }))
    return h('section', { class: 'card result', attrs: { 'aria-labelledby': 'result-h' } },
      h('h2', { id: 'result-h', text: t(board.imported ? 'landing.imported' : 'landing.created', { title: board.title }), attrs: { tabindex: -1, dir: 'auto' } }),
      h('p', { class: 'hint', text: t('landing.links.hint') }),
      h('div', { class: 'result-grid' }, h('ul', { class: 'links', attrs: { 'aria-label': t('landing.links') } }, ...rows), qr))
  }

  const joinForm = (): HTMLElement => {
    const id = uid('join')
    const input = h('input', { id, attrs: { type: 'url', name: 'link', autocomplete: 'off', spellcheck: 'false' } })
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    const f = h('form', { class: 'card join-form', attrs: { 'aria-labelledby': 'join-h' } },
      h('h2', { id: 'join-h', text: t('landing.join') }),
      h('div', { class: 'form-row form-inline' }, h('label', { text: t('landing.join.label'), attrs: { for: id } }), input,
        h('button', { class: 'btn', text: t('landing.join.submit'), attrs: { type: 'submit' } })), error)
    f.addEventListener('submit', (ev) => {
      ev.preventDefault()
      try {
        const u = new URL(input.value.trim(), window.location.href)
        if (u.origin === window.location.origin && /^\/b\/[A-Za-z0-9_-]{6,64}$/.test(u.pathname) && u.hash.includes('k=')) {
          window.location.assign(u.href)
          return
        }
      } catch {
        // falls through to the message below
      }
      error.textContent = t('landing.join.invalid')
    })
    return f
  }

  const importForm = (): HTMLElement => {
    const id = uid('archive')
    const input = h('input', { id, attrs: { type: 'file', name: 'archive', accept: '.cocanvas', 'aria-describedby': 'import-hint' } })
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    const status = h('p', { class: 'hint', attrs: { role: 'status' } })
    const submit = h('button', { class: 'btn', text: t('landing.import.submit'), attrs: { type: 'submit' } })
    const f = h('form', { class: 'card import-form', attrs: { 'aria-labelledby': 'import-h' } },
      h('h2', { id: 'import-h', text: t('landing.import') }),
      h('p', { id: 'import-hint', class: 'hint', text: t('landing.import.hint') }),
      h('div', { class: 'form-row form-inline' }, h('label', { text: t('landing.import.label'), attrs: { for: id } }), input, submit),
      status, error)
    f.addEventListener('submit', (ev) => {
      ev.preventDefault()
      const file = input.files?.[0]
      error.textContent = ''
      status.textContent = ''
      const problem = !file ? t('landing.import.nofile') : file.size === 0 ? t('landing.import.empty') : file.size > MAX_ARCHIVE_BYTES ? t('landing.import.toolarge') : null
      if (problem || !file) {
        error.textContent = problem ?? ''
        input.focus()
        return
      }
      submit.disabled = true
      status.textContent = t('landing.import.busy')
      deps.importArchive(file)
        .then((board) => {
          created = { ...board, imported: true }
          render()
          document.getElementById('result-h')?.focus()
        })
        .catch((err: unknown) => {
          submit.disabled = false
          status.textContent = ''
          error.textContent = importError(err)
          input.focus()
        })
    })
    return f
  }

  const footer = (): HTMLElement => h('footer', { class: 'footer' }, h('p', { text: t('landing.about') }))

  onLocale(render)
  render()
}

/** Why an import failed, in words, with what to do next. */
function importError (err: unknown): string {
  if (!(err instanceof ApiError)) return t('landing.import.failed', { message: err instanceof Error ? err.message : String(err) })
  switch (err.status) {
    case 0: return t('landing.error.network')
    case 400: return t('landing.import.invalid', { message: err.message })
    case 401: return t('landing.import.token')
    case 413: return t('landing.import.toolarge')
    case 429: return t('landing.import.ratelimit')
    default: return t('landing.import.failed', { message: err.message })
  }
}
