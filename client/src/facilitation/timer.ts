// The shared timer and the agenda, read for display: remaining time on the server clock,
// what the timer is for, a field timer nested in its part timer (P250), planned versus
// actual time per agenda item, and the moment the time is up (once per run, for the end
// signal).
import { tx } from '../i18n'
import type { Canvas } from '../model/canvas'
import type { AgendaItem, TimerState } from '../model/control'

/** Milliseconds left (never below 0), or null when no timer runs or is paused. */
export function remainingMs(t: TimerState, serverNow: number): number | null {
  if (t.state === 'running' && t.endsAt !== null) return Math.max(0, t.endsAt - serverNow)
  if (t.state === 'paused') return Math.max(0, t.remainingMs ?? 0)
  if (t.state === 'done') return 0
  return null
}

/** 4:05, 12:00 or 1:02:03; seconds round up so 0:00 shows only when the time is up. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** Whole minutes for inputs and summaries (at least 1). */
export function minutesOf(ms: number): number {
  return Math.max(1, Math.round(ms / 60000))
}

/** The part a timer target belongs to: a part id, a field of a part, or an agenda item. */
export function partOf(canvas: Canvas, target: string | null, agenda: AgendaItem[] | null): string | null {
  if (!target) return null
  if (canvas.part(target)) return target
  const field = canvas.field(target)
  if (field) return field.part
  const item = agenda?.find((i) => i.id === target) ?? canvas.agendaItem(target)
  return item?.part ?? null
}

/** The agenda item time is booked to for a target (as the server books it). */
export function agendaItemFor(canvas: Canvas, target: string | null, agenda: AgendaItem[] | null): AgendaItem | null {
  if (!target || !agenda) return null
  const direct = agenda.find((i) => i.id === target)
  if (direct) return direct
  const part = partOf(canvas, target, agenda)
  return part ? (agenda.find((i) => i.part === part) ?? null) : null
}

export function agendaLabel(canvas: Canvas, item: Pick<AgendaItem, 'id' | 'label' | 'part'>): string {
  if (item.label) return item.label
  const def = canvas.agendaItem(item.id)
  if (def) return tx(def.label)
  const part = canvas.part(item.part)
  return part ? `${part.id}: ${tx(part.label)}` : item.id
}

/** What a timer is for, as people read it: "A1 Begriffsklärung", "B: Gestaltung …", "Pause". */
export function targetLabel(canvas: Canvas, target: string | null, agenda: AgendaItem[] | null): string {
  if (!target) return ''
  const field = canvas.field(target)
  if (field) return `${field.id} ${tx(field.label)}`
  const part = canvas.part(target)
  if (part) return `${part.id}: ${tx(part.label)}`
  const item = agenda?.find((i) => i.id === target)
  return item ? agendaLabel(canvas, item) : canvas.agendaItem(target) ? tx(canvas.agendaItem(target)?.label) : target
}

export type AgendaStatus = 'planned' | 'running' | 'paused' | 'done'

export interface AgendaRow {
  item: AgendaItem
  label: string
  plannedMs: number
  /** Recorded time plus the running segment. */
  actualMs: number
  status: AgendaStatus
}

/** Running or paused (a done or idle timer holds no time). */
export function isActive(t: TimerState | null): boolean {
  return t !== null && (t.state === 'running' || t.state === 'paused')
}

/**
 * Planned versus actual per agenda item. Of the timer and the part timer around it (`outer`),
 * the one with `segmentStarted` books the running time (the server keeps it to one).
 */
export function agendaRows(
  canvas: Canvas,
  agenda: AgendaItem[],
  timer: TimerState,
  serverNow: number,
  outer: TimerState | null = null
): AgendaRow[] {
  const shown = isActive(timer) ? timer : isActive(outer) ? outer : null
  const current = shown ? agendaItemFor(canvas, shown.target, agenda) : null
  const running = timer.state === 'running' || outer?.state === 'running'
  const booking = [timer, outer].find((t) => t?.state === 'running' && t.segmentStarted !== null) ?? null
  const booked = booking ? agendaItemFor(canvas, booking.target, agenda) : null
  return agenda.map((item) => {
    let actual = item.actualMs
    let status: AgendaStatus = item.endedAt !== null ? 'done' : item.startedAt !== null ? 'paused' : 'planned'
    if (current && current.id === item.id) status = running ? 'running' : 'paused'
    if (booking?.segmentStarted != null && booked?.id === item.id)
      actual += Math.max(0, serverNow - booking.segmentStarted)
    return { item, label: agendaLabel(canvas, item), plannedMs: item.minutes * 60000, actualMs: actual, status }
  })
}

/** P250: a timer for `target` runs inside `host` when it is a field of the host's part. */
export function nestsIn(canvas: Canvas, target: string, host: TimerState | null, agenda: AgendaItem[] | null): boolean {
  if (host === null || !isActive(host) || !host.target || canvas.field(host.target)) return false
  const field = canvas.field(target)
  return field !== undefined && partOf(canvas, host.target, agenda) === field.part
}

export type StartPlan =
  | { kind: 'fresh' }
  | { kind: 'nest'; host: TimerState }
  | { kind: 'replace'; ending: TimerState[] }

/** What starting a timer for `target` does to the timers there are now (as the server does it). */
export function startPlan(
  canvas: Canvas,
  target: string,
  inner: TimerState,
  outer: TimerState | null,
  agenda: AgendaItem[] | null
): StartPlan {
  const host = outer ?? inner
  if (nestsIn(canvas, target, host, agenda)) return { kind: 'nest', host }
  const ending = [outer, inner].filter((t): t is TimerState => isActive(t))
  return ending.length > 0 ? { kind: 'replace', ending } : { kind: 'fresh' }
}

/** Ask first when a start would end a running timer for something else (not a restart). */
export function endsOtherWork(plan: StartPlan, target: string): boolean {
  return plan.kind === 'replace' && plan.ending.some((t) => t.target !== target)
}

export interface TimerLine {
  target: string | null
  label: string
  /** Null: nothing to count (idle). */
  leftMs: number | null
  state: TimerState['state']
}

/** The lines of the timer bar: the part timer while a field timer runs inside it, then the innermost. */
export function timerLines(
  canvas: Canvas,
  inner: TimerState,
  outer: TimerState | null,
  agenda: AgendaItem[] | null,
  serverNow: number
): { outer: TimerLine | null; inner: TimerLine } {
  const line = (t: TimerState): TimerLine => ({
    target: t.target,
    label: targetLabel(canvas, t.target, agenda),
    leftMs: remainingMs(t, serverNow),
    state: t.state
  })
  return { outer: outer && outer.state !== 'idle' ? line(outer) : null, inner: line(inner) }
}

/** The part people are working on now: the part timer's, the timer's, else the agenda item last started. */
export function currentPart(
  canvas: Canvas,
  timer: TimerState,
  agenda: AgendaItem[] | null,
  outer: TimerState | null = null
): string | null {
  const fromOuter = outer && outer.state !== 'idle' ? partOf(canvas, outer.target, agenda) : null
  if (fromOuter) return fromOuter
  const fromTimer = partOf(canvas, timer.target, agenda)
  if (fromTimer && timer.state !== 'idle') return fromTimer
  let latest: AgendaItem | null = null
  for (const item of agenda ?? []) {
    if (item.startedAt !== null && (!latest || (latest.startedAt ?? 0) < item.startedAt)) latest = item
  }
  return latest?.part ?? fromTimer
}

/**
 * Reports the end of a timer run once: when the server marks it done (time is up), and
 * only if that happened recently (a page opened later shows "time is up" without a signal).
 */
export class EndWatch {
  private seen: string | null = null

  /** True exactly once per finished run. */
  check(t: TimerState, serverNow: number): boolean {
    if (t.state !== 'done') return false
    const key = `${t.target ?? ''}@${t.endedAt ?? ''}`
    if (key === this.seen) return false
    this.seen = key
    return t.endedAt === null || serverNow - t.endedAt < 15000
  }
}

// pattern -> seconds from its first and second number
const DURATIONS: ReadonlyArray<readonly [RegExp, (a: number, b: number) => number]> = [
  [/^(\d+):(\d{1,2})$/, (min, sec) => min * 60 + sec],
  [/^(\d+(?:\.\d+)?)(?:s|sek|sec)$/, (sec) => sec],
  [/^(\d+(?:\.\d+)?)h$/, (h) => h * 3600],
  [/^(\d+(?:\.\d+)?)(?:m|min)?$/, (min) => min * 60]
]

/**
 * A duration as people type it: "5" or "2,5" (minutes), "1:30" (minutes:seconds), "90s",
 * "1h". Returns whole seconds (1 s to 4 h) or null.
 */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase().replace(',', '.').replace(/\s+/g, '')
  let seconds: number | null = null
  for (const [pattern, toSeconds] of DURATIONS) {
    const m = pattern.exec(s)
    if (m) {
      seconds = toSeconds(Number(m[1]), Number(m[2]))
      break
    }
  }
  if (seconds === null || !Number.isFinite(seconds)) return null
  seconds = Math.round(seconds)
  return seconds >= 1 && seconds <= 4 * 3600 ? seconds : null
}
