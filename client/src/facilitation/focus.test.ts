import { describe, expect, it } from 'vitest'
import type { FocusState } from '../model/control'
import { FocusFollower } from './focus'

const focus = (seq: number, field: string | null, follow = false): FocusState => ({
  field,
  seq,
  follow,
  at: seq * 1000
})

describe('FocusFollower', () => {
  it('does not move a participant when the page opens, then moves once per command', () => {
    const f = new FocusFollower(() => false)
    expect(f.update(focus(3, 'A1'))).toBeNull()
    expect(f.update(focus(4, 'B2'))).toEqual({ field: 'B2', follow: false, initial: false })
    expect(f.update(focus(4, 'B2'))).toBeNull()
  })

  it('takes a following projector to the focus as soon as it opens', () => {
    const f = new FocusFollower(() => true)
    expect(f.update(focus(3, 'A1', true))).toEqual({ field: 'A1', follow: true, initial: true })
  })

  it('returns only a following projector to the overview when the focus is released', () => {
    const participant = new FocusFollower(() => false)
    const projector = new FocusFollower(() => true)
    for (const f of [participant, projector]) f.update(focus(1, 'A1', true))
    expect(participant.update(focus(2, null, true))).toBeNull()
    expect(projector.update(focus(2, null, true))).toEqual({ field: null, follow: true, initial: false })
  })

  it('treats the next reading after a rebuild as the first', () => {
    const f = new FocusFollower(() => false)
    f.update(focus(1, 'A1'))
    f.reset()
    expect(f.update(focus(2, 'A2'))).toBeNull()
  })
})
