// The server's clock as seen from here: offset = server_ms - (sent + received) / 2 from a few
// `clock` round trips, keeping the sample with the lowest round-trip time (its error is at
// most half that time). Every countdown is computed from server time, so people whose
// laptops run minutes fast or slow still see the same remaining time.

export interface ClockSample {
  offset: number
  rtt: number
}

export class ServerClock {
  private best: ClockSample | null = null
  private readonly local: () => number

  constructor(local: () => number = () => Date.now()) {
    this.local = local
  }

  /** Milliseconds to add to this device's clock to get the server's. */
  offset(): number {
    return this.best?.offset ?? 0
  }

  /** Best known estimate of the server's epoch milliseconds now. */
  now(): number {
    return this.local() + this.offset()
  }

  sample(): ClockSample | null {
    return this.best
  }

  add(sent: number, received: number, serverMs: number): void {
    if (!Number.isFinite(serverMs) || received < sent) return
    const s = { offset: serverMs - (sent + received) / 2, rtt: received - sent }
    if (!this.best || s.rtt <= this.best.rtt) this.best = s
  }

  /** Forget old samples (a new connection may take another route). */
  reset(): void {
    this.best = null
  }

  /** Measure `samples` round trips one after the other. */
  async sync(ask: () => Promise<{ server_ms: number }>, samples = 5): Promise<void> {
    for (let i = 0; i < samples; i++) {
      const sent = this.local()
      const reply = await ask()
      this.add(sent, this.local(), reply.server_ms)
    }
  }
}
