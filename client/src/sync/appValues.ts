// Field checks for values from the server (only semi-trusted), and readers of the values
// that both replies and events carry: private notes, late notes, ballots, refusal params.
import type { BallotState, LateNote, PrivateNote } from './appTypes'

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
export const isStr = (v: unknown): v is string => typeof v === 'string'
export const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr)
export const numOrNull = (v: unknown): number | null | undefined => (v === null ? null : isNum(v) ? v : undefined)

export function readLateNotes(list: unknown[]): LateNote[] {
  const out: LateNote[] = []
  for (const v of list) {
    if (!isRecord(v) || !isStr(v.id) || !isStr(v.field) || !isStr(v.text)) continue
    out.push({
      id: v.id,
      field: v.field,
      text: v.text,
      author: isStr(v.author) ? v.author : null,
      group: isStr(v.group) ? v.group : null,
      created_at: isNum(v.created_at) ? v.created_at : 0,
      continues: isStr(v.continues) ? v.continues : null
    })
  }
  return out
}

export function readParams(v: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  if (!isRecord(v)) return out
  for (const [k, x] of Object.entries(v)) if (isStr(x) || isNum(x)) out[k] = x
  return out
}

export function readPrivateNote(v: unknown): PrivateNote | null {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.field !== 'string') return null
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined)
  return {
    id: v.id,
    field: v.field,
    text: typeof v.text === 'string' ? v.text : '',
    color: typeof v.color === 'string' ? v.color : undefined,
    x: num(v.x),
    y: num(v.y),
    group: typeof v.group === 'string' ? v.group : null,
    author: typeof v.author === 'string' ? v.author : null,
    created_at: num(v.created_at) ?? 0,
    updated_at: num(v.updated_at) ?? 0
  }
}

export function readBallot(v: unknown): BallotState {
  if (!isRecord(v)) return { state: 'idle' }
  const state = v.state === 'open' || v.state === 'closed' ? v.state : 'idle'
  const out: BallotState = { state }
  if (typeof v.round === 'string') out.round = v.round
  if (isRecord(v.mine)) {
    const mine: Record<string, number> = {}
    for (const [k, n] of Object.entries(v.mine)) if (typeof n === 'number' && n > 0) mine[k] = n
    out.mine = mine
  }
  if (typeof v.remaining === 'number') out.remaining = v.remaining
  return out
}
