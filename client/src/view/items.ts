// One view per note: a sticky note (free fields, diagram, formats), a partner row (B4 table)
// or an action row (C3). Text goes in via collaborative bindings and textContent only.
import type { NoteData } from '../model/board'
import type { FieldDef } from '../model/canvas'
import type { Ctx } from './actions'
import { StickyView } from './StickyView'
import { ActionRow, PartnerRow } from './tableRows'

export type ItemKind = 'sticky' | 'partner' | 'action'

export interface RemoteInfo {
  editing: string[]
  dragging: string | null
}

export interface ItemView {
  readonly el: HTMLElement
  readonly kind: ItemKind
  readonly id: string
  /** Where badges (votes, results) go. */
  readonly host: HTMLElement
  update: (d: NoteData, field: FieldDef) => void
  setRemote: (info: RemoteInfo) => void
  /** The element that carries the note's keyboard shortcuts. */
  focusRoot: () => void
  focusText: () => void
  destroy: () => void
}

export function itemKindFor(field: FieldDef): ItemKind {
  if (field.kind === 'table') return 'partner'
  if (field.kind === 'actions') return 'action'
  return 'sticky'
}

export function createItem(ctx: Ctx, kind: ItemKind, id: string, field: FieldDef): ItemView {
  return kind === 'partner'
    ? new PartnerRow(ctx, id, field)
    : kind === 'action'
      ? new ActionRow(ctx, id, field)
      : new StickyView(ctx, id, field)
}
