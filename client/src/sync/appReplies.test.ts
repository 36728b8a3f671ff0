import { describe, expect, it } from 'vitest'
import { REPLY_READERS } from './appReplies'
import type { Op } from './appTypes'
import { OPS } from './vocab.gen'

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
    expect(REPLY_READERS['timer.extend']({ ends_at: null, remaining_ms: 5000 })).toEqual({
      ends_at: null,
      remaining_ms: 5000
    })
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
    expect(acceptEmpty).toEqual([
      'join.rotate',
      'late.dismiss',
      'private.delete',
      'private.set',
      'timer.stop',
      'vote.cancel',
      'vote.cast',
      'vote.retract'
    ])
  })
})
