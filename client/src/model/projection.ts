// What a projector shows (P288, P290): the moderator's push (`control.push`), else the
// focused field, else an overview of the fields; and how large its type is at a given screen size
// (P291). Pure: the view renders what these return.
import type * as Y from 'yjs'
import { CONTROL_PUSH, PUSH_SHOWS, type PushShow } from '../sync/vocab.gen'
import { type FocusState, plain } from './control'

export interface PushState {
  show: PushShow | null
  field: string | null
  seq: number
}

export type Stage =
  | { kind: 'overview' }
  | { kind: 'field'; field: string; pushed: boolean }
  | { kind: 'timer'; pushed: true }
  | { kind: 'results'; pushed: true }

const isShow = (v: unknown): v is PushShow => PUSH_SHOWS.some((s) => s === v)

export function readPush(control: Y.Map<unknown>): PushState {
  const p = plain(control.get(CONTROL_PUSH))
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { show: null, field: null, seq: 0 }
  const r = p as Record<string, unknown>
  const seq = typeof r.seq === 'number' && Number.isFinite(r.seq) ? r.seq : 0
  const field = typeof r.field === 'string' ? r.field : null
  const show = isShow(r.show) && (r.show !== 'field' || field !== null) ? r.show : null
  return { show, field: show === 'field' ? field : null, seq }
}

/** The push wins over the focus, the focus over the overview; fields this canvas does not
 * have are not shown. */
export function stageFor(push: PushState, focus: FocusState | null, hasField: (id: string) => boolean): Stage {
  if (push.show === 'timer') return { kind: 'timer', pushed: true }
  if (push.show === 'results') return { kind: 'results', pushed: true }
  if (push.show === 'field' && push.field && hasField(push.field)) {
    return { kind: 'field', field: push.field, pushed: true }
  }
  if (focus?.field && hasField(focus.field)) return { kind: 'field', field: focus.field, pushed: false }
  return { kind: 'overview' }
}

export const STAGE_MIN_PX = 18
const STAGE_MAX_PX = 40

/**
 * The note text size on a projector's stage, in CSS px: 1/80 of the width or 1/45 of the
 * height, whichever is less (24 px at 1920x1080), never under 18 px (P291).
 */
export function stageTextPx(width: number, height: number): number {
  const px = Math.min(width / 80, height / 45)
  return Math.round(Math.min(STAGE_MAX_PX, Math.max(STAGE_MIN_PX, px)) * 10) / 10
}

/**
 * The largest size from `start` down to `min` (in `step`s) at which `fits(px)` holds;
 * `min` when none does. Many notes on a small screen shrink the type, never below `min`.
 */
export function fittingSize(start: number, min: number, fits: (px: number) => boolean, step = 1): number {
  for (let px = start; px > min; px -= step) if (fits(px)) return px
  return min
}
