// Typed, checked readers of the `control` root (written by the server only, on moderator
// commands): timer, agenda, locks, focus, private writing, voting, roster and decision log.
// Mirror of server/moderation/*.py; any value may be missing or malformed.
import * as Y from 'yjs'
import { CONTROL_DECISIONS, CONTROL_TIMER, CONTROL_TIMER_OUTER, TIMER_STATES, type TimerStateName } from '../sync/vocab.gen'

export type { TimerStateName }

export interface TimerState {
  target: string | null
  state: TimerStateName
  /** Server epoch ms (running). */
  endsAt: number | null
  /** Paused: what is left. */
  remainingMs: number | null
  durationMs: number | null
  lockOnEnd: boolean
  /** Done: when it ended (server epoch ms). */
  endedAt: number | null
  /** Running: when the current run began (time accrues to the agenda from here). */
  segmentStarted: number | null
  /** Done: the fields this end locked (more time reopens them, P252). */
  lockedFields: string[]
}

export interface AgendaItem {
  id: string
  kind: string
  part: string | null
  label: string | null
  minutes: number
  startedAt: number | null
  endedAt: number | null
  actualMs: number
}

export interface FocusState {
  field: string | null
  seq: number
  follow: boolean
  at: number
}

export type VotingStateName = 'idle' | 'open' | 'closed'

export interface VoteResult {
  total: number
  byGroup: Record<string, number>
}

export interface VotingState {
  state: VotingStateName
  round: string | null
  fields: string[]
  perPerson: number
  maxPerNote: number
  openedAt: number | null
  closedAt: number | null
  results: Record<string, VoteResult> | null
  voters: number | null
}

export interface LogEntry {
  at: number
  by: { role: string, name: string | null }
  op: string
  summary: string
  details: Record<string, unknown>
}

/** One of the group's decisions (P230), as the moderator wrote it. */
export interface Decision {
  id: string
  text: string
  field: string | null
  note: string | null
  at: number
  by: { role: string, name: string | null }
  editedAt: number | null
}

/** Plain JS of a control value (Y types or plain JSON from the server). */
export function plain (v: unknown): unknown {
  return v instanceof Y.AbstractType ? v.toJSON() : v
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | null => typeof v === 'number' && Number.isFinite(v) ? v : null
const str = (v: unknown): string | null => typeof v === 'string' ? v : null

function trueKeys (v: unknown): Set<string> {
  const out = new Set<string>()
  if (isRecord(v)) for (const [k, on] of Object.entries(v)) if (on === true) out.add(k)
  return out
}

const isTimerState = (v: unknown): v is TimerStateName => TIMER_STATES.some((s) => s === v)

/** The innermost timer (`control.timer`): a field timer while one runs inside a part timer. */
export function readTimer (control: Y.Map<unknown>): TimerState {
  return timerFrom(plain(control.get(CONTROL_TIMER)))
}

/** The part timer a field timer runs inside (`control.timer_outer`, P250), or null. */
export function readOuterTimer (control: Y.Map<unknown>): TimerState | null {
  const t = plain(control.get(CONTROL_TIMER_OUTER))
  return isRecord(t) ? timerFrom(t) : null
}

function timerFrom (t: unknown): TimerState {
  const r = isRecord(t) ? t : {}
  const state = isTimerState(r.state) ? r.state : 'idle'
  return {
    target: str(r.target),
    state,
    endsAt: num(r.ends_at),
    remainingMs: num(r.remaining_ms),
    durationMs: num(r.duration_ms),
    lockOnEnd: r.lock_on_end === true,
    endedAt: num(r.ended_at),
    segmentStarted: num(r.segment_started),
    lockedFields: Array.isArray(r.locked_fields) ? r.locked_fields.filter((f): f is string => typeof f === 'string') : []
  }
}

export function readAgenda (control: Y.Map<unknown>): AgendaItem[] | null {
  const a = plain(control.get('agenda'))
  if (!Array.isArray(a)) return null
  const out: AgendaItem[] = []
  for (const item of a) {
    if (!isRecord(item) || typeof item.id !== 'string') continue
    out.push({
      id: item.id,
      kind: str(item.kind) ?? 'part',
      part: str(item.part),
      label: str(item.label),
      minutes: num(item.minutes) ?? 0,
      startedAt: num(item.started_at),
      endedAt: num(item.ended_at),
      actualMs: num(item.actual_ms) ?? 0
    })
  }
  return out
}

export function readLocks (control: Y.Map<unknown>): Set<string> {
  return trueKeys(plain(control.get('locks')))
}

export function readPrivate (control: Y.Map<unknown>): Set<string> {
  return trueKeys(plain(control.get('private')))
}

/** Fields the moderator shows compact: first lines, the rest behind "more" (P284). */
export function readCompact (control: Y.Map<unknown>): Set<string> {
  return trueKeys(plain(control.get('compact')))
}

export function readFocus (control: Y.Map<unknown>): FocusState | null {
  const f = plain(control.get('focus'))
  if (!isRecord(f)) return null
  const seq = num(f.seq)
  if (seq === null) return null
  return { field: str(f.field), seq, follow: f.follow === true, at: num(f.at) ?? 0 }
}

export function readVoting (control: Y.Map<unknown>): VotingState {
  const v = plain(control.get('voting'))
  const r = isRecord(v) ? v : {}
  const state = r.state === 'open' || r.state === 'closed' ? r.state : 'idle'
  let results: Record<string, VoteResult> | null = null
  if (isRecord(r.results)) {
    results = {}
    for (const [note, res] of Object.entries(r.results)) {
      if (!isRecord(res)) continue
      const byGroup: Record<string, number> = {}
      if (isRecord(res.by_group)) for (const [g, n] of Object.entries(res.by_group)) if (typeof n === 'number') byGroup[g] = n
      results[note] = { total: num(res.total) ?? 0, byGroup }
    }
  }
  const perPerson = num(r.per_person) ?? 0
  return {
    state,
    round: str(r.round),
    fields: Array.isArray(r.fields) ? r.fields.filter((f): f is string => typeof f === 'string') : [],
    perPerson,
    maxPerNote: num(r.max_per_note) ?? perPerson,
    openedAt: num(r.opened_at),
    closedAt: num(r.closed_at),
    results,
    voters: num(r.voters)
  }
}

/** People seen on this board so far, per stakeholder group ("anonymous" without one). */
export function readRoster (control: Y.Map<unknown>): Record<string, number> {
  const r = plain(control.get('roster'))
  const out: Record<string, number> = {}
  if (isRecord(r)) for (const [g, n] of Object.entries(r)) if (typeof n === 'number') out[g] = n
  return out
}

export function readLog (control: Y.Map<unknown>): LogEntry[] {
  const l = plain(control.get('log'))
  if (!Array.isArray(l)) return []
  const out: LogEntry[] = []
  for (const e of l) {
    if (!isRecord(e) || typeof e.op !== 'string') continue
    const by = isRecord(e.by) ? e.by : {}
    out.push({
      at: num(e.at) ?? 0,
      by: { role: str(by.role) ?? 'server', name: str(by.name) },
      op: e.op,
      summary: str(e.summary) ?? '',
      details: isRecord(e.details) ? e.details : {}
    })
  }
  return out
}

/** The current decisions (`control.decisions`), oldest first; malformed entries are skipped. */
export function readDecisions (control: Y.Map<unknown>): Decision[] {
  const l = plain(control.get(CONTROL_DECISIONS))
  if (!Array.isArray(l)) return []
  const out: Decision[] = []
  for (const d of l) {
    if (!isRecord(d) || typeof d.id !== 'string' || typeof d.text !== 'string' || !d.text.trim()) continue
    const by = isRecord(d.by) ? d.by : {}
    out.push({
      id: d.id,
      text: d.text,
      field: str(d.field),
      note: str(d.note),
      at: num(d.at) ?? 0,
      by: { role: str(by.role) ?? 'moderator', name: str(by.name) },
      editedAt: num(d.edited_at)
    })
  }
  return out.sort((a, b) => a.at - b.at)
}

/** Meta settings the moderator panel edits (beyond BoardMeta). */
export function readMetaFlags (meta: Y.Map<unknown>): { privateAnonymous: boolean, showJoinCode: boolean, anonymousAllowed: boolean } {
  return {
    privateAnonymous: meta.get('private_anonymous') === true,
    showJoinCode: meta.get('show_join_code') !== false,
    anonymousAllowed: meta.get('anonymous_allowed') !== false
  }
}
