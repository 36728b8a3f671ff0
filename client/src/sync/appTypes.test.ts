import { describe, expect, it } from 'vitest'
import { allowed, type Op } from './appTypes'
import { OPS, ROLES } from './vocab.gen'

describe('allowed', () => {
  it('follows the generated op table', () => {
    expect(allowed('viewer', 'timer.start')).toBe(false)
    expect(allowed('participant', 'vote.cast')).toBe(true)
    expect(allowed(null, 'hello')).toBe(false)
    for (const op of Object.keys(OPS) as Op[]) expect(allowed('moderator', op)).toBe(true)
    for (const role of ROLES) expect(allowed(role, 'hello')).toBe(true)
  })
})
