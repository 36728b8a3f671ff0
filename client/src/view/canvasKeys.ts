// Keyboard on the canvas: N adds a note to the field in focus; on a focused note, Enter or
// F2 edits it, arrows nudge it (Shift: further), Page Up/Down move it to the next field,
// C changes its colour and Delete removes it (undoably; someone else's note after asking).
// Letters and Delete wait while someone is typing (keyGuard), and right after Escape from
// a note's text Backspace never deletes: people press it to fix a typo.
import { t } from '../i18n'
import type { NoteData } from '../model/board'
import type { Ctx } from './actions'
import type { BoardGrid } from './BoardGrid'
import type { CanvasNotes } from './CanvasNotes'
import { isEditable } from './dom'
import { isDisarmed, rearm, shortcutAllowed } from './keyGuard'
import { groupMany, moveManyBy } from './manyActions'
import { deleteWithCare } from './noteDelete'

const NUDGE = 0.02
const NUDGE_BIG = 0.1

export interface KeyTarget {
  ctx: Ctx
  grid: BoardGrid
  notes: CanvasNotes
}

export function onCanvasKey(c: KeyTarget, e: KeyboardEvent): void {
  if (e.ctrlKey || e.metaKey || e.altKey) return
  const target = e.target instanceof HTMLElement ? e.target : null
  if (!target) return
  const noteEl = target.closest<HTMLElement>('[data-note]')
  const id = noteEl?.dataset.note
  if (isEditable(target) || !shortcutAllowed(e, () => true)) return
  if (noteEl && id && target === noteEl) {
    onNoteKey(c, e, id, noteEl)
    return
  }
  const fieldEl = target.closest<HTMLElement>('.field')
  const fid = fieldEl?.dataset.field
  if (fid && (e.key === 'n' || e.key === 'N') && !c.ctx.readOnly()) {
    e.preventDefault()
    c.notes.add({ field: fid })
  }
}

function onNoteKey(c: KeyTarget, e: KeyboardEvent, id: string, noteEl: HTMLElement): void {
  const { ctx, grid } = c
  const d = ctx.board.data(id)
  if (!d) return
  const field = ctx.canvas.field(d.field)
  const step = e.shiftKey ? NUDGE_BIG : NUDGE
  const up = field?.kind === 'diagram' ? step : -step
  let handled = true
  if (onSelectKey(c, e, id)) {
    e.preventDefault()
    return
  }
  // moving or recolouring the note shows the person works on it: Delete works again
  if (e.key.startsWith('Arrow') || e.key.startsWith('Page') || e.key === 'c' || e.key === 'C') rearm(noteEl)
  switch (e.key) {
    case 'Enter':
    case 'F2':
      c.notes.item(id)?.focusText()
      break
    case 'ArrowLeft':
      nudge(ctx, d, -step, 0)
      break
    case 'ArrowRight':
      nudge(ctx, d, step, 0)
      break
    case 'ArrowUp':
      nudge(ctx, d, 0, up)
      break
    case 'ArrowDown':
      nudge(ctx, d, 0, -up)
      break
    case 'PageDown':
    case 'PageUp': {
      const next = grid.fieldAfter(d.field, e.key === 'PageDown' ? 1 : -1)
      if (next) {
        const pos = grid.spotIn(next.id)
        c.notes.focusAfterRender(id, false)
        ctx.actions.move(id, next.id, pos.x, pos.y, true)
        if (grid.isPhone()) grid.setPhoneField(next.id)
      }
      break
    }
    case 'c':
    case 'C':
      ctx.actions.nextColor(id)
      break
    case 'Delete':
    case 'Backspace':
      if (isDisarmed(noteEl)) {
        // Delete once more deletes; Backspace (a typo fix) never does from here
        if (e.key === 'Delete') rearm(noteEl)
        ctx.toasts.show(t('note.delete.disarmed'))
      } else {
        deleteWithCare(ctx, id)
      }
      break
    default:
      handled = false
  }
  if (handled) e.preventDefault()
}

/** Space selects or unselects the note, G groups the selection (with this note), Escape
 * clears it, and arrows on a selected diagram note move the whole selection. */
function onSelectKey(c: KeyTarget, e: KeyboardEvent, id: string): boolean {
  const sel = c.notes.selection
  if (!sel) return false
  if (e.key === ' ') {
    sel.toggle(id)
    return true
  }
  if ((e.key === 'g' || e.key === 'G') && !c.ctx.readOnly()) {
    if (groupMany(c.ctx, new Set([...sel.list(), id]))) sel.clear()
    c.notes.focusAfterRender(id, false)
    return true
  }
  if (e.key === 'Escape' && sel.size > 0) {
    sel.clear()
    return true
  }
  const d = c.ctx.board.data(id)
  const arrows: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, 1],
    ArrowDown: [0, -1]
  }
  const dir = arrows[e.key]
  if (!dir || !d || !sel.has(id) || sel.size < 2 || c.ctx.canvas.field(d.field)?.kind !== 'diagram') return false
  const step = e.shiftKey ? NUDGE_BIG : NUDGE
  moveManyBy(c.ctx, sel.list(), dir[0] * step, dir[1] * step)
  return true
}

function nudge(ctx: Ctx, d: NoteData, dx: number, dy: number): void {
  const field = ctx.canvas.field(d.field)
  if (!field || field.kind === 'table' || field.kind === 'actions') return
  ctx.actions.move(d.id, d.field, Math.round((d.x + dx) * 1000) / 1000, Math.round((d.y + dy) * 1000) / 1000)
}
