// Where a dragged note lands, when it is about groups or a selection: on another note of a
// plain field it forms a group with it (or joins its group); on a group's box it joins that
// group; on its own field's free space it leaves its group; a selected note takes the rest
// of the selection along. Anything else is an ordinary move (drag.ts).
import { groupable } from '../model/groups'
import type { Ctx } from './actions'
import type { FieldView } from './fields'
import { groupMany, leaveGroup, moveManyBy } from './manyActions'
import type { Selection } from './selection'

/** `from`: where the drag started (client coordinates). */
export type DropHandler = (
  id: string,
  clientX: number,
  clientY: number,
  field: FieldView,
  from: { x: number; y: number }
) => boolean

export function groupDrop(ctx: Ctx, selection: Selection): DropHandler {
  return (id, clientX, clientY, fv, from) => {
    const d = ctx.board.data(id)
    if (!d) return false
    const field = fv.field
    const carried = selection.has(id) ? selection.list().filter((other) => other !== id) : []
    const under = document.elementsFromPoint(clientX, clientY)
    const noteEl = under
      .map((el) => el.closest<HTMLElement>('.note[data-note]'))
      .find((el) => el && el.dataset.note !== id && !carried.includes(el.dataset.note ?? ''))
    const target = noteEl?.dataset.note
    const boxEl = under.map((el) => el.closest<HTMLElement>('.note-group')).find((el) => !!el)
    if (groupable(ctx.canvas, field.id)) {
      const anchor = target ?? firstMember(ctx, boxEl, id)
      const there = anchor ? ctx.board.data(anchor) : null
      if (
        there &&
        there.field === d.field &&
        there.cluster !== null &&
        there.cluster === d.cluster &&
        !carried.length
      ) {
        return true // dropped back into its own group: nothing changes
      }
      if (anchor && there?.field === field.id) {
        const moving = [id, ...carried]
        for (const m of moving) if (ctx.board.data(m)?.field !== field.id) ctx.actions.move(m, field.id, 0.5, 0.5)
        if (groupMany(ctx, [anchor, ...moving])) selection.clear()
        return true
      }
      if (d.field === field.id && d.cluster !== null) {
        leaveGroup(ctx, [id, ...carried.filter((m) => ctx.board.data(m)?.field === field.id)])
        return true
      }
    }
    if (carried.length === 0) return false
    const pos = fv.pointToPos(clientX, clientY)
    if (!pos) return false
    const start = fv.pointToPos(from.x, from.y)
    if (field.kind === 'diagram' && d.field === field.id && start) {
      // the whole selection moves by the pointer's offset: where notes stood in the
      // document, not where the layout showed them (P281), so they keep their distances
      moveManyBy(ctx, [id, ...carried], pos.x - start.x, pos.y - start.y)
      return true
    }
    const rows = field.kind === 'table' || field.kind === 'actions'
    for (const m of [id, ...carried]) {
      const spot = m === id && !rows ? pos : ctx.spotIn(field.id)
      ctx.actions.move(m, field.id, rows ? 0.5 : spot.x, rows ? 0.5 : spot.y)
    }
    return true
  }
}

function firstMember(ctx: Ctx, box: HTMLElement | undefined, not: string): string | undefined {
  for (const el of box?.querySelectorAll<HTMLElement>('.note[data-note]') ?? []) {
    const id = el.dataset.note
    if (id && id !== not && ctx.board.note(id)) return id
  }
  return undefined
}
