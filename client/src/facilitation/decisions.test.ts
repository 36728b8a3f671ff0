import { describe, expect, it } from 'vitest'
import { DECISION_MAX_CHARS } from '../sync/vocab.gen'
import { decisionArgs, excerpt } from './decisions'

describe('decisionArgs', () => {
  it('trims the text and leaves out what is not linked', () => {
    expect(decisionArgs('  Beirat gründen \n', null, null)).toEqual({ text: 'Beirat gründen' })
    expect(decisionArgs('Beirat', 'A1', null)).toEqual({ text: 'Beirat', field: 'A1' })
  })

  it('sends a note without the field, which the server takes from the note', () => {
    expect(decisionArgs('Beirat', 'A1', 'n1')).toEqual({ text: 'Beirat', note: 'n1' })
  })

  it('refuses blank and too long text before the server has to', () => {
    expect(decisionArgs('  \n ', 'A1', null)).toBeNull()
    expect(decisionArgs('x'.repeat(DECISION_MAX_CHARS + 1), null, null)).toBeNull()
    expect(decisionArgs('x'.repeat(DECISION_MAX_CHARS), null, null)).not.toBeNull()
  })
})

describe('excerpt', () => {
  it('puts a note on one line and shortens it', () => {
    expect(excerpt('Wir  treffen\nuns')).toBe('Wir treffen uns')
    expect(excerpt('abcdefghij', 5)).toBe('abcd…')
    expect(excerpt('abcde', 5)).toBe('abcde')
  })
})
