// The shared timer, as everyone sees it: what it is for (the current part or field), the
// countdown on the server clock, the part's own countdown while a field timer runs inside
// it (P250), paused / time-is-up states, and a gentle end signal (a visual pulse, a spoken
// announcement, a tone only when switched on).
import {
  currentPart,
  EndWatch,
  formatClock,
  isActive,
  remainingMs,
  targetLabel,
  timerLines
} from '../facilitation/timer'
import { t, tx } from '../i18n'
import { readAgenda, readOuterTimer, readTimer, type TimerState } from '../model/control'
import type { Ctx } from './actions'
import { h, prefersReducedMotion, setAttr, setText } from './dom'
import { chime, unlockSound } from './sound'

const TICK_MS = 250
const ENDED_CLASS_MS = 10000
const MINUTE = 60000

export interface TimerBarOptions {
  large?: boolean
  sound: () => boolean
  setSound: (on: boolean) => void
}

/** How long a field timer's end stays in the bar while its part's timer goes on. */
const FIELD_END_SHOWN_MS = 15_000

export class TimerBar {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly opts: TimerBarOptions
  private readonly partEl: HTMLElement
  private readonly outerTimeEl: HTMLElement
  private readonly targetEl: HTMLElement
  private readonly timeEl: HTMLElement
  private readonly stateEl: HTMLElement
  private readonly live: HTMLElement
  private readonly soundBtn: HTMLButtonElement
  private readonly ends = new EndWatch()
  /** What the bar shows: the timer, or its part's once a field timer's end was shown. */
  private timer: TimerState
  private outer: TimerState | null
  /** The board's timer as it is (its end is announced once). */
  private real: TimerState
  private interval: ReturnType<typeof setInterval> | null = null
  private endedTimeout: ReturnType<typeof setTimeout> | null = null
  private minuteSaid: string | null = null

  constructor(ctx: Ctx, opts: TimerBarOptions) {
    this.ctx = ctx
    this.opts = opts
    this.real = this.timer = readTimer(ctx.board.control)
    this.outer = readOuterTimer(ctx.board.control)
    this.partEl = h('span', { class: 'timer-part' })
    this.outerTimeEl = h('span', { class: 'timer-outer-time', attrs: { role: 'timer', 'aria-live': 'off' } })
    this.targetEl = h('span', { class: 'timer-target' })
    this.timeEl = h('span', { class: 'timer-time', attrs: { role: 'timer', 'aria-live': 'off' } })
    this.stateEl = h('span', { class: 'timer-state' })
    this.live = h('span', { class: 'sr-only', attrs: { 'aria-live': 'assertive', role: 'status' } })
    this.soundBtn = h('button', {
      class: 'btn btn-small btn-ghost timer-sound',
      attrs: { type: 'button', 'aria-pressed': String(opts.sound()), title: t('timer.sound') },
      on: { click: () => this.toggleSound() }
    })
    this.el = h(
      'section',
      { class: `timerbar${opts.large ? ' timerbar-large' : ''}`, attrs: { 'aria-label': t('timer.label') } },
      this.partEl,
      this.outerTimeEl,
      this.targetEl,
      this.timeEl,
      this.stateEl,
      this.soundBtn,
      this.live
    )
    this.renderSound()
    // a page opened after the end shows "time is up" without the signal
    this.ends.check(this.timer, ctx.fac.clock.now())
    this.update()
    this.interval = setInterval(() => this.tick(), TICK_MS)
  }

  /** `control` changed. */
  update(): void {
    this.real = readTimer(this.ctx.board.control)
    const outer = readOuterTimer(this.ctx.board.control)
    // a field's "time is up" stays a while, then its part's time shows again: the part
    // goes on, and "0:00" for minutes made people think it was over
    const settled = this.fieldEndShown(this.real, outer)
    this.timer = settled ? (outer ?? this.real) : this.real
    this.outer = settled ? null : outer
    const { canvas, board } = this.ctx
    const agenda = readAgenda(board.control)
    const partId = currentPart(canvas, this.timer, agenda, this.outer)
    const part = canvas.part(partId)
    setText(this.partEl, part ? t('timer.part', { id: part.id, label: tx(part.label) }) : '')
    this.partEl.hidden = !part
    const target = this.timer.state !== 'idle' ? this.timer.target : null
    const showTarget = target !== null && target !== partId
    setText(this.targetEl, showTarget ? targetLabel(canvas, target, agenda) : '')
    this.targetEl.hidden = !showTarget
    this.el.dataset.state = this.timer.state
    this.el.classList.toggle('timer-nested', this.outer !== null)
    this.el.hidden = !part && this.timer.state === 'idle'
    if (this.ends.check(this.real, this.ctx.fac.clock.now()))
      this.signalEnd(targetLabel(canvas, this.real.target, agenda))
    this.tick()
  }

  private fieldEndShown(timer: TimerState, outer: TimerState | null): boolean {
    const now = this.ctx.fac.clock.now()
    return (
      timer.state === 'done' && isActive(outer) && timer.endedAt !== null && now - timer.endedAt > FIELD_END_SHOWN_MS
    )
  }

  private tick(): void {
    const now = this.ctx.fac.clock.now()
    if (this.timer === this.real && this.fieldEndShown(this.real, this.outer)) {
      this.update()
      return
    }
    const left = remainingMs(this.timer, now)
    setText(this.timeEl, left === null ? '' : formatClock(left))
    this.timeEl.hidden = left === null
    const lines = timerLines(this.ctx.canvas, this.timer, this.outer, readAgenda(this.ctx.board.control), now)
    const outerLeft = lines.outer?.leftMs ?? null
    setText(this.outerTimeEl, outerLeft === null ? '' : formatClock(outerLeft))
    this.outerTimeEl.hidden = outerLeft === null
    setAttr(
      this.outerTimeEl,
      'aria-label',
      lines.outer && outerLeft !== null
        ? t(lines.outer.state === 'paused' ? 'timer.remaining.paused' : 'timer.remaining', {
            target: lines.outer.label,
            time: formatClock(outerLeft)
          })
        : null
    )
    const state = this.timer.state === 'paused' ? t('timer.paused') : this.timer.state === 'done' ? t('timer.done') : ''
    setText(this.stateEl, state)
    this.stateEl.hidden = state === ''
    const label = targetLabel(this.ctx.canvas, this.timer.target, readAgenda(this.ctx.board.control))
    setAttr(
      this.timeEl,
      'aria-label',
      left === null ? null : t('timer.remaining', { target: label, time: formatClock(left) })
    )
    this.el.classList.toggle('timer-low', this.timer.state === 'running' && left !== null && left <= MINUTE)
    // one polite word a minute before the end, once per run
    const run = `${this.timer.target ?? ''}@${this.timer.endsAt ?? ''}`
    if (
      this.timer.state === 'running' &&
      left !== null &&
      left <= MINUTE &&
      left > MINUTE - 5000 &&
      this.minuteSaid !== run &&
      (this.timer.durationMs ?? 0) > 2 * MINUTE
    ) {
      this.minuteSaid = run
      this.say(t('timer.minute', { target: label }))
    }
  }

  private signalEnd(label: string): void {
    const outer = this.outer
      ? targetLabel(this.ctx.canvas, this.outer.target, readAgenda(this.ctx.board.control))
      : null
    const locked = this.real.lockedFields
    const words = !this.real.lockOnEnd
      ? t('timer.ended', { target: label })
      : locked.length === 1 && locked[0]
        ? t('timer.ended.locked.field', {
            target: label,
            field: targetLabel(this.ctx.canvas, locked[0], readAgenda(this.ctx.board.control))
          })
        : t('timer.ended.locked', { target: label })
    this.say(outer ? `${words} ${t('timer.goes.on', { outer })}` : words)
    this.el.classList.remove('ended')
    void this.el.offsetWidth // restart the pulse
    this.el.classList.add('ended')
    if (!prefersReducedMotion()) this.el.classList.add('pulse')
    if (this.endedTimeout) clearTimeout(this.endedTimeout)
    this.endedTimeout = setTimeout(() => this.el.classList.remove('ended', 'pulse'), ENDED_CLASS_MS)
    if (this.opts.sound()) chime()
  }

  private say(text: string): void {
    setText(this.live, '')
    setTimeout(() => setText(this.live, text), 50)
  }

  private toggleSound(): void {
    const on = !this.opts.sound()
    if (on) unlockSound()
    this.opts.setSound(on)
    this.renderSound()
    if (on) chime()
  }

  private renderSound(): void {
    const on = this.opts.sound()
    this.soundBtn.setAttribute('aria-pressed', String(on))
    setText(this.soundBtn, t('timer.sound.short'))
  }

  destroy(): void {
    if (this.interval) clearInterval(this.interval)
    if (this.endedTimeout) clearTimeout(this.endedTimeout)
    this.el.remove()
  }
}
