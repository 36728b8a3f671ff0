import { describe, expect, it, vi } from 'vitest'
import { AppPeer } from '../testing/appPeer'
import { Facilitation } from './session'

function session(): { peer: AppPeer; fac: Facilitation; changes: () => number } {
  const peer = new AppPeer()
  peer.answer = (req) => ({ ok: req.op === 'clock' ? { server_ms: 1_700_000_000_000 } : {} })
  peer.connect()
  const fac = new Facilitation(peer.app, 'board1')
  let changed = 0
  fac.changed.on(() => changed++)
  return { peer, fac, changes: () => changed }
}

describe('Facilitation events', () => {
  it('takes a new join code from the join.code event, and hides it on null', () => {
    const { peer, fac, changes } = session()
    peer.event('join.code', { join_code: 'WXYZ-2345' })
    expect(fac.joinCode).toBe('WXYZ-2345')
    peer.event('join.code', { join_code: null })
    expect(fac.joinCode).toBeNull()
    expect(changes()).toBe(2)
  })

  it('notes that its link was replaced', () => {
    const { peer, fac } = session()
    peer.event('link.rotated', { role: 'participant' })
    expect(fac.linkRotated).toBe(true)
  })

  it('takes this person’s ballot and private notes from the server', () => {
    const { peer, fac } = session()
    peer.event('vote.state', { state: 'open', round: 'r1', mine: { n1: 2 }, remaining: 1 })
    expect(fac.ballot.mine('n1')).toBe(2)
    expect(fac.ballot.remaining()).toBe(1)
    peer.event('private.notes', { notes: [{ id: 'p1', field: 'A1', text: 'x' }] })
    expect(fac.privateNotes.all().map((n) => n.id)).toEqual(['p1'])
  })
})

describe('Facilitation hello', () => {
  it('takes role, join code and ballot from hello, then measures the server clock', async () => {
    const { peer, fac } = session()
    fac.onHello({ role: 'viewer', author_id: null, server_ms: 1, join_code: 'ABCD-2345', vote: { state: 'idle' } })
    expect(fac.joinCode).toBe('ABCD-2345')
    expect(fac.permissions()).toEqual({ moderate: false, write: false, vote: false, writePrivate: false })
    expect(fac.isProjector()).toBe(true)
    await vi.waitFor(() => expect(peer.sent.filter((r) => r.op === 'clock')).toHaveLength(5))
    expect(fac.clock.sample()).not.toBeNull()
  })
})
