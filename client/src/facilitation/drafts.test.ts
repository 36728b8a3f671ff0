import { describe, expect, it } from 'vitest'
import { readEvent } from '../sync/appEvents'
import { type Draft, Drafts } from './drafts'

function memory(): { store: Drafts; saved: () => Draft[] } {
  let saved: Draft[] = []
  const store = new Drafts({
    read: () => saved,
    write: (d) => {
      saved = structuredClone(d)
    }
  })
  return { store, saved: () => saved }
}

const rejected = (parked: unknown[]): ReturnType<typeof readEvent> =>
  readEvent({
    ev: 'rejected',
    code: 'locked',
    reason: 'field A1 is locked',
    params: { field: 'A1' },
    notes: [{ id: 'n1', code: 'locked', params: { field: 'A1' } }],
    whole: false,
    parked
  })

describe('parked drafts', () => {
  it('keeps what the server handed back, with the code and params, and stores it', () => {
    const { store, saved } = memory()
    const ev = rejected([{ id: 'n1', field: 'A1', text: 'halber Satz' }])
    expect(ev?.ev).toBe('rejected')
    if (ev?.ev !== 'rejected') return
    expect(ev.whole).toBe(false)
    expect(store.fromRejected(ev)).toBe(1)
    const [d] = saved()
    expect(d).toMatchObject({ note: 'n1', field: 'A1', text: 'halber Satz', code: 'locked', params: { field: 'A1' } })
  })

  it('grows a draft of the same note instead of adding a second one', () => {
    const { store } = memory()
    store.park({ id: 'n1', field: 'A1', text: 'halber' }, 'locked', { field: 'A1' })
    expect(store.park({ id: 'n1', field: 'A1', text: 'halber Satz' }, 'locked', {})).toBe(true)
    expect(store.park({ id: 'n1', field: 'A1', text: 'halber' }, 'locked', {})).toBe(false)
    expect(store.all().map((d) => d.text)).toEqual(['halber Satz'])
  })

  it('survives a reload and ignores damaged entries', () => {
    const { store, saved } = memory()
    store.park({ id: 'n1', field: null, text: 'offline geschrieben' }, 'invalid', {})
    const again = new Drafts({ read: () => [...saved(), { id: 3 }, null], write: () => {} })
    expect(again.all().map((d) => d.text)).toEqual(['offline geschrieben'])
  })

  it('removes a draft only when asked', () => {
    const { store } = memory()
    store.park({ id: 'n1', field: 'A1', text: 'x' }, 'locked', {})
    const id = store.all()[0]?.id ?? ''
    store.setText(id, 'y')
    expect(store.get(id)?.text).toBe('y')
    store.remove(id)
    expect(store.all()).toEqual([])
  })

  it("keeps every word of a partner or action note, each key named in the reader's language", () => {
    const { store, saved } = memory()
    store.keyLabel = (key, field) =>
      field === 'C3' && key === 'owner'
        ? 'Wer?'
        : (({ resources: 'Ressourcen', tasks: 'Aufgaben' } as Record<string, string>)[key] ?? key)
    const ev = rejected([
      { id: 'n1', field: 'B4', text: 'Stadtteilverein', keys: { resources: 'Räume', tasks: 'Einladen' } },
      { id: 'n2', field: 'C3', text: '', keys: { owner: 'Amt 61', bad: 3 } }
    ])
    if (ev?.ev !== 'rejected') throw new Error('not read')
    expect(ev.parked[1]).toEqual({ id: 'n2', field: 'C3', text: '', keys: { owner: 'Amt 61' } })
    expect(store.fromRejected(ev)).toBe(2)
    expect(saved().map((d) => d.text)).toEqual([
      'Stadtteilverein\nRessourcen: Räume\nAufgaben: Einladen',
      'Wer: Amt 61'
    ])
  })

  it('goes on writing in the draft of a note the server parked first', () => {
    const { store } = memory()
    store.park({ id: 'n1', field: 'A1', text: 'Wir brauchen me' }, 'locked', { field: 'A1' })
    const id = store.fromLockedNote('n1', 'A1', 'Wir brauchen', 'h')
    expect(store.all()).toHaveLength(1)
    expect(store.get(id)?.text).toBe('Wir brauchen meh')
    const other = store.fromLockedNote('n2', 'A1', 'Neu', '!')
    expect(store.get(other)).toMatchObject({ note: 'n2', text: 'Neu!', params: { field: 'A1', typing: 1 } })
  })

  it('another tab on the same storage sees a draft placed here gone', () => {
    let shared: Draft[] = []
    const storage = {
      read: () => shared,
      write: (d: Draft[]) => {
        shared = structuredClone(d)
      }
    }
    const here = new Drafts(storage)
    const id = here.fromLockedNote('n1', 'A1', 'Text', '!')
    const there = new Drafts(storage)
    expect(there.all()).toHaveLength(1)
    here.remove(id)
    let told = 0
    there.changed.on(() => told++)
    there.reload()
    expect(there.all()).toEqual([])
    expect(told).toBe(1)
  })

  it('words typed after the note changed start a draft of their own', () => {
    const { store } = memory()
    store.fromLockedNote('n1', 'C1', 'Wir brauchen', ' X', false)
    // the field opened, " Y" reached the note, it locked again while she typed " Z"
    const id = store.fromLockedNote('n1', 'C1', 'Wir brauchen Y', ' Z', true)
    expect(store.get(id)).toMatchObject({ text: 'Wir brauchen Y Z', params: { field: 'C1', typing: 1 } })
    expect(store.all().map((d) => d.text)).toEqual(['Wir brauchen X', 'Wir brauchen Y Z'])
  })

  it('a field found locked is not one that locked while typing', () => {
    const { store } = memory()
    const id = store.fromLockedNote('n3', 'B2', 'Alt', '?', false)
    expect(store.get(id)?.params).toEqual({ field: 'B2', typing: 0 })
  })
})
