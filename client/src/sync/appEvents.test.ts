import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { readEvent } from './appEvents'

const _msg = (value: unknown): Uint8Array => encode(value)

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
    expect(readEvent({ ev: 'join.code', join_code: null })).toEqual({
      ev: 'join.code',
      join_code: null,
      join_code_expires_at: null
    })
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
      notes: [
        {
          id: 'n1',
          field: 'A1',
          text: 'hi',
          color: undefined,
          x: 0.5,
          y: undefined,
          group: null,
          author: null,
          created_at: 0,
          updated_at: 0
        }
      ]
    })
    expect(readEvent({ ev: 'private.notes', notes: 'n1' })).toBeNull()
  })

  it('reads a ballot, ignoring dots that are not positive numbers', () => {
    expect(
      readEvent({ ev: 'vote.state', state: 'open', round: 'r1', mine: { a: 2, b: 0, c: 'x' }, remaining: 3 })
    ).toEqual({
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
      ev: 'rejected',
      code: 'invalid',
      reason: '',
      params: {},
      notes: [],
      whole: true,
      parked: []
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
