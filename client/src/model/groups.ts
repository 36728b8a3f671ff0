// Groups of notes in a plain field (affinity mapping, PROTOCOL.md P270-P273). A group lives on
// its members: `cluster` (the id) and `heading` on each, both or neither. Every change is one
// transaction with the local origin, so one undo takes back a whole grouping.
import { type Board, byOrder, type NoteData } from './board'
import type { Canvas } from './canvas'
import { LOCAL_ORIGIN } from './notes'

/** P270: the longest heading, in characters. */
export const MAX_HEADING_CHARS = 120

export interface Group {
  id: string
  field: string
  /** The heading of the first member in board order (P272). */
  heading: string
  /** Member note ids in board order. */
  members: string[]
}

/** One entry of a flowing field: a loose note, or a group where its first member stands (P273). */
export type FlowEntry = { kind: 'note'; note: NoteData } | { kind: 'group'; group: Group }

/** A fresh group id: url-safe, random, well inside P270's 64 characters. */
export function newGroupId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  let s = 'g'
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/** A heading as P270 takes it: one line of plain text, at most 120 characters. */
export function cleanHeading(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what goes
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()
  return [...line].slice(0, MAX_HEADING_CHARS).join('')
}

/** True when notes of this field may be grouped (plain note fields only, P271). */
export function groupable(canvas: Canvas, fieldId: string): boolean {
  return canvas.field(fieldId)?.kind === 'notes'
}

/** One field's notes (any order) as they flow: groups at their first member's place. */
export function flowEntries(notes: readonly NoteData[]): FlowEntry[] {
  const sorted = [...notes].sort(byOrder)
  const groups = new Map<string, Group>()
  const out: FlowEntry[] = []
  for (const note of sorted) {
    if (note.cluster === null || note.heading === null) {
      out.push({ kind: 'note', note })
      continue
    }
    let group = groups.get(note.cluster)
    if (!group) {
      group = { id: note.cluster, field: note.field, heading: note.heading, members: [] }
      groups.set(note.cluster, group)
      out.push({ kind: 'group', group })
    }
    group.members.push(note.id)
  }
  return out
}

/** The groups of one field in flow order. */
export function groupsIn(board: Board, fieldId: string): Group[] {
  const out: Group[] = []
  for (const e of flowEntries(board.inField(fieldId))) if (e.kind === 'group') out.push(e.group)
  return out
}

export function findGroup(board: Board, fieldId: string, groupId: string): Group | null {
  return groupsIn(board, fieldId).find((g) => g.id === groupId) ?? null
}

/**
 * Group notes: those in the field of the first one (board order) that can be grouped.
 * When one of them is already in a group, the others join the first such group;
 * otherwise a new group named `heading` is made. Returns the group, or null when fewer
 * than one note could be grouped.
 */
export function groupNotes(board: Board, canvas: Canvas, ids: Iterable<string>, heading: string): Group | null {
  const picked: NoteData[] = []
  for (const id of ids) {
    const d = board.data(id)
    if (d && groupable(canvas, d.field)) picked.push(d)
  }
  picked.sort(byOrder)
  const first = picked[0]
  if (!first) return null
  const members = picked.filter((d) => d.field === first.field)
  const joined = members.find((d) => d.cluster !== null && d.heading !== null)
  const existing = joined?.cluster ? findGroup(board, first.field, joined.cluster) : null
  const id = existing?.id ?? newGroupId()
  const name = existing?.heading ?? cleanHeading(heading)
  board.doc.transact(() => {
    for (const d of members) {
      const note = board.note(d.id)
      if (!note) continue
      if (note.get('cluster') !== id) note.set('cluster', id)
      if (note.get('heading') !== name) note.set('heading', name)
      note.set('updated_at', Date.now())
    }
  }, LOCAL_ORIGIN)
  return findGroup(board, first.field, id)
}

/** Rename a group: the heading goes to every member in one transaction (P272). */
export function renameGroup(board: Board, fieldId: string, groupId: string, heading: string): boolean {
  const group = findGroup(board, fieldId, groupId)
  const name = cleanHeading(heading)
  if (!group || group.heading === name) return false
  board.doc.transact(() => {
    for (const id of group.members) board.note(id)?.set('heading', name)
  }, LOCAL_ORIGIN)
  return true
}

/** Take notes out of whatever group they are in. */
export function leaveGroup(board: Board, ids: Iterable<string>): void {
  const notes = [...ids].map((id) => board.note(id)).filter((n) => n?.has('cluster') || n?.has('heading'))
  if (notes.length === 0) return
  board.doc.transact(() => {
    for (const note of notes) {
      note?.delete('cluster')
      note?.delete('heading')
      note?.set('updated_at', Date.now())
    }
  }, LOCAL_ORIGIN)
}

/** Dissolve a group: its notes stay where they are, loose. */
export function ungroup(board: Board, fieldId: string, groupId: string): void {
  const group = findGroup(board, fieldId, groupId)
  if (group) leaveGroup(board, group.members)
}

/** A default heading for the next group in a field: `base` and the first free number. */
export function nextHeading(board: Board, fieldId: string, base: string): string {
  const taken = new Set(groupsIn(board, fieldId).map((g) => g.heading))
  let n = 1
  while (taken.has(`${base} ${n}`)) n++
  return `${base} ${n}`
}
