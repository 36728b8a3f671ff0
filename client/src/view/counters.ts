// The moderator's live counters on each field's heading: "7 of 12 have written", during a
// vote "9 of 12 voted" (numbers from the server, P293).
import { fieldCount } from '../facilitation/counters'
import { t } from '../i18n'
import { readVoting } from '../model/control'
import type { Ctx } from './actions'
import { h, setText } from './dom'

export class FieldCounters {
  private readonly ctx: Ctx
  private readonly root: HTMLElement
  private readonly badges = new Map<string, HTMLElement>()
  private readonly off: () => void

  /** `root` holds the fields (their headings have ids `field-{id}-title`). */
  constructor(ctx: Ctx, root: HTMLElement) {
    this.ctx = ctx
    this.root = root
    this.off = ctx.fac.counts.changed.on(() => this.render())
    this.render()
  }

  /** Counts or the vote changed. */
  render(): void {
    const counts = this.ctx.fac.counts.get()
    const voting = readVoting(this.ctx.board.control)
    const voted = voting.state === 'open' ? voting.fields : []
    for (const f of this.ctx.canvas.orderedFields()) {
      const c = fieldCount(counts, f.id, voted)
      const el = this.badge(f.id)
      if (!el) continue
      el.hidden = c === null
      el.dataset.kind = c?.kind ?? ''
      setText(el, c ? t(`counts.${c.kind}`, { n: c.n, of: c.of }) : '')
    }
  }

  destroy(): void {
    this.off()
    for (const el of this.badges.values()) el.remove()
  }

  private badge(field: string): HTMLElement | null {
    const known = this.badges.get(field)
    if (known?.isConnected) return known
    const row = this.root.querySelector(`[id="field-${field}-title"]`)?.closest('.field-title-row')
    const slot = row?.querySelector('.field-badges')
    if (!slot) return null
    const el = h('span', { class: 'field-counter', attrs: { 'data-counter': field } })
    slot.append(el)
    this.badges.set(field, el)
    return el
  }
}
