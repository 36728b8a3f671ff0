// Live counters for the moderator (P293): per field "7 of 12 have written", and while a
// vote is open "9 of 12 voted". The server counts; this keeps the latest numbers. No DOM.
import type { CountsEvent } from '../sync/appmsg'
import { Signal } from './signal'

export interface FieldCount {
  kind: 'written' | 'voted'
  n: number
  of: number
}

/** What one field shows: votes while it is part of an open vote, else writers; null when
 * nobody is here to count. */
export function fieldCount(
  counts: CountsEvent | null,
  field: string,
  votedFields: readonly string[]
): FieldCount | null {
  if (counts === null || counts.present === 0) return null
  const of = counts.present
  if (counts.voted_fields !== null && votedFields.includes(field)) {
    return { kind: 'voted', n: Math.min(of, counts.voted_fields[field] ?? 0), of }
  }
  return { kind: 'written', n: Math.min(of, counts.written[field] ?? 0), of }
}

export class LiveCounts {
  readonly changed = new Signal()
  private latest: CountsEvent | null = null

  get(): CountsEvent | null {
    return this.latest
  }

  set(counts: CountsEvent): void {
    this.latest = counts
    this.changed.emit()
  }
}
