import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PrivateNote } from '../sync/appTypes'
import { AppPeer } from '../testing/appPeer'
import { PrivateNotes } from './private'

const spot = { field: 'A1', x: 0.5, y: 0.5, color: 'yellow' }

function serverNote(id: string, text: string): PrivateNote {
  return { id, field: 'A1', text, group: null, author: null, created_at: 1, updated_at: 1 }
}

describe('PrivateNotes', () => {
  let peer: AppPeer
  let notes: PrivateNotes

  beforeEach(() => {
    vi.useFakeTimers()
    peer = new AppPeer()
    peer.answer = (req) => ({ ok: req.op === 'private.put' ? { id: String(req.args.note) } : {} })
    peer.connect()
    notes = new PrivateNotes(peer.app)
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends a new note at once and its edits after a pause in typing', async () => {
    const id = notes.create({ ...spot, text: 'a' })
    expect(peer.sent.map((r) => r.op)).toEqual(['private.put'])
    notes.edit(id, 'ab')
    notes.edit(id, 'abc')
    await vi.advanceTimersByTimeAsync(399)
    expect(peer.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(peer.sent).toHaveLength(2)
    expect(peer.sent[1]?.args).toMatchObject({ note: id, field: 'A1', text: 'abc' })
    await vi.runAllTimersAsync()
    expect(notes.pending()).toBe(0)
  })

  it('keeps the text being typed when the server’s list arrives', async () => {
    notes.replace([serverNote('p1', 'old')])
    notes.edit('p1', 'typing…')
    notes.replace([serverNote('p1', 'old'), serverNote('p2', 'other')])
    expect(notes.get('p1')?.text).toBe('typing…')
    expect(notes.all().map((n) => n.id)).toEqual(['p1', 'p2'])
    await vi.runAllTimersAsync()
    expect(peer.sent.at(-1)?.args).toMatchObject({ note: 'p1', text: 'typing…' })
  })

  it('drops a new note the server refused, and says why', async () => {
    peer.answer = () => ({ error: { code: 'conflict', message: 'A1 is not in private mode' } })
    const errors: unknown[] = []
    notes.onError = (err) => errors.push(err)
    const id = notes.create(spot)
    expect(notes.get(id)).toBeDefined()
    await vi.runAllTimersAsync()
    expect(notes.get(id)).toBeUndefined()
    expect(errors).toMatchObject([{ code: 'conflict' }])
  })

  it('asks the server to delete a removed note', async () => {
    notes.replace([serverNote('p1', 'x')])
    notes.remove('p1')
    expect(notes.all()).toEqual([])
    expect(peer.sent).toEqual([{ id: 1, op: 'private.delete', args: { note: 'p1' } }])
  })
})
