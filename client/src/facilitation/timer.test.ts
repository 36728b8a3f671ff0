import { describe, expect, it } from 'vitest'
import { Canvas, getCanvas } from '../model/canvas'
import type { AgendaItem, TimerState } from '../model/control'
import { ServerClock } from './clock'
import {
  agendaRows,
  currentPart,
  EndWatch,
  endsOtherWork,
  formatClock,
  nestsIn,
  parseDuration,
  remainingMs,
  startPlan,
  timerLines
} from './timer'

const SERVER_NOW = 1_700_000_000_000

function timer(state: Partial<TimerState>): TimerState {
  return {
    target: 'A1',
    state: 'idle',
    endsAt: null,
    remainingMs: null,
    durationMs: null,
    lockOnEnd: false,
    endedAt: null,
    segmentStarted: null,
    lockedFields: [],
    ...state
  }
}

/** A clock on a device whose own time is `skew` ms off, synced once with no delay. */
function syncedClock(skew: number): ServerClock {
  const clock = new ServerClock(() => SERVER_NOW + skew)
  clock.add(SERVER_NOW + skew, SERVER_NOW + skew, SERVER_NOW)
  return clock
}

describe('remainingMs', () => {
  it('counts down to the server deadline', () => {
    const running = timer({ state: 'running', endsAt: SERVER_NOW + 90_000 })
    expect(remainingMs(running, SERVER_NOW)).toBe(90_000)
    expect(remainingMs(running, SERVER_NOW + 100_000)).toBe(0)
  })

  it('shows the same time on devices whose clocks are minutes off', () => {
    const running = timer({ state: 'running', endsAt: SERVER_NOW + 5 * 60_000 })
    const shown = [-180_000, 0, 420_000].map((skew) => remainingMs(running, syncedClock(skew).now()))
    expect(shown).toEqual([300_000, 300_000, 300_000])
    // without the offset a fast device would cut the time short
    expect(remainingMs(running, SERVER_NOW + 420_000)).toBe(0)
  })

  it('holds what was left while paused, zero when done, nothing when idle', () => {
    expect(remainingMs(timer({ state: 'paused', remainingMs: 42_000, endsAt: SERVER_NOW }), SERVER_NOW + 1e6)).toBe(
      42_000
    )
    expect(remainingMs(timer({ state: 'paused', remainingMs: -5 }), SERVER_NOW)).toBe(0)
    expect(remainingMs(timer({ state: 'done' }), SERVER_NOW)).toBe(0)
    expect(remainingMs(timer({ state: 'idle' }), SERVER_NOW)).toBeNull()
    expect(remainingMs(timer({ state: 'running', endsAt: null }), SERVER_NOW)).toBeNull()
  })
})

describe('formatClock', () => {
  it('rounds seconds up so 0:00 shows only when the time is up', () => {
    expect(formatClock(0)).toBe('0:00')
    expect(formatClock(1)).toBe('0:01')
    expect(formatClock(245_000)).toBe('4:05')
    expect(formatClock(3_723_000)).toBe('1:02:03')
    expect(formatClock(-10)).toBe('0:00')
  })
})

describe('parseDuration', () => {
  it('reads minutes, minutes:seconds, seconds and hours', () => {
    expect(parseDuration('5')).toBe(300)
    expect(parseDuration(' 2,5 min ')).toBe(150)
    expect(parseDuration('1:30')).toBe(90)
    expect(parseDuration('90s')).toBe(90)
    expect(parseDuration('1h')).toBe(3600)
  })

  it('refuses nonsense and durations outside 1 s to 4 h', () => {
    for (const text of ['', 'abc', '0', '5h', '-3', '1:2:3']) expect(parseDuration(text)).toBeNull()
  })
})

describe('EndWatch', () => {
  it('reports each finished run once, and only when it ended recently', () => {
    const watch = new EndWatch()
    const done = timer({ state: 'done', endedAt: SERVER_NOW })
    expect(watch.check(timer({ state: 'running', endsAt: SERVER_NOW }), SERVER_NOW)).toBe(false)
    expect(watch.check(done, SERVER_NOW + 1000)).toBe(true)
    expect(watch.check(done, SERVER_NOW + 2000)).toBe(false)
    const old = timer({ state: 'done', target: 'B1', endedAt: SERVER_NOW - 60_000 })
    expect(new EndWatch().check(old, SERVER_NOW)).toBe(false)
  })
})

describe('nested timers (P250)', () => {
  const def = getCanvas('ko-kreation')
  if (!def) throw new Error('the Ko-Kreation canvas is missing')
  const canvas = new Canvas(def)
  const agenda: AgendaItem[] = [
    {
      id: 'part-a',
      kind: 'part',
      part: 'A',
      label: null,
      minutes: 60,
      startedAt: SERVER_NOW - 600_000,
      endedAt: null,
      actualMs: 300_000
    },
    { id: 'part-b', kind: 'part', part: 'B', label: null, minutes: 45, startedAt: null, endedAt: null, actualMs: 0 }
  ]
  const partA = timer({
    target: 'A',
    state: 'running',
    endsAt: SERVER_NOW + 1_800_000,
    segmentStarted: SERVER_NOW - 60_000
  })

  it('nests a field of the running part, by part id or agenda item', () => {
    expect(nestsIn(canvas, 'A2', partA, agenda)).toBe(true)
    expect(nestsIn(canvas, 'A2', { ...partA, target: 'part-a' }, agenda)).toBe(true)
    expect(nestsIn(canvas, 'A2', { ...partA, state: 'paused' }, agenda)).toBe(true)
    expect(nestsIn(canvas, 'B2', partA, agenda)).toBe(false)
    expect(nestsIn(canvas, 'B', partA, agenda)).toBe(false)
    expect(nestsIn(canvas, 'A2', { ...partA, state: 'done' }, agenda)).toBe(false)
    expect(nestsIn(canvas, 'A2', { ...partA, target: 'A1' }, agenda)).toBe(false)
    expect(nestsIn(canvas, 'A2', null, agenda)).toBe(false)
  })

  it('asks before ending a running timer for something else, not before a nest or a restart', () => {
    const field = timer({ target: 'A1', state: 'running', endsAt: SERVER_NOW + 60_000 })
    const nest = startPlan(canvas, 'A2', field, partA, agenda)
    expect(nest.kind).toBe('nest')
    expect(endsOtherWork(nest, 'A2')).toBe(false)
    const other = startPlan(canvas, 'B2', field, partA, agenda)
    expect(other).toEqual({ kind: 'replace', ending: [partA, field] })
    expect(endsOtherWork(other, 'B2')).toBe(true)
    const restart = startPlan(canvas, 'A', partA, null, agenda)
    expect(endsOtherWork(restart, 'A')).toBe(false)
    expect(startPlan(canvas, 'B', timer({ target: 'A', state: 'done' }), null, agenda)).toEqual({ kind: 'fresh' })
  })

  it('shows the part time and the field time side by side', () => {
    const field = timer({ target: 'A2', state: 'running', endsAt: SERVER_NOW + 300_000 })
    const lines = timerLines(canvas, field, partA, agenda, SERVER_NOW)
    expect(lines.outer?.leftMs).toBe(1_800_000)
    expect(lines.outer?.label).toMatch(/^A: /)
    expect(lines.inner.leftMs).toBe(300_000)
    expect(lines.inner.label).toMatch(/^A2 /)
    const up = timerLines(canvas, { ...field, state: 'done', endsAt: null }, partA, agenda, SERVER_NOW + 400_000)
    expect([up.outer?.leftMs, up.inner.leftMs, up.inner.state]).toEqual([1_400_000, 0, 'done'])
    expect(timerLines(canvas, partA, null, agenda, SERVER_NOW).outer).toBeNull()
    expect(currentPart(canvas, field, agenda, partA)).toBe('A')
  })

  it('counts the part on while the field timer books or after it ended, never twice', () => {
    const field = timer({
      target: 'A2',
      state: 'running',
      endsAt: SERVER_NOW + 300_000,
      segmentStarted: SERVER_NOW - 120_000
    })
    const holding = { ...partA, segmentStarted: null }
    const rows = agendaRows(canvas, agenda, field, SERVER_NOW, holding)
    expect(rows[0]?.actualMs).toBe(420_000)
    expect(rows[0]?.status).toBe('running')
    expect(rows[1]?.status).toBe('planned')
    // the field's time is up; the part timer books from then on
    const done = timer({ target: 'A2', state: 'done', endedAt: SERVER_NOW - 60_000 })
    expect(agendaRows(canvas, agenda, done, SERVER_NOW, partA)[0]?.actualMs).toBe(360_000)
    expect(agendaRows(canvas, agenda, done, SERVER_NOW, partA)[0]?.status).toBe('running')
  })
})
