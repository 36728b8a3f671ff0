import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppPeer } from '../testing/appPeer'
import { AppRequestError } from './appmsg'

describe('AppChannel', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends a request as a type-100 frame, leaving out undefined arguments', async () => {
    const peer = new AppPeer()
    peer.answer = () => ({ ok: { seq: 1 } })
    peer.connect()
    await peer.app.request('focus.set', { field: 'A1', follow: undefined })
    expect(peer.sent).toEqual([{ id: 1, op: 'focus.set', args: { field: 'A1' } }])
  })

  it('resolves a request with its checked reply', async () => {
    const peer = new AppPeer()
    peer.answer = () => ({ ok: { seq: 4, extra: 'ignored' } })
    peer.connect()
    await expect(peer.app.request('focus.set', { field: null })).resolves.toEqual({ seq: 4 })
  })

  it('rejects a malformed reply as invalid', async () => {
    const peer = new AppPeer()
    peer.answer = () => ({ ok: { seq: 'four' } })
    peer.connect()
    const err = await peer.app.request('focus.set', { field: null }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppRequestError)
    expect(err).toMatchObject({ code: 'invalid', op: 'focus.set' })
  })

  it('rejects a refused request with the server code and message', async () => {
    const peer = new AppPeer()
    peer.answer = () => ({ error: { code: 'locked', message: 'field A1 is locked' } })
    peer.connect()
    await expect(peer.app.request('lock.set', { field: 'A1', locked: true })).rejects.toMatchObject({
      code: 'locked',
      message: 'field A1 is locked'
    })
  })

  it('fails pending requests when the connection drops', async () => {
    const peer = new AppPeer()
    peer.answer = () => null
    peer.connect()
    const pending = peer.app.request('clock', {})
    peer.disconnect()
    await expect(pending).rejects.toMatchObject({ code: 'offline' })
    expect(peer.app.connected).toBe(false)
  })

  it('refuses to send while disconnected', async () => {
    const peer = new AppPeer()
    await expect(peer.app.request('clock', {})).rejects.toMatchObject({ code: 'offline' })
    expect(peer.sent).toEqual([])
  })

  it('times out a request that gets no reply', async () => {
    vi.useFakeTimers()
    const peer = new AppPeer()
    peer.answer = () => null
    peer.connect()
    const pending = peer.app.request('clock', {}, 1000).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(999)
    peer.send(99, { ok: { server_ms: 1 } }) // a reply to another id changes nothing
    await vi.advanceTimersByTimeAsync(1)
    expect(await pending).toMatchObject({ code: 'timeout', op: 'clock' })
  })

  it('passes checked events to listeners until they unsubscribe', () => {
    const peer = new AppPeer()
    const seen: string[] = []
    const off = peer.app.onEvent((ev) => seen.push(ev.ev))
    peer.event('join.code', { join_code: null })
    peer.event('timer.ended', { target: 'A1' })
    off()
    peer.event('link.rotated', { role: 'viewer' })
    expect(seen).toEqual(['join.code'])
  })
})
