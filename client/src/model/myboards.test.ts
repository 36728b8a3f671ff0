import { describe, expect, it } from 'vitest'
import { forgetBoard, type KeyValue, MY_BOARDS_KEY, type MyBoard, readMyBoards, rememberBoard } from './myboards'

function memory(initial?: string): KeyValue & { data: Map<string, string> } {
  const data = new Map<string, string>()
  if (initial !== undefined) data.set(MY_BOARDS_KEY, initial)
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) }
}

const board = (id: string, title = `Board ${id}`): MyBoard => ({
  id,
  title,
  savedAt: 1_700_000_000_000,
  links: { moderator: `https://x.example/b/${id}#k=m`, participant: `https://x.example/b/${id}#k=p` }
})

describe('Meine Boards', () => {
  it('remembers boards newest first and forgets one on request', () => {
    const store = memory()
    rememberBoard(store, board('board-one'))
    rememberBoard(store, board('board-two'))
    expect(readMyBoards(store).map((b) => b.id)).toEqual(['board-two', 'board-one'])
    forgetBoard(store, 'board-one')
    expect(readMyBoards(store).map((b) => b.id)).toEqual(['board-two'])
  })

  it('merges links and a new title into a known board', () => {
    const store = memory()
    rememberBoard(store, board('board-one', 'Alt'))
    rememberBoard(store, {
      id: 'board-one',
      title: 'Neu',
      savedAt: 5,
      links: { viewer: 'https://x.example/b/board-one#k=v' }
    })
    const [only] = readMyBoards(store)
    expect(only?.title).toBe('Neu')
    expect(only?.savedAt).toBe(1_700_000_000_000)
    expect(Object.keys(only?.links ?? {}).sort()).toEqual(['moderator', 'participant', 'viewer'])
  })

  it('leaves out what it cannot read: bad JSON, bad ids, script links', () => {
    expect(readMyBoards(memory('{nope'))).toEqual([])
    const list = readMyBoards(
      memory(
        JSON.stringify([
          { id: '../etc', title: 'x' },
          { id: 'board-one', title: 7, links: { moderator: 'javascript:alert(1)' } }
        ])
      )
    )
    expect(list).toEqual([{ id: 'board-one', title: '', savedAt: 0, links: {} }])
  })

  it('survives storage that refuses to write', () => {
    const store: KeyValue = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota')
      }
    }
    expect(rememberBoard(store, board('board-one'))).toBe(false)
  })
})
