// Find and filter notes: by words in their text (any of their text fields and the author's
// name), by colour and by the author's stakeholder group. Pure: data in, ids out.

/** The group filter value for notes without a group (anonymous or no group chosen). */
export const NO_GROUP = '-'

export interface SearchQuery {
  text: string
  /** Colour id, or null for any colour. */
  color: string | null
  /** Group id, NO_GROUP, or null for any group. */
  group: string | null
}

export interface Searchable {
  id: string
  /** Everything a person could search for, joined. */
  text: string
  /** The colour as shown (the canvas's default for notes without one). */
  color: string
  group: string | null
}

export const EMPTY_QUERY: SearchQuery = { text: '', color: null, group: null }

/** Lower case without accents, so "Café" is found by "cafe" and "CAFÉ". */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('de')
}

export function words(text: string): string[] {
  return fold(text).split(/\s+/).filter(Boolean)
}

export function isActive(q: SearchQuery): boolean {
  return words(q.text).length > 0 || q.color !== null || q.group !== null
}

/** True when every word of the query is in the note and colour and group fit. */
export function matches(q: SearchQuery, n: Searchable, queryWords: string[] = words(q.text)): boolean {
  if (q.color !== null && n.color !== q.color) return false
  if (q.group !== null && (n.group ?? NO_GROUP) !== q.group) return false
  if (queryWords.length === 0) return true
  const hay = fold(n.text)
  return queryWords.every((w) => hay.includes(w))
}

/** The ids of the matching notes, in the order given; null when the query is empty. */
export function search(q: SearchQuery, notes: Iterable<Searchable>): string[] | null {
  if (!isActive(q)) return null
  const qw = words(q.text)
  const out: string[] = []
  for (const n of notes) if (matches(q, n, qw)) out.push(n.id)
  return out
}
