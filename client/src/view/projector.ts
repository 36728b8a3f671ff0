// The projector band (viewer links and the moderator's projector mode): large type, the
// current part, the shared timer, and how to join from a phone: a QR code of the
// participant link made from the short join code, and the code itself to type.
import { currentPart } from '../facilitation/timer'
import { t, tx } from '../i18n'
import { readAgenda, readOuterTimer, readTimer } from '../model/control'
import type { Ctx } from './actions'
import { clear, h, setText } from './dom'
import { qrSvg } from './qr'
import { TimerBar, type TimerBarOptions } from './timerbar'

/** The participant link that the join code opens (the server takes the code as a token). */
export function joinLink(origin: string, boardId: string, joinCode: string): string {
  return `${origin}/b/${encodeURIComponent(boardId)}#k=${joinCode.replace(/-/g, '')}`
}

// The address to type, with its scheme: the server's public URL when it has one (P242),
// else this page's origin. It opens a code prompt (/join), so it stays short.
let joinUrl: URL | null = null
const joinUrlChanged = new Set<() => void>()

/** Take the join address the server reported; anything but http(s) is ignored. */
export function setJoinUrl(url: string): void {
  try {
    const u = new URL(url)
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.href === joinUrl?.href) return
    joinUrl = u
    for (const fn of joinUrlChanged) fn()
  } catch {
    // not a URL: keep showing this page's origin
  }
}

function joinAddress(): { base: string; shown: string } {
  const u = joinUrl ?? new URL('/join', window.location.origin)
  return { base: u.origin, shown: `${u.origin}${u.pathname}` }
}

/** What `joinLine` shows, to tell whether it changed ('' without a join code). */
export function joinKey(code: string | null): string {
  return code ? `${code} ${joinAddress().shown}` : ''
}

/** The way to join in one line, for a pushed stage that covers the band: the address to
 * type and the code (people who come late still see how). Null without a join code. */
export function joinLine(code: string | null): HTMLElement | null {
  if (!code) return null
  const where = joinAddress()
  return h(
    'p',
    { class: 'stage-join' },
    `${t('projector.join')}: ${t('projector.url')} `,
    h('strong', { class: 'stage-join-url', text: where.shown }),
    ` ${t('projector.code')} `,
    h('strong', { class: 'join-code', text: code })
  )
}

export class ProjectorBand {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly timer: TimerBar
  private readonly part: HTMLElement
  private readonly subtitle: HTMLElement
  private readonly join: HTMLElement
  private shownCode: string | null = null

  /** `onExit`: the moderator's way back from projector mode (null on projector links). */
  constructor(ctx: Ctx, sound: Omit<TimerBarOptions, 'large'>, onExit: (() => void) | null = null) {
    this.ctx = ctx
    this.part = h('p', { class: 'projector-part' })
    this.subtitle = h('p', { class: 'projector-subtitle' })
    this.timer = new TimerBar(ctx, { ...sound, large: true })
    this.join = h('div', { class: 'projector-join' })
    this.el = h(
      'aside',
      { class: 'projector-band', id: 'projector-band', attrs: { 'aria-label': t('projector.label') } },
      this.part,
      this.subtitle,
      this.timer.el,
      this.join,
      onExit
        ? h('button', {
            class: 'btn btn-small projector-exit',
            text: t('projector.exit'),
            attrs: { type: 'button', 'data-projector': 'off' },
            on: { click: onExit }
          })
        : null
    )
    this.update()
    joinUrlChanged.add(this.onJoinUrl)
  }

  private readonly onJoinUrl = (): void => this.update()

  update(): void {
    const { canvas, board, fac } = this.ctx
    const partId = currentPart(
      canvas,
      readTimer(board.control),
      readAgenda(board.control),
      readOuterTimer(board.control)
    )
    const part = canvas.part(partId)
    setText(this.part, part ? t('projector.part', { id: part.id, label: tx(part.label) }) : tx(canvas.def.title))
    setText(this.subtitle, part ? tx(part.subtitle) : '')
    this.timer.update()
    const code = fac.joinCode
    const where = joinAddress()
    const shown = code ? `${code} ${where.shown}` : null
    if (shown === this.shownCode) return
    this.shownCode = shown
    clear(this.join)
    if (!code) return
    const link = joinLink(where.base, fac.boardId, code)
    this.join.append(
      h('h2', { class: 'projector-join-title', text: t('projector.join') }),
      h('figure', { class: 'projector-qr' }, qrSvg(link, t('projector.qr', { code }))),
      h(
        'p',
        { class: 'projector-url-line' },
        t('projector.url'),
        ' ',
        h('strong', { class: 'projector-url', text: where.shown })
      ),
      h(
        'p',
        { class: 'projector-code-line' },
        t('projector.code'),
        ' ',
        h('strong', { class: 'join-code', text: code })
      )
    )
  }

  destroy(): void {
    joinUrlChanged.delete(this.onJoinUrl)
    this.timer.destroy()
    this.el.remove()
  }
}
