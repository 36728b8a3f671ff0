import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { AppRequestError, decodeServerMessage, refusalCode } from './appmsg'

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

describe('refusalCode', () => {
  it('names server codes, offline and timeout, and counts anything else as invalid', () => {
    expect(refusalCode(new AppRequestError('clock', { code: 'not_found', message: '' }))).toBe('not_found')
    expect(refusalCode(new AppRequestError('clock', { code: 'timeout', message: '' }))).toBe('timeout')
    expect(refusalCode(new AppRequestError('clock', { code: 'brand-new', message: '' }))).toBe('invalid')
    expect(refusalCode(new Error('network'))).toBe('offline')
  })
})
