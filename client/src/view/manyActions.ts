// What a person can do to groups and to several selected notes at once, with the same
// friendly checks as single-note actions (read-only links, locked fields) and one undo step
// each. No DOM beyond toasts and the confirmation.
import type * as Y from 'yjs'
import { t, tn } from '../i18n'
import * as groups from '../model/groups'
import * as many from '../model/many'
import type { Ctx } from './actions'
import { confirmModal } from './modal'

/** The notes of `ids` this person may change now (not in a field locked for them). */
export function changeable(ctx: Ctx, ids: Iterable<string>): string[] {
  if (ctx.readOnly()) {
    ctx.toasts.show(t('readonly.edit'))
    return []
  }
  const out: string[] = []
  let locked: string | null = null
  for (const id of ids) {
    const field = ctx.board.data(id)?.field
    if (!field) continue
    if (ctx.actions.lockedFor(field)) locked = field
    else out.push(id)
  }
  if (locked && out.length === 0) ctx.actions.explainLocked(locked)
  return out
}

function step(ctx: Ctx, fn: () => void): void {
  ctx.undo.stopCapturing()
  fn()
  ctx.undo.stopCapturing()
}

/** Group the notes (P271); returns the group's id, or null when none could be grouped. */
export function groupMany(ctx: Ctx, ids: Iterable<string>): string | null {
  const ok = changeable(ctx, ids)
  if (ok.length === 0) return null
  if (!ok.some((id) => groups.groupable(ctx.canvas, ctx.board.data(id)?.field ?? ''))) {
    ctx.toasts.show(t('group.none'), { kind: 'error' })
    return null
  }
  const first = ok.map((id) => ctx.board.data(id)).find((d) => d && groups.groupable(ctx.canvas, d.field))
  const base = first ? groups.nextHeading(ctx.board, first.field, t('group.default')) : t('group.default')
  ctx.undo.stopCapturing()
  const group = groups.groupNotes(ctx.board, ctx.canvas, ok, base)
  ctx.undo.stopCapturing()
  if (group) {
    ctx.toasts.show(tn('group.grouped', group.members.length, { heading: group.heading }), { key: 'group' })
  }
  return group?.id ?? null
}

export function renameGroup(ctx: Ctx, field: string, groupId: string, heading: string): void {
  if (changeable(ctx, groups.findGroup(ctx.board, field, groupId)?.members ?? []).length === 0) return
  step(ctx, () => groups.renameGroup(ctx.board, field, groupId, heading))
}

export function ungroup(ctx: Ctx, field: string, groupId: string): void {
  const members = groups.findGroup(ctx.board, field, groupId)?.members ?? []
  if (changeable(ctx, members).length === 0) return
  step(ctx, () => groups.ungroup(ctx.board, field, groupId))
}

export function leaveGroup(ctx: Ctx, ids: Iterable<string>): void {
  const ok = changeable(ctx, ids)
  if (ok.length > 0) step(ctx, () => groups.leaveGroup(ctx.board, ok))
}

export function recolourMany(ctx: Ctx, ids: Iterable<string>, color: string): void {
  const ok = changeable(ctx, ids)
  if (ok.length > 0) step(ctx, () => many.recolourNotes(ctx.board, ok, color))
}

/** Move notes of the A3 diagram by one offset (keyboard nudges and drags of a selection). */
export function moveManyBy(ctx: Ctx, ids: Iterable<string>, dx: number, dy: number): void {
  const ok = changeable(ctx, ids).filter((id) => ctx.canvas.field(ctx.board.data(id)?.field ?? '')?.kind === 'diagram')
  if (ok.length > 0) step(ctx, () => many.moveNotesBy(ctx.board, ok, dx, dy))
}

/** Delete notes as a single note is deleted: others' notes only after asking (moderators
 * excepted), and a toast offers to bring all of them back. */
export async function removeMany(ctx: Ctx, ids: Iterable<string>): Promise<boolean> {
  const ok = changeable(ctx, ids)
  if (ok.length === 0) return false
  const others = ok.filter((id) => !ctx.actions.isOwn(id))
  if (others.length > 0 && !ctx.moderator()) {
    const yes = await confirmModal({
      title: tn('select.delete.title', ok.length),
      text: [t('select.delete.text', { count: others.length })],
      yes: t('select.delete.yes'),
      danger: true
    })
    if (!yes) return false
  }
  let copies = new Map<string, Y.Map<unknown>>()
  step(ctx, () => {
    copies = many.deleteNotes(ctx.board, ok)
  })
  const item = ctx.undo.undoStack[ctx.undo.undoStack.length - 1]
  const restore = (): void => {
    if (item && ctx.undo.undoStack[ctx.undo.undoStack.length - 1] === item) ctx.undo.undo()
    else many.restoreNotes(ctx.board, copies)
  }
  ctx.toasts.show(tn('select.deleted', ok.length), {
    action: { label: t('note.undo'), run: restore },
    ms: 12000
  })
  return true
}
