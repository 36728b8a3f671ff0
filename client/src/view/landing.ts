// The landing page: join with a code or a link; create a board (title, canvas, language),
// then show its four links with copy buttons and a QR code for the participant link;
// "Meine Boards" made on this device. At /join only the code field (the projector's URL).
import { type Locale, LOCALES, onLocale, setLocale, t, locale, tx } from '../i18n'
import type { CanvasDef } from '../model/canvas'
import { ApiError, MAX_ARCHIVE_BYTES } from '../sync/rest'
import { parseJoinInput } from '../model/joincode'
import { deviceStorage, forgetBoard, type MyBoard, readMyBoards, rememberBoard } from '../model/myboards'
import { clear, h, uid } from './dom'
import { LINK_ROLES, type LinkRole, linkRow } from './links'
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
  /** The board a join code opens (P240); rejects with an ApiError. */
  findBoard: (code: string) => Promise<string>
}

export function mountLanding (root: HTMLElement, deps: LandingDeps): void {
  let created: CreatedBoard | null = null
  let draft = { title: '', canvas: deps.canvases[0]?.id ?? 'ko-kreation', locale: locale() as Locale }

  const standalone = window.location.pathname === '/join'
  const render = (): void => {
    clear(root)
    const main = standalone
      ? h('main', { id: 'main', class: 'landing landing-join' }, joinForm(true), h('p', {}, h('a', { text: t('joincode.home'), attrs: { href: '/' } })))
      : h('main', { id: 'main', class: 'landing' }, intro(), joinForm(false), created ? result(created) : form(), myBoards(), importForm())
    root.append(header(), main, footer())
  }

  /** A board made here goes into "Meine Boards" at once, with all its links. */
  const remember = (board: CreatedBoard): void => {
    rememberBoard(deviceStorage(), { id: board.id, title: board.title, savedAt: Date.now(), links: board.links })
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
          remember(board)
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

  // one field for the code from the projector or a pasted link (P240)
  const joinForm = (standalone: boolean): HTMLElement => {
    const id = uid('join')
    const hintId = uid('join-hint')
    const input = h('input', {
      id,
      attrs: { type: 'text', name: 'join', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 2048, placeholder: 'ABCD-2345', 'aria-describedby': hintId }
    })
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    const submit = h('button', { class: 'btn btn-primary', text: t('landing.join.submit'), attrs: { type: 'submit' } })
    const heading = standalone ? h('h1', { id: 'join-h', text: t('joincode.title') }) : h('h2', { id: 'join-h', text: t('landing.join') })
    const f = h('form', { class: 'card join-form', attrs: { 'aria-labelledby': 'join-h' } },
      heading,
      h('div', { class: 'form-row form-inline' }, h('label', { text: t('landing.join.label'), attrs: { for: id } }), input, submit),
      h('p', { id: hintId, class: 'hint', text: t('landing.join.hint') }), error)
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
        deps.findBoard(parsed.code)
          .then((board) => window.location.assign(`/b/${encodeURIComponent(board)}#k=${parsed.code}`))
          .catch((err: unknown) => fail(joinError(err)))
      }
    })
    if (standalone) queueMicrotask(() => input.focus())
    return f
  }

  // the rows are made when opened: the page holds each link once until someone asks
  const linksOnDemand = (b: MyBoard, roles: LinkRole[]): HTMLElement => {
    const list = h('ul', { class: 'links' })
    const box = h('details', { class: 'myboard-links' }, h('summary', { text: t('myboards.links') }), list)
    box.addEventListener('toggle', () => {
      if (box.open && !list.firstChild) list.append(...roles.map((role) => linkRow(role, b.links[role] ?? '')))
    })
    return box
  }

  const myBoards = (): HTMLElement => {
    const list = readMyBoards(deviceStorage())
    const status = h('p', { id: 'myboards-status', class: 'hint', attrs: { role: 'status' } })
    const items = list.map((b) => {
      const title = b.title || b.id
      const open = b.links.moderator
      const roles = LINK_ROLES.filter((role) => b.links[role])
      const remove = h('button', {
        class: 'btn btn-ghost',
        text: t('myboards.remove'),
        attrs: { type: 'button', 'aria-label': t('myboards.remove.label', { title }), 'data-forget': b.id },
        on: {
          click: () => {
            forgetBoard(deviceStorage(), b.id)
            render()
            const said = document.getElementById('myboards-status')
            if (said) said.textContent = t('myboards.removed', { title })
            document.getElementById('myboards-h')?.focus()
          }
        }
      })
      return h('li', { class: 'myboard', attrs: { 'data-board': b.id } },
        h('div', { class: 'myboard-head' },
          h('h3', { class: 'myboard-title', text: title, attrs: { dir: 'auto' } }),
          b.savedAt ? h('p', { class: 'hint myboard-date', text: t('myboards.date', { date: new Date(b.savedAt).toLocaleDateString(locale(), { day: 'numeric', month: 'long', year: 'numeric' }) }) }) : null,
          h('div', { class: 'myboard-tools' },
            open ? h('a', { class: 'btn', text: t('myboards.open'), attrs: { href: open, 'aria-label': t('myboards.open.label', { title }) } }) : null,
            remove)),
        roles.length ? linksOnDemand(b, roles) : null)
    })
    return h('section', { class: 'card my-boards', attrs: { 'aria-labelledby': 'myboards-h' } },
      h('h2', { id: 'myboards-h', text: t('myboards.title'), attrs: { tabindex: -1 } }),
      h('p', { class: 'hint', text: t('myboards.hint') }),
      items.length ? h('ul', { class: 'myboards-list' }, ...items) : h('p', { class: 'myboards-empty', text: t('myboards.empty') }),
      status)
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
          remember(board)
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

/** Why a code did not open a board, and what to do. */
function joinError (err: unknown): string {
  if (!(err instanceof ApiError)) return t('landing.error.network')
  switch (err.status) {
    case 0: return t('landing.error.network')
    case 404: return t('landing.join.unknown')
    case 429: return t('landing.join.ratelimit')
    default: return t('landing.join.invalid')
  }
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
