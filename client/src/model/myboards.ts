// "Meine Boards": the boards a moderator made or opened on this device, with their links.
// Kept in localStorage only and never sent anywhere; people remove entries themselves.

import { ROLES as LINK_ROLES, type Role as LinkRole } from '../sync/vocab.gen'

export const MY_BOARDS_KEY = 'cocanvas:my-boards'
export const MAX_MY_BOARDS = 100

export interface MyBoard {
  id: string
  title: string
  /** When it was first remembered here (epoch ms). */
  savedAt: number
  links: Partial<Record<LinkRole, string>>
}

/** The part of `Storage` used here (tests pass a map). */
export interface KeyValue {
  getItem: (key: string) => string | null
  setItem: (key: string, value: string) => void
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function readEntry(v: unknown): MyBoard | null {
  if (!isRecord(v) || typeof v.id !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(v.id)) return null
  const links: Partial<Record<LinkRole, string>> = {}
  const raw = isRecord(v.links) ? v.links : {}
  for (const role of LINK_ROLES) {
    const link = raw[role]
    if (typeof link === 'string' && /^https?:\/\//.test(link) && link.length <= 2048) links[role] = link
  }
  const title = typeof v.title === 'string' ? v.title.slice(0, 200) : ''
  const savedAt = typeof v.savedAt === 'number' && Number.isFinite(v.savedAt) ? v.savedAt : 0
  return { id: v.id, title, savedAt, links }
}

/** The remembered boards, newest first; whatever cannot be read is left out. */
export function readMyBoards(store: KeyValue | null): MyBoard[] {
  try {
    const raw = store?.getItem(MY_BOARDS_KEY)
    const list: unknown = raw ? JSON.parse(raw) : []
    if (!Array.isArray(list)) return []
    return list
      .map(readEntry)
      .filter((b): b is MyBoard => b !== null)
      .slice(0, MAX_MY_BOARDS)
  } catch {
    return []
  }
}

function write(store: KeyValue | null, list: MyBoard[]): boolean {
  try {
    store?.setItem(MY_BOARDS_KEY, JSON.stringify(list.slice(0, MAX_MY_BOARDS)))
    return store !== null
  } catch {
    return false // storage full or blocked: the list stays as it was
  }
}

/** Remember a board (or add links and a newer title to one already known). */
export function rememberBoard(store: KeyValue | null, entry: MyBoard): boolean {
  const list = readMyBoards(store)
  const old = list.find((b) => b.id === entry.id)
  const merged: MyBoard = old
    ? { ...old, title: entry.title || old.title, links: { ...old.links, ...entry.links } }
    : entry
  return write(store, [merged, ...list.filter((b) => b.id !== entry.id)])
}

/** Forget a board on this device (the board itself stays on the server). */
export function forgetBoard(store: KeyValue | null, id: string): boolean {
  return write(
    store,
    readMyBoards(store).filter((b) => b.id !== id)
  )
}

/** localStorage, or null where the browser blocks it. */
export function deviceStorage(): KeyValue | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}
