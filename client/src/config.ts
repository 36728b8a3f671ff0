// Where we are: board id from the path, link token from the URL fragment, and constants.

export const BOARD_ID_RE = /^[A-Za-z0-9_-]{6,64}$/

export const CURSOR_INTERVAL_MS = 100 // at most 10 cursor updates per second
export const DRAG_INTERVAL_MS = 60
export const MAX_NOTE_CHARS_DEFAULT = 5000
export const MAX_NOTES_DEFAULT = 2000
export const PHONE_MAX_WIDTH = 720

/** The board's size in board units (CSS px at zoom 1). */
export const BOARD_WIDTH = 2400
export const BOARD_HEIGHT = 2160

export interface BoardLocation {
  boardId: string
  token: string
}

export type LocationProblem = 'badpath' | 'notoken'

/** Read `/b/{board_id}#k=TOKEN` (the token never travels in a request line). */
export function readLocation(loc: Location = window.location): BoardLocation | LocationProblem {
  const m = /^\/b\/([^/]+)\/?$/.exec(loc.pathname)
  const boardId = m?.[1] ? decodeURIComponent(m[1]) : ''
  if (!BOARD_ID_RE.test(boardId)) return 'badpath'
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ''))
  const token = hash.get('k') ?? ''
  if (!token) return 'notoken'
  return { boardId, token }
}

export function wsServerUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`
}

/** localStorage keys, one namespace per board. */
export const storageKeys = {
  identity: (boardId: string) => `cocanvas:${boardId}:identity`,
  pid: (boardId: string) => `cocanvas:${boardId}:pid`,
  role: (boardId: string) => `cocanvas:${boardId}:role`,
  /** The projector link token a moderator made on this device (reused by "open projector"). */
  projectorToken: (boardId: string) => `cocanvas:${boardId}:projector-token`,
  /** Parked drafts: words the server refused, kept on this device only (P262). */
  drafts: (boardId: string) => `cocanvas:${boardId}:drafts`,
  /** This person's last words in notes' plain-string keys, kept for P266. */
  recent: (boardId: string) => `cocanvas:${boardId}:recent`,
  /** Local edits IndexedDB had not stored when the last page went away (a Yjs update). */
  unsaved: (boardId: string) => `cocanvas:${boardId}:unsaved`,
  /** Every note's words, kept while this device drops its copy of the board (P117). */
  startover: (boardId: string) => `cocanvas:${boardId}:startover`,
  prefs: 'cocanvas:prefs'
} as const

export function idbName(boardId: string): string {
  return `cocanvas-board-${boardId}`
}

export function readStored<T>(key: string, check: (v: unknown) => v is T): T | null {
  try {
    const raw = localStorage.getItem(key)
    if (raw === null) return null
    const value: unknown = JSON.parse(raw)
    return check(value) ? value : null
  } catch {
    return null
  }
}

export function writeStored(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value))
  } catch {
    // storage full or unavailable: the value lasts for this page only
  }
}

/** sessionStorage key: this tab shows the moderator's board in projector mode. */
export const projectorKey = (boardId: string): string => `cocanvas:${boardId}:projector`

export function readSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key)
  } catch {
    return null
  }
}

export function writeSession(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value)
  } catch {
    // unavailable: the choice lasts until the page reloads
  }
}

/** A random url-safe secret of `length` characters. */
export function randomSecret(length = 40): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  let out = ''
  for (const b of bytes) out += alphabet[b & 63]
  return out
}

export function randomId(): string {
  return randomSecret(16)
}
