// The decision log (`control.log`): every moderator action, who and when, visible to all.
// Entries are told in the reader's language from the op and its details, not the server's
// English summary.

import { excerpt } from '../facilitation/decisions'
import { targetLabel } from '../facilitation/timer'
import { t, tn, tx } from '../i18n'
import { type LogEntry, readAgenda, readDecisions, readLog } from '../model/control'
import { isRole } from '../sync/appTypes'
import type { Ctx } from './actions'
import { DecisionForm } from './decisionform'
import { clear, h } from './dom'

const SHOWN = 200
const DECISION_OPS = new Set(['decision', 'decision.edit', 'decision.delete'])

export class LogPanel {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly list: HTMLElement
  private readonly empty: HTMLElement
  private readonly form: DecisionForm
  private shown = -1

  constructor(ctx: Ctx) {
    this.ctx = ctx
    this.list = h('ol', { class: 'log-list', attrs: { reversed: true } })
    this.empty = h('p', { class: 'hint', text: t('log.empty') })
    this.form = new DecisionForm(ctx)
    this.form.el.hidden = true
    this.el = h(
      'aside',
      { class: 'panel log-panel', id: 'log', hidden: true, attrs: { 'aria-labelledby': 'log-h' } },
      h('h2', { id: 'log-h', text: t('log.title') }),
      h('p', { class: 'hint', text: t('log.lead') }),
      this.form.el,
      this.empty,
      this.list
    )
  }

  render(force = false): void {
    if (this.el.hidden) return
    this.form.el.hidden = !this.ctx.moderator()
    this.form.refresh()
    const entries = readLog(this.ctx.board.control)
    if (!force && entries.length === this.shown) return
    const moderator = this.ctx.moderator()
    const current = new Set(readDecisions(this.ctx.board.control).map((d) => d.id))
    this.shown = entries.length
    clear(this.list)
    this.empty.hidden = entries.length > 0
    for (const e of entries.slice(-SHOWN).reverse()) {
      const when = new Date(e.at)
      const decision = DECISION_OPS.has(e.op)
      // a decision as first written: still in force, or since corrected or withdrawn (P231)
      const stands = e.op === 'decision' && current.has(String(e.details.id))
      const superseded = e.op === 'decision' && !stands
      const cls = `${decision ? ' log-decision-any' : ''}${superseded ? ' log-decision-superseded' : ''}`
      this.list.append(
        h(
          'li',
          { class: `log-entry log-${e.op.replace(/\W/g, '-')}${cls}` },
          decision ? h('strong', { class: 'log-badge', text: t('decision.badge') }) : null,
          h('time', {
            text: when.toLocaleTimeString(document.documentElement.lang || 'de', {
              hour: '2-digit',
              minute: '2-digit'
            }),
            attrs: { datetime: when.toISOString() }
          }),
          ' ',
          h('span', { class: 'log-who', text: this.who(e) }),
          h('span', { class: 'log-what', text: describe(this.ctx, e) }),
          superseded ? h('span', { class: 'log-superseded', text: t('decision.superseded') }) : null,
          moderator && stands ? this.withdraw(String(e.details.id)) : null
        )
      )
    }
  }

  /** A typo or a wrong entry: the log keeps the text, the protocol's list drops it (P231). */
  private withdraw(id: string): HTMLButtonElement {
    const b = h('button', {
      class: 'btn btn-small log-withdraw',
      text: t('decision.withdraw'),
      attrs: { type: 'button' }
    })
    b.addEventListener('click', () => {
      b.disabled = true
      void this.ctx.fac.run('decision.delete', { decision: id }).finally(() => {
        b.disabled = false
      })
    })
    return b
  }

  private who(e: LogEntry): string {
    if (e.by.role === 'server') return t('log.by.server')
    const role = isRole(e.by.role) ? t(`role.${e.by.role}`) : e.by.role
    return e.by.name ? `${e.by.name} (${role})` : role
  }
}

function fieldName(ctx: Ctx, id: unknown): string {
  if (typeof id !== 'string') return '?'
  const f = ctx.canvas.field(id)
  return f ? `${f.id} ${tx(f.label)}` : id
}

function fieldList(ctx: Ctx, ids: unknown): string {
  return Array.isArray(ids) ? ids.map((f) => (typeof f === 'string' ? f : '?')).join(', ') : fieldName(ctx, ids)
}

/** Minutes from seconds (whole, else one decimal); entries without seconds: the summary's. */
function minutesText(seconds: unknown, fromSummary: string | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return fromSummary ?? '?'
  const minutes = seconds / 60
  return minutes.toLocaleString(document.documentElement.lang || 'de', { maximumFractionDigits: 1 })
}

/** One log entry in words, from its op and details (the summary only fills gaps). */
export function describe(ctx: Ctx, e: LogEntry): string {
  const d = e.details
  const label = (id: unknown): string =>
    targetLabel(ctx.canvas, typeof id === 'string' ? id : null, readAgenda(ctx.board.control))
  const target = (): string => label(d.target)
  switch (e.op) {
    case 'timer.start': {
      const minutes = minutesText(d.seconds, /(\d+) min/.exec(e.summary)?.[1])
      if (typeof d.nested_in === 'string')
        return t('log.timer.start.nested', { target: target(), minutes, outer: label(d.nested_in) })
      if (Array.isArray(d.ended) && d.ended.length > 0) {
        return t('log.timer.start.ended', { target: target(), minutes, ended: d.ended.map(label).join(', ') })
      }
      return t('log.timer.start', { target: target(), minutes })
    }
    case 'timer.pause':
      return t('log.timer.pause', { target: target() })
    case 'timer.resume':
      return t('log.timer.resume', { target: target() })
    case 'timer.stop':
      if (typeof d.back_to === 'string') return t('log.timer.stop.back', { target: target(), outer: label(d.back_to) })
      if (typeof d.inner === 'string') return t('log.timer.stop.both', { target: target(), inner: label(d.inner) })
      return t('log.timer.stop', { target: target() })
    case 'timer.done':
      if (typeof d.nested_in === 'string')
        return t('log.timer.done.nested', { target: target(), outer: label(d.nested_in) })
      if (typeof d.inner === 'string') return t('log.timer.done.inner', { target: target(), inner: label(d.inner) })
      return t('log.timer.done', { target: target() })
    case 'timer.extend': {
      const m = /([+-])(\d+) min/.exec(e.summary)
      const seconds = typeof d.seconds === 'number' ? d.seconds : m ? Number(`${m[1]}${m[2]}`) * 60 : null
      const minutes = minutesText(seconds === null ? null : Math.abs(seconds), m?.[2])
      if (d.revived === true) {
        return Array.isArray(d.unlocked) && d.unlocked.length > 0
          ? t('log.timer.revived.unlocked', { target: target(), minutes, fields: fieldList(ctx, d.unlocked) })
          : t('log.timer.revived', { target: target(), minutes })
      }
      if (seconds !== null && seconds < 0) return t('log.timer.shorten', { minutes })
      return d.outer === true
        ? t('log.timer.extend.target', { target: target(), minutes })
        : t('log.timer.extend', { minutes })
    }
    case 'agenda.set':
      return t('log.agenda.set')
    case 'lock.set': {
      const locked = typeof d.locked === 'boolean' ? d.locked : !/unlocked/.test(e.summary)
      const fields = fieldList(ctx, d.fields)
      if (d.cause === 'timer.done') return t('log.lock.timer', { fields })
      if (d.cause === 'timer.extend') return t('log.lock.reopened', { fields })
      return t(locked ? 'log.lock.on' : 'log.lock.off', { fields })
    }
    case 'focus.set': {
      const field = typeof d.field === 'string' ? d.field : /focus on (\S+)/.exec(e.summary)?.[1]
      return field ? t('log.focus.set', { field: fieldName(ctx, field) }) : t('log.focus.released')
    }
    case 'view.set':
      return t(d.compact === true ? 'log.view.compact' : 'log.view.full', { field: fieldName(ctx, d.field) })
    case 'projector.push':
      if (d.show === 'field') return t('log.push.field', { field: fieldName(ctx, d.field) })
      return t(d.show === 'timer' ? 'log.push.timer' : d.show === 'results' ? 'log.push.results' : 'log.push.clear')
    case 'private.set':
      return t('log.private.set', { field: fieldName(ctx, d.field) })
    case 'late.accept':
      return t('log.late.accept', { field: fieldName(ctx, d.field) })
    case 'late.dismiss':
      return t('log.late.dismiss', { field: fieldName(ctx, d.field) })
    case 'private.reveal':
      return tn('log.private.reveal', typeof d.count === 'number' ? d.count : 0, { field: fieldName(ctx, d.field) })
    case 'vote.open':
      return typeof d.per_person === 'number'
        ? tn('log.vote.open', d.per_person, { fields: fieldList(ctx, d.fields) })
        : t('log.vote.open', { fields: fieldList(ctx, d.fields), count: '?' })
    case 'vote.close':
      return tn('log.vote.close', typeof d.voters === 'number' ? d.voters : 0)
    case 'vote.cancel':
      return t('log.vote.cancel')
    case 'snapshot.create':
      return t('log.snapshot.create')
    case 'snapshot.restore':
      return t('log.snapshot.restore')
    case 'link.rotate': {
      const role = isRole(d.role) ? t(`role.${d.role}`) : String(d.role)
      return t('log.link.rotate', { role })
    }
    case 'join.rotate':
      return t('log.join.rotate')
    case 'board.settings':
      return t('log.settings')
    case 'decision':
    case 'decision.edit':
    case 'decision.delete': {
      const text = typeof d.text === 'string' ? d.text : ''
      const linked = typeof d.note === 'string' ? ctx.board.text(d.note, 'text')?.toString() : undefined
      const where = linked
        ? t('decision.on.note', { note: excerpt(linked) })
        : typeof d.field === 'string'
          ? t('decision.on.field', { field: fieldName(ctx, d.field) })
          : ''
      if (e.op === 'decision.delete') return t('log.decision.delete', { text })
      if (e.op === 'decision.edit')
        return t('log.decision.edit', { text, before: typeof d.before === 'string' ? d.before : '' }) + where
      return text + where
    }
    case 'board.recovered': {
      const n = (v: unknown): number => (typeof v === 'number' ? v : 0)
      const snap = d.snapshot
      const at =
        typeof snap === 'object' && snap !== null && 'at' in snap && typeof snap.at === 'number' ? snap.at : null
      return at === null
        ? t('log.board.recovered', { applied: n(d.applied), skipped: n(d.skipped) })
        : t('log.board.recovered.snapshot', {
            time: new Date(at * 1000).toLocaleString(document.documentElement.lang || 'de'),
            applied: n(d.applied),
            skipped: n(d.skipped)
          })
    }
    default:
      return e.summary || e.op
  }
}
