// Binds a <textarea> or <input> to a Y.Text: local typing becomes minimal character edits
// (so two people typing in one note merge character by character), remote edits update
// the field while keeping the caret where it belongs.
import type * as Y from 'yjs'

export type TextEdit = (index: number, remove: number, insert: string) => void

interface Diff {
  index: number
  remove: number
  insert: string
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

/** The single replaced span between two strings, never splitting a surrogate pair. */
export function diffStrings(a: string, b: string): Diff | null {
  if (a === b) return null
  let start = 0
  const max = Math.min(a.length, b.length)
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++
  if (start > 0 && isHigh(a.charCodeAt(start - 1))) start--
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--
    endB--
  }
  if (endA < a.length && isLow(a.charCodeAt(endA))) {
    endA++
    endB++
  }
  return { index: start, remove: endA - start, insert: b.slice(start, endB) }
}

interface DeltaOp {
  insert?: unknown
  retain?: number
  delete?: number
}

/** Where an index of the old text lands after a Yjs delta. */
export function transformIndex(index: number, delta: readonly DeltaOp[]): number {
  let oldPos = 0
  let shift = 0
  for (const op of delta) {
    if (oldPos > index) break
    if (op.retain !== undefined) {
      oldPos += op.retain
    } else if (op.insert !== undefined) {
      const len = typeof op.insert === 'string' ? op.insert.length : 1
      if (oldPos < index) shift += len
    } else if (op.delete !== undefined) {
      if (oldPos < index) shift -= Math.min(op.delete, index - oldPos)
      oldPos += op.delete
    }
  }
  return Math.max(0, index + shift)
}

export function bindText(el: HTMLTextAreaElement | HTMLInputElement, text: Y.Text, edit: TextEdit): () => void {
  let known = text.toString()
  el.value = known
  let composing = false

  const onInput = (): void => {
    if (composing) return
    const now = el.value
    const d = diffStrings(known, now)
    known = now
    if (d) edit(d.index, d.remove, d.insert)
    // the edit may have been refused locally (read-only): show the document's text again
    const actual = text.toString()
    if (actual !== el.value) {
      known = actual
      el.value = actual
    }
  }
  const onCompStart = (): void => {
    composing = true
  }
  const onCompEnd = (): void => {
    composing = false
    onInput()
  }
  const observer = (event: Y.YTextEvent): void => {
    const next = text.toString()
    if (next === el.value) {
      known = next
      return
    }
    const focused = document.activeElement === el
    const start = el.selectionStart ?? 0
    const end = el.selectionEnd ?? 0
    const dir = el.selectionDirection ?? 'none'
    const delta = event.delta as DeltaOp[]
    known = next
    el.value = next
    if (focused) {
      el.setSelectionRange(transformIndex(start, delta), transformIndex(end, delta), dir)
    }
  }
  el.addEventListener('input', onInput)
  el.addEventListener('compositionstart', onCompStart)
  el.addEventListener('compositionend', onCompEnd)
  text.observe(observer)
  return () => {
    el.removeEventListener('input', onInput)
    el.removeEventListener('compositionstart', onCompStart)
    el.removeEventListener('compositionend', onCompEnd)
    text.unobserve(observer)
  }
}
