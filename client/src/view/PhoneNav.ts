// On a phone the canvas shows one field at a time: a field picker with previous and next
// takes the place of pan and zoom, following the screen width as it changes.
import { PHONE_MAX_WIDTH } from '../config'
import { locale, t } from '../i18n'
import type { Ctx } from './actions'
import type { BoardCanvas } from './canvas'
import { h } from './dom'
import { toolButton } from './toolbar'

export class PhoneNav {
  readonly el: HTMLElement
  private readonly select: HTMLSelectElement
  private readonly canvas: BoardCanvas

  constructor(ctx: Ctx, canvas: BoardCanvas) {
    this.canvas = canvas
    this.select = h(
      'select',
      { attrs: { 'aria-label': t('toolbar.field') } },
      ...ctx.canvas
        .orderedFields()
        .map((f) => h('option', { text: `${f.id} ${f.label[locale()] || f.label.de}`, attrs: { value: f.id } }))
    )
    this.select.addEventListener('change', () => canvas.setPhoneField(this.select.value))
    this.el = h(
      'nav',
      { class: 'phone-nav', attrs: { 'aria-label': t('toolbar.field') } },
      toolButton(
        t('toolbar.field.prev'),
        () => {
          this.select.value = canvas.stepPhoneField(-1)
        },
        { text: '‹' }
      ),
      this.select,
      toolButton(
        t('toolbar.field.next'),
        () => {
          this.select.value = canvas.stepPhoneField(1)
        },
        { text: '›' }
      )
    )
  }

  /** The canvas changed the field shown (the moderator's focus): show its name. */
  sync(): void {
    this.select.value = this.canvas.currentPhoneField()
  }

  /** Follow the screen width from now on; returns the cleanup. */
  watch(): () => void {
    const mq = window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`)
    const onMq = (): void => this.setPhone(mq.matches, true)
    mq.addEventListener('change', onMq)
    this.setPhone(mq.matches, false)
    return () => mq.removeEventListener('change', onMq)
  }

  /** `changed`: the screen crossed the phone width; otherwise the page just opened, and
   * its first view is the app's to choose (showing all first would only make it jump). */
  private setPhone(on: boolean, changed: boolean): void {
    document.body.classList.toggle('phone', on)
    if (this.canvas.pz.enabled === on) {
      this.canvas.pz.enabled = !on
      this.canvas.pz.apply()
    }
    if (on) this.select.value = this.canvas.currentPhoneField()
    else if (changed) requestAnimationFrame(() => this.canvas.pz.fit())
  }
}
