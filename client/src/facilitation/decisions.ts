// The moderator's decisions (P230): what the form sends, and how a linked note is named.
// No DOM.
import type { DecisionInput } from '../sync/appTypes'
import { DECISION_MAX_CHARS } from '../sync/vocab.gen'

export const NOTE_EXCERPT = 60

/** The request for a decision, or null when there is nothing to decide (blank or too long). */
export function decisionArgs(text: string, field: string | null, note: string | null): DecisionInput | null {
  const words = text.trim()
  if (!words || words.length > DECISION_MAX_CHARS) return null
  // a note brings its field with it on the server; sending both could only disagree
  if (note) return { text: words, note }
  return field ? { text: words, field } : { text: words }
}

/** A note's text on one line, shortened for a label. */
export function excerpt(text: string, max = NOTE_EXCERPT): string {
  const line = text.split(/\s+/).filter(Boolean).join(' ')
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line
}
