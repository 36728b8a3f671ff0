// Dot voting as one person sees it: their own dots and what is left (told by the server to
// them only), and after the close the results for everyone, sortable and split by group.
import type { Board, NoteData } from '../model/board'
import type { VoteResult, VotingState } from '../model/control'
import type { BallotState } from '../sync/appTypes'
import { Signal } from './signal'

export const ANONYMOUS = 'anonymous'

export class Ballot {
  readonly changed = new Signal()
  private state: BallotState = { state: 'idle' }

  set(next: BallotState): void {
    this.state = next
    this.changed.emit()
  }

  get(): BallotState {
    return this.state
  }

  /** My dots on a note (0 outside an open vote). */
  mine(noteId: string): number {
    return this.state.state === 'open' ? (this.state.mine?.[noteId] ?? 0) : 0
  }

  /** Dots I have left, or null when no vote is open (or the server has not said yet). */
  remaining(): number | null {
    return this.state.state === 'open' && typeof this.state.remaining === 'number' ? this.state.remaining : null
  }
}

/** May this note take a dot in the current vote? */
export function inVote(voting: VotingState, note: Pick<NoteData, 'field'> | null): boolean {
  return voting.state === 'open' && note !== null && voting.fields.includes(note.field)
}

export interface ResultRow {
  id: string
  field: string
  text: string
  total: number
  byGroup: Record<string, number>
}

export type ResultSort = 'total' | 'field' | 'text'

/** One row per note of the voted fields (notes without dots count 0). */
export function resultRows(board: Board, voting: VotingState): ResultRow[] {
  const results = voting.results ?? {}
  const rows: ResultRow[] = []
  for (const n of board.all()) {
    if (!voting.fields.includes(n.field)) continue
    const r: VoteResult | undefined = results[n.id]
    rows.push({
      id: n.id,
      field: n.field,
      text: board.text(n.id, 'text')?.toString() ?? '',
      total: r?.total ?? 0,
      byGroup: r?.byGroup ?? {}
    })
  }
  return sortResults(rows, 'total', false)
}

export function sortResults(rows: ResultRow[], by: ResultSort, ascending: boolean): ResultRow[] {
  const dir = ascending ? 1 : -1
  const cmp = (a: ResultRow, b: ResultRow): number => {
    if (by === 'total')
      return dir * (a.total - b.total) || a.field.localeCompare(b.field) || a.text.localeCompare(b.text)
    if (by === 'field') return dir * a.field.localeCompare(b.field) || b.total - a.total
    return dir * a.text.localeCompare(b.text) || b.total - a.total
  }
  return [...rows].sort(cmp)
}

/** Dots per group over all results (for the participation view). */
export function votesByGroup(
  voting: VotingState,
  fieldOf: (noteId: string) => string | null
): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>()
  for (const [noteId, r] of Object.entries(voting.results ?? {})) {
    const field = fieldOf(noteId)
    if (!field) continue
    const row = out.get(field) ?? {}
    for (const [g, n] of Object.entries(r.byGroup)) row[g] = (row[g] ?? 0) + n
    out.set(field, row)
  }
  return out
}
