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
export function joinLink (origin: string, boardId: string, joinCode: string): string {
  return `${origin}/b/${encodeURIComponent(boardId)}#k=${joinCode.replace(/-/g, '')}`
}

export class ProjectorBand {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly timer: TimerBar
  private readonly part: HTMLElement
  private readonly subtitle: HTMLElement
  private readonly join: HTMLElement
  private shownCode: string | null = null

  constructor (ctx: Ctx, sound: Omit<TimerBarOptions, 'large'>) {
    this.ctx = ctx
    this.part = h('p', { class: 'projector-part' })
    this.subtitle = h('p', { class: 'projector-subtitle' })
    this.timer = new TimerBar(ctx, { ...sound, large: true })
    this.join = h('div', { class: 'projector-join' })
    this.el = h('aside', { class: 'projector-band', id: 'projector-band', attrs: { 'aria-label': t('projector.label') } },
      this.part, this.subtitle, this.timer.el, this.join)
    this.update()
  }

  update (): void {
    const { canvas, board, fac } = this.ctx
    const partId = currentPart(canvas, readTimer(board.control), readAgenda(board.control), readOuterTimer(board.control))
    const part = canvas.part(partId)
    setText(this.part, part ? t('projector.part', { id: part.id, label: tx(part.label) }) : tx(canvas.def.title))
    setText(this.subtitle, part ? tx(part.subtitle) : '')
    this.timer.update()
    const code = fac.joinCode
    if (code === this.shownCode) return
    this.shownCode = code
    clear(this.join)
    if (!code) return
    const link = joinLink(window.location.origin, fac.boardId, code)
    this.join.append(
      h('h2', { class: 'projector-join-title', text: t('projector.join') }),
      h('figure', { class: 'projector-qr' }, qrSvg(link, t('projector.qr', { code }))),
      h('p', { class: 'projector-code-line' }, t('projector.code'), ' ', h('strong', { class: 'join-code', text: code })),
      h('p', { class: 'projector-url', text: `${window.location.host}/b/${fac.boardId}` }))
  }

  destroy (): void {
    this.timer.destroy()
    this.el.remove()
  }
}
