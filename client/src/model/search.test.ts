import { describe, expect, it } from 'vitest'
import { EMPTY_QUERY, fold, isActive, matches, NO_GROUP, type Searchable, search } from './search'

const notes: Searchable[] = [
  { id: 'a', text: 'Repair-Café im Stadtteil Ada', color: 'yellow', group: 'youth' },
  { id: 'b', text: 'Stadtwerke fragen', color: 'blue', group: 'administration' },
  { id: 'c', text: 'Termin vereinbaren', color: 'yellow', group: null }
]

describe('find and filter', () => {
  it('finds every word, ignoring case and accents', () => {
    expect(search({ ...EMPTY_QUERY, text: 'cafe' }, notes)).toEqual(['a'])
    expect(search({ ...EMPTY_QUERY, text: '  STADT  ' }, notes)).toEqual(['a', 'b'])
    expect(search({ ...EMPTY_QUERY, text: 'stadt fragen' }, notes)).toEqual(['b'])
    expect(search({ ...EMPTY_QUERY, text: 'nirgends' }, notes)).toEqual([])
  })

  it('filters by colour and group, alone or with words', () => {
    expect(search({ ...EMPTY_QUERY, color: 'yellow' }, notes)).toEqual(['a', 'c'])
    expect(search({ ...EMPTY_QUERY, group: 'administration' }, notes)).toEqual(['b'])
    expect(search({ ...EMPTY_QUERY, group: NO_GROUP }, notes)).toEqual(['c'])
    expect(search({ text: 'termin', color: 'yellow', group: 'youth' }, notes)).toEqual([])
  })

  it('an empty query is no search: nothing is dimmed', () => {
    expect(isActive({ ...EMPTY_QUERY, text: '   ' })).toBe(false)
    expect(search(EMPTY_QUERY, notes)).toBeNull()
    expect(matches(EMPTY_QUERY, notes[1] as Searchable)).toBe(true)
  })

  it('folds umlauts the same way on both sides', () => {
    expect(fold('München')).toBe('munchen')
    expect(fold('MÜNCHEN')).toBe(fold('münchen'))
    expect(search({ ...EMPTY_QUERY, text: 'CAFÉ' }, notes)).toEqual(['a'])
  })
})
