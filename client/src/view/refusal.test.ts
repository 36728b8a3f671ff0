import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCALES, setLocale, t, tx } from '../i18n'
import { Canvas, getCanvas } from '../model/canvas'
import { refusalText } from './drafts'
import { columnLabel } from './tableRows'

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

describe('columnLabel', () => {
  it("names a parked key as the table's or action list's column does, nothing elsewhere", () => {
    const canvas = new Canvas(getCanvas('ko-kreation') ?? fail())
    const table = canvas.field('B4')
    const actions = canvas.field('C3')
    expect(columnLabel(table, 'tasks')).toBe(tx(table?.columns?.[3]?.label))
    expect(columnLabel(table, 'tasks')).toBeTruthy()
    expect(columnLabel(actions, 'owner')).toBe(tx(actions?.columns?.[1]?.label))
    expect(columnLabel(actions, 'owner')).not.toBe(columnLabel(actions, 'text'))
    expect(columnLabel(canvas.field('A1'), 'tasks')).toBeNull()
    expect(columnLabel(undefined, 'tasks')).toBeNull()
  })
})

function fail(): never {
  throw new Error('canvas missing')
}
