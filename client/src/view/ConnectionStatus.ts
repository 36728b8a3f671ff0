// The connection in the header: a dot and a short word, the long form as a tooltip; and the
// alert with a reload button when the server closed the connection for good.
import { t } from '../i18n'
import type { Status } from '../sync/status'
import { CLOSE } from '../sync/vocab.gen'
import { h, setText } from './dom'

export class ConnectionStatus {
  readonly el: HTMLElement
  readonly fatal: HTMLElement
  private isOnline = false
  private readonly text: HTMLElement
  private readonly linkRotated: () => boolean

  constructor(linkRotated: () => boolean) {
    this.linkRotated = linkRotated
    this.text = h('span', { class: 'status-text' })
    this.el = h(
      'p',
      { class: 'conn', attrs: { role: 'status', 'aria-label': t('status.label') } },
      h('span', { class: 'conn-dot', attrs: { 'aria-hidden': 'true' } }),
      this.text
    )
    this.fatal = h('div', { class: 'fatal', hidden: true, attrs: { role: 'alert' } })
  }

  /** Synced or syncing: others' presence is current. */
  get online(): boolean {
    return this.isOnline
  }

  set(s: Status): void {
    this.isOnline = s.connection === 'synced' || s.connection === 'syncing'
    this.el.dataset.state = s.connection
    const long =
      s.connection === 'offline'
        ? t('status.offline')
        : s.connection === 'connecting'
          ? s.transient
            ? transientText(s.transient.code)
            : t('status.connecting')
          : s.connection === 'syncing'
            ? t('status.syncing')
            : t('status.synced')
    const short =
      s.connection === 'offline'
        ? t('status.offline.short')
        : s.connection === 'synced'
          ? t('status.synced.short')
          : long
    setText(this.text, short)
    this.el.title = s.localReady ? `${long} · ${t('status.local')}` : long
    if (s.fatal) this.showFatal(s.fatal.code)
  }

  showFatal(code: number): void {
    const rotated = code === CLOSE.FORBIDDEN && this.linkRotated()
    this.showFatalText(rotated ? t('error.rotated') : fatalText(code))
  }

  showFatalText(text: string): void {
    this.fatal.hidden = false
    this.fatal.replaceChildren(
      h('p', { text }),
      h('button', {
        class: 'btn btn-primary',
        text: t('app.reload'),
        attrs: { type: 'button' },
        on: { click: () => window.location.reload() }
      })
    )
  }
}

function fatalText(code: number): string {
  switch (code) {
    case CLOSE.BAD_MESSAGE:
      return t('error.4400')
    case CLOSE.UNAUTHORIZED:
      return t('error.4401')
    case CLOSE.FORBIDDEN:
      return t('error.4403')
    case CLOSE.BOARD_NOT_FOUND:
      return t('error.4404')
    case CLOSE.MESSAGE_TOO_BIG:
      return t('error.4413')
    case CLOSE.TOO_MANY_REQUESTS:
      return t('error.4429')
    default:
      return t('error.other', { code })
  }
}

function transientText(code: number): string {
  switch (code) {
    case CLOSE.SHUTTING_DOWN:
      return t('transient.4501')
    case CLOSE.SLOW_CONSUMER:
      return t('transient.4502')
    case CLOSE.ROOM_FULL:
      return t('transient.4503')
    case CLOSE.STORE_UNAVAILABLE:
      return t('transient.4504')
    case CLOSE.TOO_MANY_CONNECTIONS:
      return t('transient.4509')
    case CLOSE.CLIENT_ID_IN_USE:
      return t('transient.4510')
    default:
      return t('status.retry')
  }
}
