import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCALES, setLocale, t } from '../i18n'
import { refusalText } from './drafts'

beforeEach(() => {
  // setLocale marks the page's language; these tests run in Node without a page
  vi.stubGlobal('document', { documentElement: { lang: 'de' } })
})

afterEach(() => {
  setLocale('de')
  vi.unstubAllGlobals()
})

describe('refusalText', () => {
  it('words an overtaken change (P266) apart from other conflicts, in both languages', () => {
    for (const lang of LOCALES) {
      setLocale(lang)
      const text = refusalText('conflict', { why: 'overtaken' })
      expect(text).toBe(t('rejected.overtaken'))
      expect(text).not.toBe(t('rejected.invalid'))
      expect(refusalText('conflict', {})).toBe(t('rejected.invalid'))
    }
  })
})
