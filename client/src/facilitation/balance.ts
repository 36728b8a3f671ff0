// Participation balance: per field, how many notes (and, after a vote, dots) came from each
// stakeholder group, and how many people of each group are here now: whose voices are missing.
import type { Board } from '../model/board'
import type { Canvas } from '../model/canvas'
import type { VotingState } from '../model/control'
import { ANONYMOUS, votesByGroup } from './voting'

export interface PresentPerson {
  group: string | null
  role: string
}

export interface BalanceRow {
  field: string
  notes: Record<string, number>
  notesTotal: number
  /** Dots per group after a closed vote on this field, else null. */
  votes: Record<string, number> | null
}

export interface Balance {
  /** Column keys: the board's groups, then "anonymous". */
  groups: string[]
  /** People here now per group (viewers and projectors do not count). */
  present: Record<string, number>
  /** People seen on the board so far per group (server roster). */
  seen: Record<string, number>
  rows: BalanceRow[]
}

export function computeBalance (board: Board, canvas: Canvas, voting: VotingState, people: PresentPerson[], roster: Record<string, number>): Balance {
  const metaGroups = board.readMeta()?.groups ?? []
  const groups = [...(metaGroups.length ? metaGroups : canvas.def.groups.map((g) => g.id)), ANONYMOUS]
  const key = (g: string | null): string => g && groups.includes(g) ? g : ANONYMOUS
  const present: Record<string, number> = {}
  for (const p of people) {
    if (p.role === 'viewer' || p.role === 'projector') continue
    const k = key(p.group)
    present[k] = (present[k] ?? 0) + 1
  }
  const all = board.all()
  const fieldOf = new Map(all.map((n) => [n.id, n.field]))
  const votes = voting.state === 'closed' ? votesByGroup(voting, (id) => fieldOf.get(id) ?? null) : new Map<string, Record<string, number>>()
  const rows: BalanceRow[] = canvas.orderedFields().map((f) => {
    const notes: Record<string, number> = {}
    let total = 0
    for (const n of all) {
      if (n.field !== f.id) continue
      const k = key(n.author === null ? null : n.group)
      notes[k] = (notes[k] ?? 0) + 1
      total++
    }
    const v = voting.state === 'closed' && voting.fields.includes(f.id) ? votes.get(f.id) ?? {} : null
    let votesRow: Record<string, number> | null = null
    if (v !== null) {
      votesRow = {}
      for (const [g, n] of Object.entries(v)) votesRow[key(g)] = (votesRow[key(g)] ?? 0) + n
    }
    return { field: f.id, notes, notesTotal: total, votes: votesRow }
  })
  const seen: Record<string, number> = {}
  for (const [g, n] of Object.entries(roster)) {
    if (g === 'moderator') continue // moderators are counted apart, not as a group
    seen[key(g)] = (seen[key(g)] ?? 0) + n
  }
  return { groups, present, seen, rows }
}

/** Groups with nobody here now (the "who is missing" line). */
export function missingGroups (b: Balance): string[] {
  return b.groups.filter((g) => g !== ANONYMOUS && !b.present[g])
}
