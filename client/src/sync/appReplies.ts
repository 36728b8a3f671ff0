// Reply decoding: one small validator per op, so a reply is checked field by field before use.
import { AppRequestError } from './appmsg'
import { type HelloReply, isRole, type Op, type OpReplies, type PrivateNote, type VoteResult } from './appTypes'
import { isNum, isRecord, isStr, isStrList, numOrNull, readBallot, readLateNotes, readPrivateNote } from './appValues'

const nothing = (): Record<string, never> => ({})

function readLimits(v: unknown): HelloReply['limits'] {
  if (!isRecord(v)) return undefined
  const out: NonNullable<HelloReply['limits']> = {}
  if (isNum(v.max_note_chars)) out.max_note_chars = v.max_note_chars
  if (isNum(v.max_notes)) out.max_notes = v.max_notes
  return out
}

/** A hello reply, or null when it lacks a role or the server clock. */
export function readHelloReply(r: Record<string, unknown>): HelloReply | null {
  if (!isRole(r.role) || !isNum(r.server_ms)) return null
  const out: HelloReply = { role: r.role, author_id: isStr(r.author_id) ? r.author_id : null, server_ms: r.server_ms }
  if (isStr(r.board)) out.board = r.board
  const limits = readLimits(r.limits)
  if (limits) out.limits = limits
  if (isStr(r.join_code)) out.join_code = r.join_code
  if (Array.isArray(r.private_notes))
    out.private_notes = r.private_notes.map(readPrivateNote).filter((n): n is PrivateNote => n !== null)
  if (Array.isArray(r.late_notes)) out.late_notes = readLateNotes(r.late_notes)
  if (r.vote !== undefined) out.vote = readBallot(r.vote)
  return out
}

function readVoteResults(v: unknown): Record<string, VoteResult> | null {
  if (!isRecord(v)) return null
  const out: Record<string, VoteResult> = {}
  for (const [note, res] of Object.entries(v)) {
    if (!isRecord(res) || !isNum(res.total) || !isRecord(res.by_group)) return null
    const byGroup: Record<string, number> = {}
    for (const [g, n] of Object.entries(res.by_group)) if (isNum(n)) byGroup[g] = n
    out[note] = { total: res.total, by_group: byGroup }
  }
  return out
}

function readJoinCode(r: Record<string, unknown>): { join_code?: string; join_code_expires_at: number | null } {
  return {
    ...(isStr(r.join_code) ? { join_code: r.join_code } : {}),
    join_code_expires_at: isNum(r.join_code_expires_at) ? r.join_code_expires_at : null
  }
}

const readId = (r: Record<string, unknown>): { id: string } | null => (isStr(r.id) ? { id: r.id } : null)

type ReplyReader<K extends Op> = (r: Record<string, unknown>) => OpReplies[K] | null

/** Each op's reply, checked; null when a field is missing or of the wrong type. */
export const REPLY_READERS: { [K in Op]: ReplyReader<K> } = {
  hello: readHelloReply,
  clock: (r) => (isNum(r.server_ms) ? { server_ms: r.server_ms } : null),
  'agenda.set': (r) => (isNum(r.total_minutes) ? { total_minutes: r.total_minutes } : null),
  'timer.start': (r) =>
    isNum(r.ends_at) && isNum(r.server_ms) ? { ends_at: r.ends_at, server_ms: r.server_ms } : null,
  'timer.pause': (r) => (isNum(r.remaining_ms) ? { remaining_ms: r.remaining_ms } : null),
  'timer.resume': (r) =>
    isNum(r.ends_at) && isNum(r.server_ms) ? { ends_at: r.ends_at, server_ms: r.server_ms } : null,
  'timer.extend': (r) => {
    const endsAt = numOrNull(r.ends_at)
    const remaining = numOrNull(r.remaining_ms)
    return endsAt === undefined || remaining === undefined ? null : { ends_at: endsAt, remaining_ms: remaining }
  },
  'timer.stop': nothing,
  'lock.set': (r) => (isStrList(r.locks) ? { locks: r.locks } : null),
  'focus.set': (r) => (isNum(r.seq) ? { seq: r.seq } : null),
  'view.set': (r) => (isStrList(r.compact) ? { compact: r.compact } : null),
  'projector.push': (r) => (isNum(r.seq) ? { seq: r.seq } : null),
  'private.set': (r) => {
    const out: OpReplies['private.set'] = {}
    if (r.private !== undefined) {
      if (!isStrList(r.private)) return null
      out.private = r.private
    }
    if (r.revealed !== undefined) {
      if (!isNum(r.revealed)) return null
      out.revealed = r.revealed
    }
    return out
  },
  'private.reveal': (r) => (isNum(r.revealed) ? { revealed: r.revealed } : null),
  'private.put': (r) => (isStr(r.id) ? { id: r.id } : null),
  'private.delete': nothing,
  'late.put': (r) => (isStr(r.id) ? { id: r.id } : null),
  'late.accept': (r) => (isStr(r.id) ? { id: r.id } : null),
  'late.dismiss': nothing,
  'vote.open': (r) => (isStr(r.round) ? { round: r.round } : null),
  'vote.cast': (r) => readBallot(r),
  'vote.retract': (r) => readBallot(r),
  'vote.close': (r) => {
    const results = readVoteResults(r.results)
    return results && isNum(r.voters) ? { results, voters: r.voters } : null
  },
  'vote.cancel': nothing,
  'snapshot.create': (r) =>
    isStr(r.sid) && isNum(r.notes) && isNum(r.created_at)
      ? { sid: r.sid, notes: r.notes, created_at: r.created_at }
      : null,
  'snapshot.restore': (r) => (isStr(r.before) ? { before: r.before } : null),
  'link.rotate': (r) => {
    if (!isRole(r.role) || !isStr(r.token)) return null
    return isStr(r.join_code) ? { role: r.role, token: r.token, ...readJoinCode(r) } : { role: r.role, token: r.token }
  },
  'join.rotate': (r) => (isStr(r.join_code) ? readJoinCode(r) : {}),
  'board.settings': (r) => (isStrList(r.changed) ? { changed: r.changed } : null),
  'decision.add': readId,
  'decision.edit': readId,
  'decision.delete': readId
}

/** Decode a successful reply for `op`; a malformed one becomes an `invalid` error. */
export function readReply<K extends Op>(op: K, r: Record<string, unknown>): OpReplies[K] {
  const reader: ReplyReader<K> = REPLY_READERS[op]
  const reply = reader(r)
  if (reply === null) throw new AppRequestError(op, { code: 'invalid', message: `malformed reply to ${op}` })
  return reply
}
