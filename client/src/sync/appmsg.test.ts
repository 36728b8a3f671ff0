import { encode } from '@msgpack/msgpack'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppPeer } from '../testing/appPeer'
import { AppRequestError, allowed, decodeServerMessage, type Op, REPLY_READERS, readEvent, refusalCode } from './appmsg'
import { OPS, ROLES } from './vocab.gen'

const msg = (value: unknown): Uint8Array => encode(value)

describe('decodeServerMessage', () => {
  it('rejects bytes that are not msgpack', () => {
    expect(decodeServerMessage(new Uint8Array([0xc1]))).toBeNull()
    expect(decodeServerMessage(new Uint8Array([0x81]))).toBeNull() // a map header, then nothing
  })

  it('rejects values that are not maps', () => {
    for (const v of [[1, 2], 'ok', null, 7]) expect(decodeServerMessage(msg(v))).toBeNull()
  })

  it('rejects a map that is neither reply nor event', () => {
    expect(decodeServerMessage(msg({ re: 1 }))).toBeNull()
    expect(decodeServerMessage(msg({ ev: 5 }))).toBeNull()
  })

  it('reads an error reply, whatever the server put in it', () => {
    expect(decodeServerMessage(msg({ re: 3, ok: false, error: 'boom' }))).toEqual({
      re: 3,
      ok: false,
      error: { code: 'invalid', message: '' }
    })
  })
})

describe('readEvent', () => {
  it('drops events the server does not send', () => {
    expect(readEvent({ ev: 'timer.ended', target: 'A1' })).toBeNull()
    expect(readEvent({ ev: 'toString' })).toBeNull()
    expect(readEvent({ ev: '__proto__' })).toBeNull()
  })

  it('reads join.code with a code and with null', () => {
    expect(readEvent({ ev: 'join.code', join_code: 'ABCD-2345', join_code_expires_at: 1.5e12 })).toEqual({
      ev: 'join.code',
      join_code: 'ABCD-2345',
      join_code_expires_at: 1.5e12
    })
    expect(readEvent({ ev: 'join.code', join_code: null })).toEqual({ ev: 'join.code', join_code: null, join_code_expires_at: null })
  })

  it('refuses join.code without a string or null', () => {
    expect(readEvent({ ev: 'join.code', join_code: 5 })).toBeNull()
    expect(readEvent({ ev: 'join.code' })).toBeNull()
  })

  it('refuses link.rotated for a role that does not exist', () => {
    expect(readEvent({ ev: 'link.rotated', role: 'admin' })).toBeNull()
    expect(readEvent({ ev: 'link.rotated', role: 'viewer' })).toEqual({ ev: 'link.rotated', role: 'viewer' })
  })

  it('keeps only well-formed private notes', () => {
    const ev = readEvent({
      ev: 'private.notes',
      notes: [{ id: 'n1', field: 'A1', text: 'hi', x: 0.5, y: 'no' }, { id: 2, field: 'A1' }, 'junk']
    })
    expect(ev).toEqual({
      ev: 'private.notes',
      notes: [{ id: 'n1', field: 'A1', text: 'hi', color: undefined, x: 0.5, y: undefined, group: null, author: null, created_at: 0, updated_at: 0 }]
    })
    expect(readEvent({ ev: 'private.notes', notes: 'n1' })).toBeNull()
  })

  it('reads a ballot, ignoring dots that are not positive numbers', () => {
    expect(readEvent({ ev: 'vote.state', state: 'open', round: 'r1', mine: { a: 2, b: 0, c: 'x' }, remaining: 3 })).toEqual({
      ev: 'vote.state',
      state: 'open',
      round: 'r1',
      mine: { a: 2 },
      remaining: 3
    })
    expect(readEvent({ ev: 'vote.state', state: 'weird' })).toEqual({ ev: 'vote.state', state: 'idle' })
  })

  it('reads rejected with a fallback code and reason', () => {
    expect(readEvent({ ev: 'rejected', code: 4, reason: null })).toEqual({
      ev: 'rejected', code: 'invalid', reason: '', params: {}, notes: [], whole: true, parked: []
    })
  })

  it('reads the refused notes and parked words of a partly refused update', () => {
    const ev = readEvent({
      ev: 'rejected',
      code: 'locked',
      reason: 'field A1 is locked',
      params: { field: 'A1', bad: { x: 1 } },
      notes: [{ id: 'n1', code: 'locked', params: { field: 'A1' } }, { id: 7 }],
      whole: false,
      parked: [{ id: 'n1', field: 'A1', text: 'Satz' }, { id: 'n2' }]
    })
    expect(ev).toEqual({
      ev: 'rejected',
      code: 'locked',
      reason: 'field A1 is locked',
      params: { field: 'A1' },
      notes: [{ id: 'n1', code: 'locked', params: { field: 'A1' } }],
      whole: false,
      parked: [{ id: 'n1', field: 'A1', text: 'Satz' }]
    })
  })
})

describe('reply readers', () => {
  it('refuse a hello without a known role or the server clock', () => {
    expect(REPLY_READERS.hello({ role: 'admin', server_ms: 1 })).toBeNull()
    expect(REPLY_READERS.hello({ role: 'viewer' })).toBeNull()
    expect(REPLY_READERS.hello({ role: 'viewer', server_ms: Number.NaN })).toBeNull()
  })

  it('read a full hello and leave out what is malformed', () => {
    const hello = REPLY_READERS.hello({
      role: 'moderator',
      author_id: 'abc',
      server_ms: 1700000000000,
      board: 'b1',
      limits: { max_note_chars: 500, max_notes: 'many' },
      join_code: 7,
      private_notes: [{ id: 'p', field: 'A1', text: 't' }, null],
      vote: { state: 'closed' }
    })
    expect(hello).toMatchObject({
      role: 'moderator',
      author_id: 'abc',
      server_ms: 1700000000000,
      board: 'b1',
      limits: { max_note_chars: 500 },
      vote: { state: 'closed' }
    })
    expect(hello?.join_code).toBeUndefined()
    expect(hello?.private_notes?.map((n) => n.id)).toEqual(['p'])
  })

  it('accept timer.extend with nulls but not with strings', () => {
    expect(REPLY_READERS['timer.extend']({ ends_at: null, remaining_ms: 5000 })).toEqual({ ends_at: null, remaining_ms: 5000 })
    expect(REPLY_READERS['timer.extend']({ ends_at: '5', remaining_ms: 5000 })).toBeNull()
  })

  it('refuse vote results with a total that is not a number', () => {
    const ok = { results: { n1: { total: 3, by_group: { a: 2, b: 1 } } }, voters: 2 }
    expect(REPLY_READERS['vote.close'](ok)).toEqual(ok)
    expect(REPLY_READERS['vote.close']({ results: { n1: { total: '3', by_group: {} } }, voters: 2 })).toBeNull()
  })

  it('keep the join code of link.rotate only when the server sent one', () => {
    expect(REPLY_READERS['link.rotate']({ role: 'viewer', token: 't' })).toEqual({ role: 'viewer', token: 't' })
    expect(REPLY_READERS['link.rotate']({ role: 'participant', token: 't', join_code: 'ABCD-2345' })).toEqual({
      role: 'participant',
      token: 't',
      join_code: 'ABCD-2345',
      join_code_expires_at: null
    })
  })

  it('refuse an empty reply for every op whose reply carries data', () => {
    const acceptEmpty = (Object.keys(OPS) as Op[]).filter((op) => REPLY_READERS[op]({}) !== null).sort()
    // join.rotate may answer without a code (the board has none)
    expect(acceptEmpty).toEqual(['join.rotate', 'late.dismiss', 'private.delete', 'private.set', 'timer.stop', 'vote.cancel', 'vote.cast', 'vote.retract'])
  })
})

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

describe('allowed', () => {
  it('follows the generated op table', () => {
    expect(allowed('viewer', 'timer.start')).toBe(false)
    expect(allowed('participant', 'vote.cast')).toBe(true)
    expect(allowed(null, 'hello')).toBe(false)
    for (const op of Object.keys(OPS) as Op[]) expect(allowed('moderator', op)).toBe(true)
    for (const role of ROLES) expect(allowed(role, 'hello')).toBe(true)
  })
})

describe('refusalCode', () => {
  it('names server codes, offline and timeout, and counts anything else as invalid', () => {
    expect(refusalCode(new AppRequestError('clock', { code: 'not_found', message: '' }))).toBe('not_found')
    expect(refusalCode(new AppRequestError('clock', { code: 'timeout', message: '' }))).toBe('timeout')
    expect(refusalCode(new AppRequestError('clock', { code: 'brand-new', message: '' }))).toBe('invalid')
    expect(refusalCode(new Error('network'))).toBe('offline')
  })
})
