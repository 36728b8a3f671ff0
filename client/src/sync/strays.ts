// Starting over (P117; wired in startOver.ts): a device whose pid is gone from this
// browser while its IndexedDB stayed says hello as someone new, yet its offline edits carry
// the Yjs client id its former
// identity holds on the server. Every reconnect is then refused with 4510, for as long as
// the board stays loaded. The way back: keep every note's words in localStorage, drop this
// device's copy of the board, load it fresh from the server and park as drafts the words
// the server's board does not show. Nothing is lost, and the refused loop ends.
import type { Board } from '../model/board'
import { TEXT_KEYS } from '../model/board'
import type { ParkedNote } from './appTypes'

/** The drafts' reason code (a client's own: the server refused nothing of this). */
export const STARTOVER_CODE = 'startover'

/** One note's words as this device had them. */
export interface NoteWords {
  id: string
  field: string
  words: Record<string, string>
}

/** Refusals that start it over; this app's own client never meets 4510 otherwise, but one
 * stray refusal (a race on reconnect) must not throw a copy of the board away. */
export const REFUSALS = 4
export const REFUSAL_WINDOW_MS = 60_000

/** Counts 4510 closes; true once REFUSALS came within REFUSAL_WINDOW_MS. */
export class Refusals {
  private times: number[] = []

  refused(now: number): boolean {
    this.times = [...this.times.filter((t) => now - t < REFUSAL_WINDOW_MS), now]
    return this.times.length >= REFUSALS
  }
}

const PLAIN_KEYS = ['owner', 'due'] as const

/** Every note's words (its texts and plain-string keys), as this device has them. */
export function noteWords(board: Board): NoteWords[] {
  return board.all().map((d) => {
    const words: Record<string, string> = {}
    for (const key of TEXT_KEYS) {
      const v = board.text(d.id, key)?.toString() ?? ''
      if (v) words[key] = v
    }
    for (const key of PLAIN_KEYS) if (d[key]) words[key] = d[key]
    return { id: d.id, field: d.field, words }
  })
}

export function isNoteWordsList(v: unknown): v is NoteWords[] {
  return (
    Array.isArray(v) &&
    v.every((n) => {
      if (typeof n !== 'object' || n === null) return false
      const r = n as Record<string, unknown>
      return (
        typeof r.id === 'string' &&
        typeof r.field === 'string' &&
        typeof r.words === 'object' &&
        r.words !== null &&
        Object.values(r.words).every((w) => typeof w === 'string')
      )
    })
  )
}

/** The kept words `board` does not show: a note it lacks whole, or the keys of a note
 * whose words differ (its text always, so the draft says which note it was). */
export function strays(kept: NoteWords[], board: Board): ParkedNote[] {
  const out: ParkedNote[] = []
  const fresh = new Map(noteWords(board).map((n) => [n.id, n.words]))
  for (const note of kept) {
    const shown = fresh.get(note.id)
    const differ = Object.entries(note.words).filter(([k, v]) => shown?.[k] !== v)
    if (differ.length === 0) continue
    const { text = '', ...rest } = note.words
    const keys = Object.fromEntries(Object.entries(rest).filter(([k]) => !shown || shown[k] !== rest[k]))
    out.push({ id: note.id, field: note.field, text, ...(Object.keys(keys).length ? { keys } : {}) })
  }
  return out
}
