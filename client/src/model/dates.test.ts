import { describe, expect, it } from 'vitest'
import { dueWords, isValidDue } from './dates'

describe('isValidDue', () => {
  it.each(['', '2000-01-01', '2026-05-12', '2028-02-29', '2100-12-31'])('accepts %j', (value) => {
    expect(isValidDue(value)).toBe(true)
  })

  it.each([
    '92026-05-12',
    '1999-12-31',
    '2101-01-01',
    '2026-02-30',
    '2027-02-29',
    '2026-13-01',
    '2026-5-1',
    '12.05.2026',
    '2026-05-12T00:00',
    ' 2026-05-12'
  ])('refuses %j', (value) => {
    expect(isValidDue(value)).toBe(false)
  })
})

describe('dueWords', () => {
  it('writes a due date as the reader does', () => {
    expect(dueWords('2026-12-24', 'de')).toBe('24.12.2026')
    expect(dueWords('2026-12-24', 'en-GB')).toBe('24/12/2026')
  })
})
