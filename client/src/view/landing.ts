// The landing page: join with a code or a link (joinForm.ts); create a board (createForm.ts)
// or import one (importForm.ts), then show its links; "Meine Boards" made on this device
// (myBoardsList.ts). At /join only the code field (the projector's URL).
import { LOCALES, type Locale, locale, onLocale, setLocale, t } from '../i18n'
import type { CanvasDef } from '../model/canvas'
import { deviceStorage, rememberBoard } from '../model/myboards'
import { type BoardDraft, type CreateBoard, type CreatedBoard, createdResult, createForm } from './createForm'
import { clear, h } from './dom'
import { importForm } from './importForm'
import { joinForm } from './joinForm'
import { myBoardsList } from './myBoardsList'

export interface LandingDeps {
  canvases: CanvasDef[]
  createBoard: CreateBoard
  importArchive: (file: File) => Promise<CreatedBoard>
  /** The board a join code opens (P240); rejects with an ApiError. */
  findBoard: (code: string) => Promise<string>
}

export function mountLanding(root: HTMLElement, deps: LandingDeps): void {
  let created: CreatedBoard | null = null
  const draft: BoardDraft = { title: '', canvas: deps.canvases[0]?.id ?? 'ko-kreation', locale: locale() as Locale }

  const standalone = window.location.pathname === '/join'
  const render = (): void => {
    clear(root)
    const main = standalone
      ? h(
          'main',
          { id: 'main', class: 'landing landing-join' },
          joinForm(true, deps.findBoard),
          h('p', {}, h('a', { text: t('joincode.home'), attrs: { href: '/' } }))
        )
      : h(
          'main',
          { id: 'main', class: 'landing' },
          intro(),
          joinForm(false, deps.findBoard),
          created ? createdResult(created) : createForm(deps.canvases, draft, deps.createBoard, made),
          myBoardsList(render),
          importForm(deps.importArchive, made)
        )
    root.append(header(), main, footer())
  }

  /** A board made here goes into "Meine Boards" at once, with all its links. */
  const remember = (board: CreatedBoard): void => {
    rememberBoard(deviceStorage(), { id: board.id, title: board.title, savedAt: Date.now(), links: board.links })
  }

  const made = (board: CreatedBoard): void => {
    created = board
    remember(board)
    render()
    document.getElementById('result-h')?.focus()
  }

  const header = (): HTMLElement => {
    const select = h(
      'select',
      { id: 'ui-lang', on: { change: (e) => setLocale((e.target as HTMLSelectElement).value as Locale, true) } },
      ...LOCALES.map((l) => h('option', { text: t(`lang.${l}`), attrs: { value: l, selected: l === locale() } }))
    )
    return h(
      'header',
      { class: 'topbar topbar-landing' },
      h('p', { class: 'brand' }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), t('app.name')),
      h('div', { class: 'lang-switch' }, h('label', { text: t('lang.label'), attrs: { for: 'ui-lang' } }), select)
    )
  }

  const intro = (): HTMLElement =>
    h(
      'section',
      { class: 'intro' },
      h('h1', { text: t('landing.title') }),
      h('p', { class: 'lead', text: t('landing.lead') })
    )

  const footer = (): HTMLElement => h('footer', { class: 'footer' }, h('p', { text: t('landing.about') }))

  onLocale(render)
  render()
}
