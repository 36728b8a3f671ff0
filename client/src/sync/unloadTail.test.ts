import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type Barrier, type TailStorage, UnloadTail } from './unloadTail'

class MemoryStorage implements TailStorage {
  readonly items = new Map<string, string>()
  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value)
  }
  removeItem(key: string): void {
    this.items.delete(key)
  }
}

/** A barrier the test completes by hand, like a transaction still running at unload. */
function manualBarrier(): { barrier: Barrier; finish: (stored?: boolean) => void } {
  const queue: Array<(stored: boolean) => void> = []
  return {
    barrier: (done) => {
      queue.push(done)
      return true
    },
    finish: (stored = true) => {
      const done = queue.shift()
      if (!done) throw new Error('no barrier running')
      done(stored)
    }
  }
}

const KEY = 'cocanvas:b:unsaved'

function type(doc: Y.Doc, text: string): void {
  doc.getText('t').insert(doc.getText('t').length, text)
}

describe('UnloadTail', () => {
  it('writes a keystroke whose store had not finished and the next page applies it', () => {
    const storage = new MemoryStorage()
    const doc = new Y.Doc()
    const b = manualBarrier()
    const tail = new UnloadTail(doc, storage, KEY, b.barrier)
    const stored: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => stored.push(u))
    type(doc, 'Sta')
    b.finish()
    type(doc, 'rt!')
    expect(tail.pending()).toBe(1)
    tail.flush()
    expect(storage.items.has(KEY)).toBe(true)

    // the next page: its own copy has only what was stored ("Sta")
    const next = new Y.Doc()
    Y.applyUpdate(next, stored[0] ?? new Uint8Array(), 'idb')
    expect(next.getText('t').toString()).toBe('Sta')
    const again = new UnloadTail(next, storage, KEY, manualBarrier().barrier)
    expect(again.restore('tail')).toBe(true)
    expect(next.getText('t').toString()).toBe('Start!')
  })

  it('writes nothing once every update is stored, and clears what an earlier page wrote', () => {
    const storage = new MemoryStorage()
    storage.setItem(KEY, 'old')
    const doc = new Y.Doc()
    const b = manualBarrier()
    const tail = new UnloadTail(doc, storage, KEY, b.barrier)
    type(doc, 'abc')
    b.finish()
    expect(tail.pending()).toBe(0)
    expect(storage.items.has(KEY)).toBe(false)
    tail.flush()
    expect(storage.items.has(KEY)).toBe(false)
  })

  it('keeps updates from the server or the device copy out', () => {
    const storage = new MemoryStorage()
    const other = new Y.Doc()
    type(other, 'remote')
    const doc = new Y.Doc()
    const tail = new UnloadTail(doc, storage, KEY, manualBarrier().barrier)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), 'provider')
    expect(tail.pending()).toBe(0)
  })

  it('keeps what a failed store left open and what was typed meanwhile', () => {
    const storage = new MemoryStorage()
    const doc = new Y.Doc()
    const b = manualBarrier()
    const tail = new UnloadTail(doc, storage, KEY, b.barrier)
    type(doc, 'a')
    type(doc, 'b')
    b.finish(false)
    expect(tail.pending()).toBe(2)
    type(doc, 'c')
    b.finish(true)
    expect(tail.pending()).toBe(0)
  })

  it('waits for the store to open, then settles everything at once', () => {
    const storage = new MemoryStorage()
    const doc = new Y.Doc()
    let db = false
    const finishers: Array<(stored: boolean) => void> = []
    const tail = new UnloadTail(doc, storage, KEY, (done) => {
      if (!db) return false
      finishers.push(done)
      return true
    })
    type(doc, 'x')
    type(doc, 'y')
    expect(finishers.length).toBe(0)
    db = true
    tail.settle()
    expect(finishers.length).toBe(1)
    finishers[0]?.(true)
    expect(tail.pending()).toBe(0)
  })

  it('merges a long run of updates while a store runs, and loses none of them', () => {
    const storage = new MemoryStorage()
    const doc = new Y.Doc()
    const b = manualBarrier()
    const tail = new UnloadTail(doc, storage, KEY, b.barrier)
    for (const ch of 'x'.repeat(200)) type(doc, ch)
    expect(tail.pending()).toBeLessThan(70)
    tail.flush()
    const next = new Y.Doc()
    new UnloadTail(next, storage, KEY, manualBarrier().barrier).restore('tail')
    expect(next.getText('t').toString()).toBe('x'.repeat(200))
  })

  it('drops a damaged entry without applying anything', () => {
    const storage = new MemoryStorage()
    storage.setItem(KEY, '%%% not base64 %%%')
    const doc = new Y.Doc()
    const tail = new UnloadTail(doc, storage, KEY, manualBarrier().barrier)
    expect(tail.restore('tail')).toBe(false)
    expect(storage.items.has(KEY)).toBe(false)
    expect(doc.getText('t').toString()).toBe('')
  })

  it('after stop() nothing is written down: a copy being dropped leaves no tail (P117)', () => {
    const storage = new MemoryStorage()
    const doc = new Y.Doc()
    const tail = new UnloadTail(doc, storage, KEY, manualBarrier().barrier)
    type(doc, 'alt')
    tail.flush()
    expect(storage.items.has(KEY)).toBe(true)
    tail.stop()
    expect(storage.items.has(KEY)).toBe(false)
    type(doc, 'noch mehr')
    tail.flush()
    expect(storage.items.has(KEY)).toBe(false)
    expect(tail.pending()).toBe(0)
  })
})
