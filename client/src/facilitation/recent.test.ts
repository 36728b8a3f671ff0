import { describe, expect, it } from 'vitest'
import type { RejectedEvent } from '../sync/appEvents'
import { Drafts } from './drafts'
import { type RecentEntry, RecentWrites } from './recent'

function memory(now: () => number = Date.now): { recent: RecentWrites; saved: () => RecentEntry[] } {
  let saved: RecentEntry[] = []
  const recent = new RecentWrites(
    {
      read: () => saved,
      write: (e) => {
        saved = structuredClone(e)
      }
    },
    now
  )
  return { recent, saved: () => saved }
}

const overtaken = (ids: string[]): RejectedEvent => ({
  ev: 'rejected',
  code: 'conflict',
  reason: 'a change made at the same time to the same note replaced yours',
  params: { why: 'overtaken' },
  notes: ids.map((id) => ({ id, code: 'conflict', params: { why: 'overtaken' } })),
  whole: false,
  parked: []
})

describe('recent writes (P266)', () => {
  it('hands back the words a concurrent write replaced, once', () => {
    const { recent } = memory()
    recent.wrote('n1', 'C3', 'owner', 'Ordnungsamt')
    recent.wrote('n1', 'C3', 'due', '2026-12-24')
    const lost = recent.lost('n1', { owner: 'Grünflächenamt', due: '2026-12-24' })
    expect(lost).toEqual({ id: 'n1', field: 'C3', text: '', keys: { owner: 'Ordnungsamt' } })
    expect(recent.lost('n1', { owner: 'Grünflächenamt', due: '' })).toBeNull()
  })

  it('hands back nothing where the note still shows the words, or they were empty', () => {
    const { recent } = memory()
    recent.wrote('n1', 'C3', 'owner', 'Ordnungsamt')
    recent.wrote('n2', 'C3', 'owner', '  ')
    expect(recent.lost('n1', { owner: 'Ordnungsamt' })).toBeNull()
    expect(recent.lost('n2', { owner: 'x' })).toBeNull()
    expect(recent.lost('n3', { owner: 'x' })).toBeNull()
  })

  it('hands back only words that lost, not ones someone changed after seeing them', () => {
    const { recent } = memory()
    recent.wrote('n1', 'C3', 'owner', 'Ordnungsamt', [7, 1])
    recent.wrote('n1', 'C3', 'due', '2026-12-24', [7, 2])
    const lost = recent.lost('n1', { owner: 'Grünflächenamt', due: '2027-01-08' }, (key) => key === 'due')
    expect(lost?.keys).toEqual({ due: '2026-12-24' })
  })

  it('hands back every word of a note that is gone', () => {
    const { recent } = memory()
    recent.wrote('n1', 'C3', 'owner', 'Ordnungsamt')
    expect(recent.lost('n1', null)?.keys).toEqual({ owner: 'Ordnungsamt' })
  })

  it('survives a reload, stays bounded and forgets what is a week old', () => {
    let now = 1_000_000_000_000
    const { recent, saved } = memory(() => now)
    for (let i = 0; i < 150; i++) recent.wrote(`n${i}`, 'C3', 'owner', `Amt ${i}`)
    expect(recent.size()).toBe(100)
    expect(saved()[0]?.note).toBe('n50')
    const again = new RecentWrites({ read: saved, write: () => {} }, () => now)
    expect(again.lost('n149', { owner: '' })?.keys).toEqual({ owner: 'Amt 149' })
    now += 8 * 24 * 3600 * 1000
    const later = new RecentWrites({ read: saved, write: () => {} }, () => now)
    expect(later.size()).toBe(0)
  })

  it('drops stored entries of the wrong shape', () => {
    const recent = new RecentWrites({
      read: () => [{ note: 'n1', field: 'C3', keys: { owner: 3 }, at: Date.now() }, 'x', null],
      write: () => {}
    })
    expect(recent.size()).toBe(0)
  })

  it('parks the lost words as a draft with the key named, and only for an overtaken event', () => {
    const drafts = new Drafts({ read: () => [], write: () => {} })
    drafts.keyLabel = (key) => (key === 'owner' ? 'Wer?' : key)
    const { recent } = memory()
    recent.wrote('n1', 'C3', 'owner', 'Ordnungsamt')
    const lost = (id: string) => recent.lost(id, { owner: 'Grünflächenamt' })
    expect(drafts.fromOvertaken({ ...overtaken(['n1']), params: { why: 'other' } }, lost)).toBe(0)
    expect(drafts.fromOvertaken(overtaken(['n1', 'n2']), lost)).toBe(1)
    const [draft] = drafts.all()
    expect(draft?.text).toBe('Wer: Ordnungsamt')
    expect(draft?.note).toBe('n1')
    expect(draft?.field).toBe('C3')
    expect(draft?.code).toBe('conflict')
  })
})
