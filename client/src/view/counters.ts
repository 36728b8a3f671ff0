// The moderator's live counters: "7 of 12 have written", during a vote "9 of 12 voted"
// (numbers from the server, P293), on each field's heading and in the moderator's field list.
import { fieldCount } from '../facilitation/counters'
import { tn } from '../i18n'
import { readVoting } from '../model/control'
import type { Ctx } from './actions'
import { h, setText } from './dom'

/** Where a field's counter goes in one view, or null while that view has no place for it. */
export type CounterSlot = (field: string) => Element | null

/** In the canvas: beside the badges of the field's heading (id `field-{id}-title`). */
export function headingSlot(root: HTMLElement): CounterSlot {
  return (field) =>
    root.querySelector(`[id="field-${field}-title"]`)?.closest('.field-title-row')?.querySelector('.field-badges') ??
    null
}

/** In the moderator's field list: after the field's name (`tr[data-field-row]`). */
export function rowSlot(root: HTMLElement): CounterSlot {
  return (field) => root.querySelector(`tr[data-field-row="${field}"] > th`)
}

export class FieldCounters {
  private readonly ctx: Ctx
  private readonly slots: CounterSlot[]
  private readonly badges = new Map<string, HTMLElement>()
  private readonly off: () => void

  constructor(ctx: Ctx, slots: CounterSlot[]) {
    this.ctx = ctx
    this.slots = slots
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
      this.slots.forEach((slot, i) => {
        const el = this.badge(slot, i, f.id)
        if (!el) return
        el.hidden = c === null
        el.dataset.kind = c?.kind ?? ''
        setText(el, c ? tn(`counts.${c.kind}`, c.n, { of: c.of }) : '')
      })
    }
  }

  destroy(): void {
    this.off()
    for (const el of this.badges.values()) el.remove()
  }

  private badge(slot: CounterSlot, i: number, field: string): HTMLElement | null {
    const key = `${i}:${field}`
    const known = this.badges.get(key)
    if (known?.isConnected) return known
    const place = slot(field)
    if (!place) return null
    const el = h('span', { class: 'field-counter', attrs: { 'data-counter': field } })
    place.append(el)
    this.badges.set(key, el)
    return el
  }
}
