import { describe, expect, it } from 'vitest'
import { ServerClock } from './clock'

/** A device clock that reads `skew` ms off the server's and advances by hand. */
function device(skew: number): { now: () => number; advance: (ms: number) => void; server: () => number } {
  let server = 1_700_000_000_000
  return {
    now: () => server + skew,
    advance: (ms) => {
      server += ms
    },
    server: () => server
  }
}

describe('ServerClock', () => {
  it('takes the offset from the middle of the round trip', () => {
    const clock = new ServerClock(() => 0)
    clock.add(1000, 1100, 5050)
    expect(clock.offset()).toBe(4000)
    expect(clock.sample()).toEqual({ offset: 4000, rtt: 100 })
  })

  it('keeps the sample with the shortest round trip', () => {
    const clock = new ServerClock(() => 0)
    clock.add(0, 400, 1000) // offset 800, rtt 400
    clock.add(1000, 1020, 2010) // offset 1000, rtt 20
    clock.add(2000, 2300, 3000) // offset 850, rtt 300
    expect(clock.offset()).toBe(1000)
  })

  it('ignores samples that cannot be right', () => {
    const clock = new ServerClock(() => 0)
    clock.add(100, 50, 1000)
    clock.add(0, 10, Number.NaN)
    expect(clock.sample()).toBeNull()
    expect(clock.offset()).toBe(0)
  })

  it('forgets its samples on reset', () => {
    const clock = new ServerClock(() => 0)
    clock.add(0, 10, 500)
    clock.reset()
    expect(clock.offset()).toBe(0)
  })

  it('measures with round trips and then reads the server time on a skewed device', async () => {
    const d = device(-7 * 60_000) // seven minutes slow
    const clock = new ServerClock(d.now)
    let asked = 0
    await clock.sync(async () => {
      asked++
      d.advance(15)
      const reply = { server_ms: d.server() }
      d.advance(15)
      return reply
    }, 3)
    expect(asked).toBe(3)
    expect(clock.offset()).toBe(7 * 60_000)
    expect(clock.now()).toBe(d.server())
  })
})
