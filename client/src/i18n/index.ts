// UI translation: t(key, params) in the current locale, German first, English second.
import { de, type MessageKey } from './de'
import { en } from './en'

export type { MessageKey }
export const LOCALES = ['de', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { de, en }
const UI_LOCALE_KEY = 'cocanvas:ui-locale'

let current: Locale = 'de'
const listeners = new Set<(locale: Locale) => void>()

export function isLocale(value: unknown): value is Locale {
  return value === 'de' || value === 'en'
}

export function locale(): Locale {
  return current
}

export function setLocale(next: Locale, remember = false): void {
  if (remember) {
    try {
      localStorage.setItem(UI_LOCALE_KEY, next)
    } catch {
      // storage may be unavailable (private mode); the choice then lasts for this page only
    }
  }
  if (next === current) return
  current = next
  document.documentElement.lang = next
  for (const fn of listeners) fn(next)
}

/** The locale this device chose before, if any. */
export function rememberedLocale(): Locale | null {
  try {
    const v = localStorage.getItem(UI_LOCALE_KEY)
    return isLocale(v) ? v : null
  } catch {
    return null
  }
}

/** A best guess from the browser: German unless the browser prefers English. */
export function browserLocale(): Locale {
  for (const lang of navigator.languages ?? [navigator.language]) {
    const short = lang.slice(0, 2).toLowerCase()
    if (isLocale(short)) return short
  }
  return 'de'
}

export function onLocale(fn: (locale: Locale) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = CATALOGS[current][key] ?? de[key]
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name]
    return v === undefined ? m : String(v)
  })
}

/** Keys that have a `.one` form beside them (German and English need no more plural forms). */
export type PluralKey = { [K in MessageKey]: `${K}.one` extends MessageKey ? K : never }[MessageKey]

/** `key` filled with `count` (and `params`), in its `.one` form when count is 1. */
export function tn(key: PluralKey, count: number, params: Record<string, string | number> = {}): string {
  const k = (count === 1 ? `${key}.one` : key) as MessageKey
  return t(k, { ...params, count })
}

/** Pick the text for the current locale from a canvas text object like {de, en}. */
export function tx(texts: { readonly de: string; readonly en: string } | undefined): string {
  if (!texts) return ''
  return texts[current] || texts.de || texts.en
}
