// A tiny change notification: views subscribe, stores emit (no DOM, no payload).

export class Signal {
  private readonly fns = new Set<() => void>()

  on(fn: () => void): () => void {
    this.fns.add(fn)
    return () => this.fns.delete(fn)
  }

  emit(): void {
    for (const fn of [...this.fns]) fn()
  }
}
