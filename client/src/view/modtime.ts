// Moderator: the timer (start per part, field or agenda item; a field timer runs inside its
// part's timer; pause, resume, +1/+5 min also after time is up, stop; lock when time is up).
// The agenda below it is modagenda.ts.
import {
  agendaLabel,
  endsOtherWork,
  formatClock,
  isActive,
  parseDuration,
  remainingMs,
  startPlan,
  targetLabel
} from '../facilitation/timer'
import { t, tx } from '../i18n'
import { type AgendaItem, readAgenda, readOuterTimer, readTimer, type TimerState } from '../model/control'
import type { Ctx } from './actions'
import { clear, h, setText } from './dom'
import { ModAgenda } from './modagenda'
import { confirmModal } from './modal'
import { button, checkbox, labelled, section } from './modkit'

export class ModTime {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly status: HTMLElement
  private readonly pauseBtn: HTMLButtonElement
  private readonly moreBtns: HTMLButtonElement[]
  private readonly minusBtn: HTMLButtonElement
  private readonly stopBtn: HTMLButtonElement
  private readonly outerLabel: HTMLElement
  private readonly outerRow: HTMLElement
  private readonly running: HTMLElement
  private readonly target: HTMLSelectElement
  private readonly duration: HTMLInputElement
  private readonly lockOnEnd: HTMLInputElement
  private readonly durationError: HTMLElement
  private readonly agenda: ModAgenda
  private durationTouched = false

  constructor(ctx: Ctx) {
    this.ctx = ctx
    const run = ctx.fac.run.bind(ctx.fac)
    // not a live region: the timer bar announces the end for everyone
    this.status = h('p', { class: 'mod-status' })
    this.pauseBtn = button(t('mod.timer.pause'), () => this.pauseOrResume(), { 'data-timer': 'pause' })
    // +1/+5 also work after time is up: the timer runs again and its own lock reopens (P252)
    this.moreBtns = [
      button(t('mod.timer.plus1'), () => run('timer.extend', { seconds: 60 }), { 'data-timer': 'plus1' }),
      button(t('mod.timer.plus5'), () => run('timer.extend', { seconds: 300 }), { 'data-timer': 'plus5' })
    ]
    this.minusBtn = button(t('mod.timer.minus1'), () => run('timer.extend', { seconds: -60 }), {
      'data-timer': 'minus1'
    })
    this.stopBtn = button(t('mod.timer.stop'), () => run('timer.stop', {}), { 'data-timer': 'stop' })
    this.running = h('div', { class: 'mod-buttons' }, this.pauseBtn, ...this.moreBtns, this.minusBtn, this.stopBtn)
    this.outerLabel = h('span', { class: 'hint' })
    this.outerRow = h(
      'div',
      { class: 'mod-buttons', hidden: true },
      this.outerLabel,
      button(t('mod.timer.outer.plus5'), () => run('timer.extend', { seconds: 300, outer: true }), {
        'data-timer': 'outer-plus5'
      }),
      button(t('mod.timer.stop.all'), () => run('timer.stop', { all: true }), { 'data-timer': 'stop-all' })
    )

    this.target = h('select', { attrs: { name: 'timer-target' } })
    this.fillTargets()
    this.target.addEventListener('change', () => {
      this.durationTouched = false
      this.suggestDuration()
    })
    this.duration = h('input', {
      attrs: { type: 'text', name: 'timer-duration', inputmode: 'text', size: 6, autocomplete: 'off' }
    })
    this.duration.addEventListener('input', () => {
      this.durationTouched = true
    })
    this.durationError = h('p', { class: 'form-error', attrs: { role: 'alert' } })
    const lock = checkbox(t('mod.timer.lock'), false, { name: 'timer-lock' })
    this.lockOnEnd = lock.input
    this.suggestDuration()
    const startRow = h(
      'div',
      { class: 'mod-grid' },
      labelled(t('mod.timer.target'), this.target).row,
      labelled(t('mod.timer.duration'), this.duration, t('mod.timer.duration.hint')).row,
      lock.row,
      h('p', { class: 'hint', text: t('mod.timer.nest.hint') }),
      this.durationError,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.timer.start'), () => this.start(), { 'data-timer': 'start' }, 'btn-primary')
      )
    )

    this.agenda = new ModAgenda(ctx, {
      start: (target, seconds) => this.startTimer(target, seconds, this.lockOnEnd.checked),
      itemsShown: () => this.fillTargets(),
      tick: () => this.tick()
    })

    this.el = section(
      'time',
      t('mod.time.title'),
      true,
      this.status,
      this.running,
      this.outerRow,
      h('h4', { class: 'mod-sub', text: t('mod.timer.new') }),
      startRow,
      ...this.agenda.els
    )
    this.update()
  }

  private fillTargets(): void {
    const { canvas } = this.ctx
    const agenda = readAgenda(this.ctx.board.control) ?? []
    const parts = h(
      'optgroup',
      { attrs: { label: t('mod.timer.parts') } },
      ...canvas.def.parts.map((p) => h('option', { text: `${p.id}: ${tx(p.label)}`, attrs: { value: p.id } }))
    )
    const fields = h(
      'optgroup',
      { attrs: { label: t('mod.timer.fields') } },
      ...canvas.orderedFields().map((f) => h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
    )
    const others = agenda.filter((i) => !i.part)
    const items = others.length
      ? h(
          'optgroup',
          { attrs: { label: t('mod.timer.agenda') } },
          ...others.map((i) => h('option', { text: agendaLabel(canvas, i), attrs: { value: i.id } }))
        )
      : null
    const keep = this.target.value
    clear(this.target)
    this.target.append(parts, fields)
    if (items) this.target.append(items)
    if (keep) this.target.value = keep
  }

  /** The planned minutes of the chosen part or agenda item (fields: their own minutes). */
  private suggestDuration(): void {
    if (this.durationTouched) return
    const { canvas } = this.ctx
    const id = this.target.value
    const agenda = readAgenda(this.ctx.board.control) ?? []
    const item = agenda.find((i) => i.id === id) ?? agenda.find((i) => i.part === id)
    const minutes = canvas.field(id)?.minutes ?? item?.minutes ?? canvas.part(id)?.minutes ?? 10
    this.duration.value = String(minutes || 10)
  }

  private async start(): Promise<void> {
    const seconds = parseDuration(this.duration.value)
    if (seconds === null) {
      setText(this.durationError, t('mod.timer.duration.invalid'))
      this.duration.focus()
      return
    }
    setText(this.durationError, '')
    await this.startTimer(this.target.value, seconds, this.lockOnEnd.checked)
  }

  /** Start a timer: nested in its part's timer when it can be (P250), else after asking. */
  private async startTimer(target: string, seconds: number, lockOnEnd: boolean): Promise<void> {
    const { canvas, board, fac } = this.ctx
    const agenda = readAgenda(board.control)
    const plan = startPlan(canvas, target, readTimer(board.control), readOuterTimer(board.control), agenda)
    if (plan.kind === 'replace') {
      if (endsOtherWork(plan, target) && !(await this.confirmReplace(target, plan.ending, agenda))) return
      await fac.run('timer.start', { target, seconds, lock_on_end: lockOnEnd, nest: false })
      return
    }
    await fac.run('timer.start', { target, seconds, lock_on_end: lockOnEnd })
  }

  /** Say what would end, and why it cannot run on inside the new timer's. */
  private confirmReplace(target: string, ending: TimerState[], agenda: AgendaItem[] | null): Promise<boolean> {
    const { canvas, fac } = this.ctx
    const label = (id: string | null): string => targetLabel(canvas, id, agenda)
    const first = ending[0]
    const field = canvas.field(target)
    const text = first
      ? [
          t('mod.timer.replace.running', {
            target: label(first.target),
            time: formatClock(remainingMs(first, fac.clock.now()) ?? 0)
          })
        ]
      : []
    text.push(
      field && first && !canvas.field(first.target ?? '')
        ? t('mod.timer.replace.otherPart', { target: label(target), part: field.part, outer: label(first.target) })
        : t('mod.timer.replace.other', { target: label(target) })
    )
    return confirmModal({
      title: t('mod.timer.replace.title'),
      text,
      yes: t('mod.timer.replace.yes', { target: label(target) })
    })
  }

  private async pauseOrResume(): Promise<void> {
    const timer = readTimer(this.ctx.board.control)
    const outer = readOuterTimer(this.ctx.board.control)
    if (timer.state === 'running' || outer?.state === 'running') await this.ctx.fac.run('timer.pause', {})
    else if (timer.state === 'paused' || outer?.state === 'paused') await this.ctx.fac.run('timer.resume', {})
  }

  /** `control` changed. */
  update(): void {
    const { canvas, board } = this.ctx
    const timer = readTimer(board.control)
    const outer = readOuterTimer(board.control)
    const active = isActive(timer)
    const running = timer.state === 'running' || outer?.state === 'running'
    this.pauseBtn.disabled = !active && !isActive(outer)
    for (const b of this.moreBtns) b.disabled = !active && timer.state !== 'done'
    this.minusBtn.disabled = !active
    this.stopBtn.disabled = !active && !(outer && timer.state === 'done')
    const paused = !running && (timer.state === 'paused' || outer?.state === 'paused')
    setText(this.pauseBtn, paused ? t('mod.timer.resume') : t('mod.timer.pause'))
    this.pauseBtn.dataset.timer = paused ? 'resume' : 'pause'
    const agenda = readAgenda(board.control)
    setText(this.stopBtn, outer ? t('mod.timer.stop.inner') : t('mod.timer.stop'))
    this.stopBtn.title = outer
      ? t('mod.timer.stop.inner.title', {
          target: targetLabel(canvas, timer.target, agenda),
          outer: targetLabel(canvas, outer.target, agenda)
        })
      : ''
    this.outerRow.hidden = outer === null
    setText(this.outerLabel, outer ? t('mod.timer.outer', { target: targetLabel(canvas, outer.target, agenda) }) : '')
    this.agenda.render()
    this.tick()
  }

  /** Once a second while shown: the status line and the actual times. */
  tick(): void {
    const { canvas, board, fac } = this.ctx
    const timer = readTimer(board.control)
    const outer = readOuterTimer(board.control)
    const agenda = readAgenda(board.control)
    const now = fac.clock.now()
    const say = (tm: TimerState): string => {
      const label = targetLabel(canvas, tm.target, agenda)
      const time = formatClock(remainingMs(tm, now) ?? 0)
      return tm.state === 'running'
        ? t('mod.timer.running', { target: label, time })
        : tm.state === 'paused'
          ? t('mod.timer.paused', { target: label, time })
          : tm.state === 'done'
            ? t('mod.timer.done', { target: label })
            : t('mod.timer.idle')
    }
    setText(this.status, outer ? t('mod.timer.both', { outer: say(outer), inner: say(timer) }) : say(timer))
    this.agenda.tick(agenda, timer, outer, now)
  }
}
