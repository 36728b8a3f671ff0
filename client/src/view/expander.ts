// "More" under a note whose text does not fit: the full text is one click away. Overflow is
// read for all queued notes in one animation frame, so a board of notes costs one layout.
import { t } from '../i18n'
import { h } from './dom'

const queued = new Set<Expander>()
let frame = 0

function flush (): void {
  frame = 0
  const list = [...queued]
  queued.clear()
  const over = list.map((x) => x.overflows())
  for (const [i, x] of list.entries()) x.show(over[i] === true)
}

export class Expander {
  readonly button: HTMLButtonElement
  private readonly note: HTMLElement
  private readonly text: HTMLElement

  constructor (note: HTMLElement, text: HTMLElement) {
    this.note = note
    this.text = text
    this.button = h('button', {
      class: 'note-more',
      hidden: true,
      attrs: { type: 'button', 'aria-expanded': 'false' },
      text: t('note.more')
    })
    this.button.addEventListener('click', () => this.toggle())
  }

  /** Look again at the next frame (the text or the field's view changed). */
  check (): void {
    queued.add(this)
    if (!frame && typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(flush)
  }

  overflows (): boolean {
    if (!this.note.isConnected) return false
    return this.note.classList.contains('expanded') || this.text.scrollHeight > this.text.clientHeight + 2
  }

  show (on: boolean): void {
    this.button.hidden = !on
  }

  private toggle (): void {
    const open = !this.note.classList.contains('expanded')
    this.note.classList.toggle('expanded', open)
    this.button.setAttribute('aria-expanded', String(open))
    this.button.textContent = t(open ? 'note.less' : 'note.more')
    this.check()
  }
}
