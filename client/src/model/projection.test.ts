import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CONTROL_PUSH } from '../sync/vocab.gen'
import type { FocusState } from './control'
import { fittingSize, type PushState, readPush, STAGE_MIN_PX, stageFor, stageTextPx } from './projection'

function control(value: unknown): Y.Map<unknown> {
  const map = new Y.Doc().getMap('control')
  map.set(CONTROL_PUSH, value)
  return map
}

const focus = (field: string | null): FocusState => ({ field, seq: 1, follow: true, at: 0 })
const push = (show: PushState['show'], field: string | null = null): PushState => ({ show, field, seq: 1 })
const onCanvas = (id: string): boolean => ['A1', 'B2'].includes(id)

describe('readPush (P288)', () => {
  it('reads what the moderator pushed', () => {
    expect(readPush(control({ show: 'field', field: 'A1', seq: 3, at: 1 }))).toEqual({
      show: 'field',
      field: 'A1',
      seq: 3
    })
    expect(readPush(control({ show: 'timer', field: 'A1', seq: 4 }))).toEqual({ show: 'timer', field: null, seq: 4 })
    expect(readPush(control({ show: null, seq: 5 }))).toEqual({ show: null, field: null, seq: 5 })
  })

  it('shows nothing for what it does not understand', () => {
    for (const bad of ['timer', 7, null, [], { show: 'board', seq: 1 }, { show: 'field', seq: 1 }]) {
      expect(readPush(control(bad)).show).toBeNull()
    }
    expect(readPush(new Y.Doc().getMap('control'))).toEqual({ show: null, field: null, seq: 0 })
  })
})

describe('stageFor (P290)', () => {
  it('puts a push before the focus and the focus before the overview', () => {
    expect(stageFor(push('timer'), focus('A1'), onCanvas)).toEqual({ kind: 'timer', pushed: true })
    expect(stageFor(push('results'), focus('A1'), onCanvas)).toEqual({ kind: 'results', pushed: true })
    expect(stageFor(push('field', 'B2'), focus('A1'), onCanvas)).toEqual({ kind: 'field', field: 'B2', pushed: true })
    expect(stageFor(push(null), focus('A1'), onCanvas)).toEqual({ kind: 'field', field: 'A1', pushed: false })
    expect(stageFor(push(null), focus(null), onCanvas)).toEqual({ kind: 'overview' })
    expect(stageFor(push(null), null, onCanvas)).toEqual({ kind: 'overview' })
  })

  it('skips fields this canvas does not have', () => {
    expect(stageFor(push('field', 'Z9'), focus('A1'), onCanvas)).toEqual({ kind: 'field', field: 'A1', pushed: false })
    expect(stageFor(push(null), focus('Z9'), onCanvas)).toEqual({ kind: 'overview' })
  })
})

describe('stageTextPx (P291)', () => {
  it('meets the projector numbers', () => {
    expect(stageTextPx(1920, 1080)).toBeGreaterThanOrEqual(24)
    expect(stageTextPx(1280, 720)).toBeGreaterThanOrEqual(18)
    expect(stageTextPx(1024, 768)).toBeGreaterThanOrEqual(18)
  })

  it('grows with the screen up to a cap and never goes under the minimum', () => {
    expect(stageTextPx(3840, 2160)).toBe(40)
    expect(stageTextPx(640, 360)).toBe(STAGE_MIN_PX)
    expect(stageTextPx(2560, 1440)).toBeGreaterThan(stageTextPx(1920, 1080))
  })

  it('fits by shrinking, never below the minimum', () => {
    expect(fittingSize(24, 18, (px) => px <= 20)).toBe(20)
    expect(fittingSize(24, 18, () => true)).toBe(24)
    expect(fittingSize(24, 18, () => false)).toBe(18)
  })
})
