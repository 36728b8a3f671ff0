// Moderator: the agenda with planned versus actual time, editable as a draft (labels, minutes,
// order, breaks) and saved at once; each item can start its timer.
import { agendaLabel, agendaRows, formatClock } from '../facilitation/timer'
import { t } from '../i18n'
import { type AgendaItem, readAgenda, type TimerState } from '../model/control'
import type { AgendaItemInput } from '../sync/appTypes'
import type { Ctx } from './actions'
import { clear, h, setText } from './dom'
import { button } from './modkit'

interface DraftItem extends AgendaItemInput {
  kind: string
}

/** What the agenda needs of the timer section around it. */
export interface AgendaHost {
  /** Start the timer of an agenda item. */
  start(target: string, seconds: number): Promise<void>
  /** The shown items changed: the timer targets follow. */
  itemsShown(): void
  /** Refresh the timer status and the actual times. */
  tick(): void
}

export class ModAgenda {
  /** The agenda's part of the time section, in order. */
  readonly els: HTMLElement[]
  private readonly ctx: Ctx
  private readonly host: AgendaHost
  private readonly agendaBody: HTMLTableSectionElement
  private readonly agendaTotal: HTMLElement
  private readonly agendaButtons: HTMLElement
  private draft: DraftItem[] | null = null
  private shownSignature = ''
  private readonly cells = new Map<string, { actual: HTMLElement; status: HTMLElement }>()

  constructor(ctx: Ctx, host: AgendaHost) {
    this.ctx = ctx
    this.host = host
    this.agendaBody = h('tbody', {})
    this.agendaTotal = h('p', { class: 'hint' })
    this.agendaButtons = h(
      'div',
      { class: 'mod-buttons', hidden: true },
      button(t('mod.agenda.save'), () => this.saveAgenda(), {}, 'btn-primary'),
      button(t('mod.agenda.discard'), () => this.discard())
    )
    const agendaTable = h(
      'table',
      { class: 'mod-table agenda-table' },
      h('caption', { class: 'sr-only', text: t('mod.agenda.title') }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' }, text: t('mod.agenda.item') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.agenda.planned') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.agenda.actual') }),
          h('th', { attrs: { scope: 'col' } }, h('span', { class: 'sr-only', text: t('mod.agenda.actions') }))
        )
      ),
      this.agendaBody
    )

    this.els = [
      h('h4', { class: 'mod-sub', text: t('mod.agenda.title') }),
      h(
        'div',
        { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': t('mod.agenda.title') } },
        agendaTable
      ),
      this.agendaTotal,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.agenda.add'), () => this.addBreak())
      ),
      this.agendaButtons
    ]
  }

  /** The actual time and status of each shown item. */
  tick(agenda: AgendaItem[] | null, timer: TimerState, outer: TimerState | null, now: number): void {
    const { canvas } = this.ctx
    if (!agenda) return
    for (const row of agendaRows(canvas, agenda, timer, now, outer)) {
      const cells = this.cells.get(row.item.id)
      if (!cells) continue
      const over = row.actualMs > row.plannedMs
      setText(cells.actual, row.actualMs > 0 || row.status !== 'planned' ? formatClock(row.actualMs) : '–')
      cells.actual.classList.toggle('over', over)
      setText(cells.status, t(`mod.agenda.status.${row.status}`))
    }
  }

  private items(): DraftItem[] {
    if (this.draft) return this.draft
    const agenda =
      readAgenda(this.ctx.board.control) ??
      this.ctx.canvas.def.agenda.map(
        (a): AgendaItem => ({
          id: a.id,
          kind: a.kind,
          part: a.part,
          label: null,
          minutes: a.minutes,
          startedAt: null,
          endedAt: null,
          actualMs: 0
        })
      )
    return agenda.map((i) => ({ id: i.id, minutes: i.minutes, label: i.label, part: i.part, kind: i.kind }))
  }

  private edit(): DraftItem[] {
    this.draft = this.draft ?? this.items()
    this.agendaButtons.hidden = false
    return this.draft
  }

  /** Show the agenda as saved, or the draft being edited (kept while one of its inputs has focus). */
  render(force = false): void {
    const items = this.items()
    const signature = JSON.stringify(items)
    if (!force && signature === this.shownSignature) return
    if (!force && this.draft && this.agendaBody.contains(document.activeElement)) return
    this.shownSignature = signature
    this.host.itemsShown()
    clear(this.agendaBody)
    this.cells.clear()
    const { canvas } = this.ctx
    let total = 0
    items.forEach((item, index) => {
      total += item.minutes
      const name = agendaLabel(canvas, { id: item.id, label: item.label ?? null, part: item.part ?? null })
      const label = h('input', {
        attrs: {
          type: 'text',
          value: item.label ?? '',
          placeholder: name,
          maxlength: 80,
          'aria-label': t('mod.agenda.label', { item: name }),
          'data-agenda-label': item.id
        }
      })
      label.addEventListener('change', () => {
        const d = this.edit()[index]
        if (d) d.label = label.value.trim() || null
        this.renderTotal()
      })
      const minutes = h('input', {
        attrs: {
          type: 'number',
          min: 1,
          max: 240,
          step: 1,
          value: item.minutes,
          'aria-label': t('mod.agenda.minutes', { item: name }),
          'data-agenda-minutes': item.id
        }
      })
      minutes.addEventListener('change', () => {
        const d = this.edit()[index]
        const v = Math.round(Number(minutes.value))
        if (d && v >= 1 && v <= 240) d.minutes = v
        this.renderTotal()
      })
      const actual = h('span', { class: 'agenda-actual', text: '–' })
      const status = h('span', { class: 'agenda-status hint' })
      this.cells.set(item.id, { actual, status })
      const target = item.part ?? item.id
      const startItem = button(t('mod.agenda.start'), () => this.host.start(target, item.minutes * 60), {
        'aria-label': t('mod.agenda.start.label', { item: name }),
        'data-agenda-start': item.id
      })
      const up = button(
        '↑',
        () => this.move(index, -1),
        { 'aria-label': t('mod.agenda.up', { item: name }) },
        'btn-ghost'
      )
      const down = button(
        '↓',
        () => this.move(index, 1),
        { 'aria-label': t('mod.agenda.down', { item: name }) },
        'btn-ghost'
      )
      up.disabled = index === 0
      down.disabled = index === items.length - 1
      const remove = item.part
        ? null
        : button('×', () => this.remove(index), { 'aria-label': t('mod.agenda.remove', { item: name }) }, 'btn-ghost')
      this.agendaBody.append(
        h(
          'tr',
          { attrs: { 'data-agenda': item.id } },
          h('td', {}, label),
          h('td', {}, minutes),
          h('td', {}, actual, h('br', {}), status),
          h('td', { class: 'agenda-tools' }, startItem, up, down, remove)
        )
      )
    })
    this.renderTotal(total)
    this.host.tick()
  }

  private renderTotal(total = this.items().reduce((s, i) => s + i.minutes, 0)): void {
    setText(this.agendaTotal, t('mod.agenda.total', { hours: Math.floor(total / 60), minutes: total % 60 }))
  }

  private move(index: number, delta: number): void {
    const d = this.edit()
    const other = index + delta
    if (other < 0 || other >= d.length) return
    const a = d[index]
    const b = d[other]
    if (!a || !b) return
    d[index] = b
    d[other] = a
    this.render(true)
  }

  private remove(index: number): void {
    this.edit().splice(index, 1)
    this.render(true)
  }

  private addBreak(): void {
    const d = this.edit()
    let n = 1
    while (d.some((i) => i.id === `break-x${n}`)) n++
    d.push({ id: `break-x${n}`, minutes: 10, label: t('mod.agenda.break'), part: null, kind: 'break' })
    this.render(true)
    this.agendaBody.querySelector<HTMLInputElement>(`[data-agenda-label='break-x${n}']`)?.focus()
  }

  private async saveAgenda(): Promise<void> {
    if (!this.draft) return
    const items = this.draft.map((i) => ({
      id: i.id,
      minutes: i.minutes,
      label: i.label ?? null,
      part: i.part ?? null
    }))
    const ok = await this.ctx.fac.run('agenda.set', { items })
    if (ok) this.discard()
  }

  private discard(): void {
    this.draft = null
    this.agendaButtons.hidden = true
    this.render(true)
  }
}
