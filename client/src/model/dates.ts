// Due dates of next steps: empty, or a real calendar day from 2000 to 2100 (P241; the
// server checks the same in server/sync/dates.py).

export const EARLIEST_DUE = '2000-01-01'
export const LATEST_DUE = '2100-12-31'

/** A valid due date as a reader of the page's language writes it ("24.12.2026"). */
export function dueWords(value: string, locale = document.documentElement.lang || 'de'): string {
  const [y, m, d] = value.split('-').map(Number)
  return new Date(Date.UTC(y ?? 2000, (m ?? 1) - 1, d ?? 1)).toLocaleDateString(locale, { timeZone: 'UTC' })
}

/** True for '' (no date) and for real days `YYYY-MM-DD` within the range. */
export function isValidDue(value: string): boolean {
  if (value === '') return true
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const day = new Date(Date.UTC(y, mo - 1, d))
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d
  // ISO strings of equal length compare like the days they name
  return real && value >= EARLIEST_DUE && value <= LATEST_DUE
}
