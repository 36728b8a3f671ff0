import { describe, expect, it } from 'vitest'
import { formatJoinCode, normalizeJoinCode, parseJoinInput } from './joincode'

const here = new URL('https://board.example.org/')

describe('normalizeJoinCode', () => {
  it.each(['ABCD-2345', 'abcd2345', 'abcd 2345', ' ab cd-23 45 ', 'Abcd–2345'])('reads %j as ABCD2345', (text) => {
    expect(normalizeJoinCode(text)).toBe('ABCD2345')
  })

  it.each(['ABCD-234', 'ABCD-23456', 'ABCD-23?5', '', 'x'.repeat(100)])('refuses %j', (text) => {
    expect(normalizeJoinCode(text)).toBeNull()
  })

  it('formats with a dash in the middle', () => {
    expect(formatJoinCode('ABCD2345')).toBe('ABCD-2345')
  })
})

describe('parseJoinInput', () => {
  it('takes a code', () => {
    expect(parseJoinInput('abcd-2345', here)).toEqual({ kind: 'code', code: 'ABCD2345' })
  })

  it('opens a full link on this server', () => {
    expect(parseJoinInput('https://board.example.org/b/AbCdEf123456#k=secret', here)).toEqual({
      kind: 'link',
      href: 'https://board.example.org/b/AbCdEf123456#k=secret'
    })
  })

  it('opens a link typed without scheme on this origin, never on http', () => {
    expect(parseJoinInput('board.example.org/b/AbCdEf123456#k=secret', here)).toEqual({
      kind: 'link',
      href: 'https://board.example.org/b/AbCdEf123456#k=secret'
    })
    expect(parseJoinInput('http://board.example.org/b/AbCdEf123456', here)).toEqual({
      kind: 'link',
      href: 'https://board.example.org/b/AbCdEf123456'
    })
  })

  it('opens the code prompt for a link without key and for /join', () => {
    expect(parseJoinInput('board.example.org/b/AbCdEf123456', here)).toEqual({
      kind: 'link',
      href: 'https://board.example.org/b/AbCdEf123456'
    })
    expect(parseJoinInput('board.example.org/join', here)).toEqual({
      kind: 'link',
      href: 'https://board.example.org/join'
    })
  })

  it('names another server instead of going there', () => {
    expect(parseJoinInput('evil.example.com/b/AbCdEf123456#k=x', here)).toEqual({
      kind: 'elsewhere',
      host: 'evil.example.com'
    })
  })

  it.each([
    '',
    'hello world',
    'ABCD-234',
    'abcd-234.de',
    'other.example.com',
    'board.example.org/admin',
    'javascript:alert(1)',
    'https://board.example.org/b/a'
  ])('refuses %j', (text) => {
    expect(parseJoinInput(text, here)).toEqual({ kind: 'invalid' })
  })
})
