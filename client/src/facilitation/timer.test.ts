import { describe, expect, it } from 'vitest'
import type { TimerState } from '../model/control'
import { ServerClock } from './clock'
import { EndWatch, formatClock, parseDuration, remainingMs } from './timer'

const SERVER_NOW = 1_700_000_000_000

function timer (state: Partial<TimerState>): TimerState {
  return {
    target: 'A1',
    state: 'idle',
    endsAt: null,
    remainingMs: null,
    durationMs: null,
    lockOnEnd: false,
    endedAt: null,
    segmentStarted: null,
    ...state
  }
}

/** A clock on a device whose own time is `skew` ms off, synced once with no delay. */
function syncedClock (skew: number): ServerClock {
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
    expect(remainingMs(timer({ state: 'paused', remainingMs: 42_000, endsAt: SERVER_NOW }), SERVER_NOW + 1e6)).toBe(42_000)
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
