// When a single key may act on the board: never from a text control, and not while
// someone is still typing. A missed click moves focus out of a note mid-word; the next
// letters must not switch views or delete anything.
import { isEditable } from './dom'

/** Quiet time after the last keystroke in (or just out of) a text control. */
export const TYPING_QUIET_MS = 1500

let lastTyping = Number.NEGATIVE_INFINITY

const now = (): number => performance.now()

/** Someone typed in a text control, or left one: hold shortcuts back for a while. */
export function noteTyping(): void {
  lastTyping = now()
}

/** Watch the page for typing in text controls and for focus leaving them. */
export function watchTyping(doc: Document): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (isEditable(e.target)) noteTyping()
  }
  const onFocusOut = (e: FocusEvent): void => {
    if (isEditable(e.target)) noteTyping()
  }
  doc.addEventListener('keydown', onKey, true)
  doc.addEventListener('focusout', onFocusOut, true)
  return () => {
    doc.removeEventListener('keydown', onKey, true)
    doc.removeEventListener('focusout', onFocusOut, true)
  }
}

/** Keys that would type something or delete it; these are the ones held back. */
export function isTypingKey(e: KeyboardEvent): boolean {
  return e.key.length === 1 || e.key === 'Backspace' || e.key === 'Delete'
}

// keys nobody presses while writing a word: they show the person means the board
const DELIBERATE = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown'])
// a control someone chose (a missed click lands on the board, a note or the page)
const CHOSEN = 'button, a[href], summary, select'

/**
 * True when a plain key on `e.target` may run a shortcut: the target is on the board
 * (`within`), not a text control, and no one typed a moment ago. A key held back counts
 * as typing, so a person who keeps writing after a missed click never triggers one.
 */
export function shortcutAllowed(e: KeyboardEvent, within: (el: HTMLElement) => boolean): boolean {
  const target = e.target
  if (!(target instanceof HTMLElement) || isEditable(target) || !within(target)) return false
  if (!isTypingKey(e)) {
    if (DELIBERATE.has(e.key)) lastTyping = Number.NEGATIVE_INFINITY
    return true
  }
  if (target.closest(CHOSEN)) return true
  if (now() - lastTyping < TYPING_QUIET_MS) {
    noteTyping()
    return false
  }
  return true
}

/** Mark a note that got focus back by Escape from its text: Delete and Backspace do not
 * delete it until it lost focus once (or Delete is pressed again). */
export function disarm(note: HTMLElement): void {
  note.dataset.disarmed = ''
  note.addEventListener('blur', () => rearm(note), { once: true })
}

export function rearm(note: HTMLElement): void {
  delete note.dataset.disarmed
}

export function isDisarmed(note: HTMLElement): boolean {
  return note.dataset.disarmed !== undefined
}
