// The header on a phone: one row (title, timer, connection, search, menu); the toolbar opens
// from the menu button, and the lines under the header (vote, notices, the moderator's
// focus) fold into one line with a button to show them whole.
import { t } from '../i18n'
import { h } from './dom'

const TOOLS_ID = 'board-tools'
const BANNERS_ID = 'board-banners'

export class PhoneHeader {
  /** Opens and closes the toolbar (shown on phones only). */
  readonly menu: HTMLButtonElement
  /** The lines under the header, folded on phones. */
  readonly banners: HTMLElement
  private readonly header: HTMLElement
  private readonly more: HTMLButtonElement

  constructor(header: HTMLElement, toolbar: HTMLElement, lines: Array<HTMLElement | null>) {
    this.header = header
    toolbar.id = TOOLS_ID
    this.menu = h('button', {
      class: 'btn btn-small phone-menu',
      text: t('phone.menu'),
      attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': TOOLS_ID },
      on: { click: () => this.setMenu(!this.header.classList.contains('menu-open')) }
    })
    this.more = h('button', {
      class: 'btn btn-small btn-ghost banners-more',
      attrs: {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': BANNERS_ID,
        'aria-label': t('phone.banners.more')
      },
      text: '▾',
      on: { click: () => this.setExpanded(this.banners.classList.contains('folded')) }
    })
    const list = h('div', { class: 'banners-list', id: BANNERS_ID }, ...lines)
    this.banners = h('div', { class: 'banners folded' }, list, this.more)
    // a tap on the words of a folded line unfolds it; its buttons work as they are
    list.addEventListener('click', (e) => {
      const onControl = e.target instanceof Element && e.target.closest('button, a, input, select') !== null
      if (onControl || !document.body.classList.contains('phone')) return
      if (this.banners.classList.contains('folded')) this.setExpanded(true)
    })
    toolbar.addEventListener('click', (e) => {
      // a tool that was used closes the menu again, so the board gets its room back
      if (e.target instanceof Element && e.target.closest('button') && document.body.classList.contains('phone'))
        requestAnimationFrame(() => this.setMenu(false))
    })
  }

  setMenu(open: boolean): void {
    this.header.classList.toggle('menu-open', open)
    this.menu.setAttribute('aria-expanded', String(open))
  }

  setExpanded(open: boolean): void {
    this.banners.classList.toggle('folded', !open)
    this.more.setAttribute('aria-expanded', String(open))
    this.more.setAttribute('aria-label', t(open ? 'phone.banners.less' : 'phone.banners.more'))
    this.more.textContent = open ? '▴' : '▾'
  }
}
