import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { de, type MessageKey } from './de'
import { en } from './en'
import { type Locale, setLocale, t, tn } from './index'

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { de, en }

// plural words that must never follow the number 1 (the singular then has its own `.one` form)
const PLURAL_AFTER_ONE =
  /\b1 (private )?(Notizen|Punkte|Personen|Stände|gespeicherte Stände|notes|dots|people|snapshots|saved snapshots)\b|\b1 (von|of) \d+ (haben|have)\b/

beforeEach(() => {
  // setLocale marks the page's language; these tests run in Node without a page
  vi.stubGlobal('document', { documentElement: { lang: 'de' } })
})

afterEach(() => {
  setLocale('de')
  vi.unstubAllGlobals()
})

describe('tn', () => {
  it('takes the .one form for exactly one and the plain form for 0, 2 and more', () => {
    expect(tn('field.count', 1)).toBe('1 Notiz')
    expect(tn('field.count', 0)).toBe('0 Notizen')
    expect(tn('field.count', 2)).toBe('2 Notizen')
    expect(tn('counts.written', 1, { of: 12 })).toBe('1 von 12 hat geschrieben')
    expect(tn('counts.written', 7, { of: 12 })).toBe('7 von 12 haben geschrieben')
    setLocale('en')
    expect(tn('field.count', 1)).toBe('1 note')
    expect(tn('counts.written', 1, { of: 12 })).toBe('1 of 12 has written')
    expect(tn('vote.banner.closed', 1, { fields: 'A1' })).toBe('The vote in A1 is closed (1 person voted).')
  })

  it('keeps other placeholders in both forms', () => {
    expect(tn('vote.banner.open', 1, { fields: 'A1', left: 1 })).toBe(
      'Punkte-Abstimmung in A1: Sie haben noch 1 von 1 Punkt.'
    )
    expect(tn('vote.banner.open', 3, { fields: 'A1', left: 2 })).toBe(
      'Punkte-Abstimmung in A1: Sie haben noch 2 von 3 Punkten.'
    )
  })
})

describe('count texts', () => {
  for (const locale of ['de', 'en'] as const) {
    const catalog = CATALOGS[locale]
    const keys = Object.keys(catalog) as MessageKey[]

    it(`${locale}: no count text says "1" with a plural word`, () => {
      setLocale(locale)
      const bad: string[] = []
      for (const key of keys) {
        if (key.endsWith('.one') || !catalog[key].includes('{count}')) continue
        const params = { count: 1, of: 12, left: 1, max: 2, fields: 'A1', field: 'A1', groups: 'x', kind: 'x' }
        const one = `${key}.one` in catalog ? t(`${key}.one` as MessageKey, params) : t(key, params)
        if (PLURAL_AFTER_ONE.test(one)) bad.push(`${key}: ${one}`)
      }
      expect(bad).toEqual([])
    })

    it(`${locale}: every .one form has its plural beside it, and keeps its other placeholders`, () => {
      for (const key of keys.filter((k) => k.endsWith('.one'))) {
        const base = key.slice(0, -'.one'.length) as MessageKey
        expect(catalog[base], key).toBeDefined()
        expect(catalog[base], base).toContain('{count}')
        const others = (s: string): string[] => (s.match(/\{\w+\}/g) ?? []).filter((p) => p !== '{count}').sort()
        expect(others(catalog[key]), key).toEqual(others(catalog[base]))
      }
    })
  }
})
