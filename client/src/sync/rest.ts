// REST for the follow-up of a board: snapshots, compare, restore as a copy, exports and
// archive import (server/routes/history.py, boards.py). Every reply is checked before use
// (any server is only semi-trusted); failures become an ApiError with the HTTP status and
// the server's message. Restore in place and saving a snapshot go over the app channel
// (`snapshot.restore`, `snapshot.create`), so the decision log names the moderator.
import type { BoardView } from '../model/snapshot'
import { isRole, type Role } from './appTypes'
import { type ExportFormat, SNAPSHOT_KINDS, type SnapshotKind } from './vocab.gen'

export { EXPORT_FORMATS, type ExportFormat, SNAPSHOT_KINDS, type SnapshotKind } from './vocab.gen'

export interface SnapshotInfo {
  sid: string
  label: string
  kind: SnapshotKind
  /** Unix seconds. */
  createdAt: number
  notes: number
}

export interface Snapshot extends SnapshotInfo {
  board: BoardView
}

/** A note as the compare endpoint sends it: its plain JSON view plus its id. */
export type NoteView = Record<string, unknown> & { id: string }

export interface ChangedNote {
  id: string
  before: Record<string, unknown>
  after: Record<string, unknown>
  keys: string[]
}

export interface Diff {
  added: NoteView[]
  removed: NoteView[]
  changed: ChangedNote[]
}

export interface BoardLinks {
  moderator: string
  participant: string
  viewer: string
  projector: string
}

export interface NewBoard {
  id: string
  title: string
  links: BoardLinks
}

export interface ExportOptions {
  snapshot?: string | null
  anonymize?: boolean
  locale?: string
}

export interface Download {
  blob: Blob
  filename: string
}

/** An HTTP failure: `status` 0 means the server was not reached at all. */
export class ApiError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024

async function send(url: string, init: RequestInit): Promise<Response> {
  let res: Response
  try {
    res = await fetch(url, { cache: 'no-store', ...init })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, err instanceof Error ? err.message : String(err))
  }
  if (!res.ok) {
    const data: unknown = await res.json().catch(() => null)
    const message = isRecord(data) && typeof data.error === 'string' ? data.error : res.statusText
    throw new ApiError(res.status, message)
  }
  return res
}

async function json(res: Response): Promise<Record<string, unknown>> {
  const data: unknown = await res.json().catch(() => null)
  if (!isRecord(data)) throw new ApiError(502, 'unexpected reply from the server')
  return data
}

export function readSnapshotInfo(v: unknown): SnapshotInfo | null {
  if (!isRecord(v) || typeof v.sid !== 'string' || !v.sid) return null
  const kind = (SNAPSHOT_KINDS as readonly unknown[]).includes(v.kind) ? (v.kind as SnapshotKind) : 'manual'
  const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0)
  return {
    sid: v.sid,
    label: typeof v.label === 'string' ? v.label : '',
    kind,
    createdAt: num(v.created_at),
    notes: num(v.notes)
  }
}

function readBoardView(v: unknown): BoardView {
  const r = isRecord(v) ? v : {}
  const notes: Record<string, Record<string, unknown>> = {}
  if (isRecord(r.notes)) {
    for (const [id, n] of Object.entries(r.notes)) if (isRecord(n)) notes[id] = n
  }
  return { meta: isRecord(r.meta) ? r.meta : {}, notes, control: isRecord(r.control) ? r.control : {} }
}

function readNotes(v: unknown): NoteView[] {
  if (!Array.isArray(v)) return []
  return v.filter((n): n is NoteView => isRecord(n) && typeof n.id === 'string')
}

function readLinks(v: unknown): BoardLinks | null {
  if (!isRecord(v)) return null
  const { moderator, participant, viewer, projector } = v
  if (
    typeof moderator !== 'string' ||
    typeof participant !== 'string' ||
    typeof viewer !== 'string' ||
    typeof projector !== 'string'
  )
    return null
  return { moderator, participant, viewer, projector }
}

function readNewBoard(data: Record<string, unknown>, title: string): NewBoard {
  const links = readLinks(data.links)
  if (typeof data.id !== 'string' || !links) throw new ApiError(502, 'unexpected reply from the server')
  return { id: data.id, title: typeof data.title === 'string' ? data.title : title, links }
}

/** The file name from `content-disposition` (RFC 6266 `filename*` first). */
export function filenameFrom(header: string | null, fallback: string): string {
  if (header) {
    const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
    if (star?.[1]) {
      try {
        return cleanName(decodeURIComponent(star[1].trim()), fallback)
      } catch {
        // a malformed escape: try the plain form below
      }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header)
    if (plain?.[1]) return cleanName(plain[1].trim(), fallback)
  }
  return fallback
}

function cleanName(name: string, fallback: string): string {
  const base = name.replace(/[/\\]/g, '_').replace(/^\.+/, '').slice(0, 180)
  return base || fallback
}

/** REST calls for one board with the link token this page holds (it may be replaced). */
export class BoardApi {
  readonly boardId: string
  private readonly token: () => string

  constructor(boardId: string, token: () => string) {
    this.boardId = boardId
    this.token = token
  }

  private url(path: string): string {
    return `/api/boards/${encodeURIComponent(this.boardId)}${path}`
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token()}`, ...extra }
  }

  /** Snapshots, oldest first (as the server sends them). */
  async snapshots(): Promise<SnapshotInfo[]> {
    const data = await json(await send(this.url('/snapshots'), { headers: this.headers() }))
    const list = Array.isArray(data.snapshots) ? data.snapshots : []
    return list.map(readSnapshotInfo).filter((s): s is SnapshotInfo => s !== null)
  }

  async snapshot(sid: string): Promise<Snapshot> {
    const data = await json(await send(this.url(`/snapshots/${encodeURIComponent(sid)}`), { headers: this.headers() }))
    const info = readSnapshotInfo(data)
    if (!info) throw new ApiError(502, 'unexpected reply from the server')
    return { ...info, board: readBoardView(data.board) }
  }

  /** What changed from snapshot `from` to snapshot `to` (null: the board now). */
  async compare(from: string, to: string | null): Promise<Diff> {
    const q = new URLSearchParams({ from })
    if (to) q.set('to', to)
    const data = await json(await send(this.url(`/compare?${q.toString()}`), { headers: this.headers() }))
    const changed: ChangedNote[] = []
    if (Array.isArray(data.changed)) {
      for (const c of data.changed) {
        if (!isRecord(c) || typeof c.id !== 'string') continue
        changed.push({
          id: c.id,
          before: isRecord(c.before) ? c.before : {},
          after: isRecord(c.after) ? c.after : {},
          keys: Array.isArray(c.keys) ? c.keys.filter((k): k is string => typeof k === 'string') : []
        })
      }
    }
    return { added: readNotes(data.added), removed: readNotes(data.removed), changed }
  }

  /** A new board with the snapshot's content (moderator link). */
  async restoreAsCopy(sid: string, title: string | null): Promise<NewBoard> {
    const body = title ? { mode: 'copy', title } : { mode: 'copy' }
    const res = await send(this.url(`/snapshots/${encodeURIComponent(sid)}/restore`), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body)
    })
    return readNewBoard(await json(res), title ?? '')
  }

  /** One export file of the live board or of a snapshot. */
  async export(fmt: ExportFormat, opts: ExportOptions = {}, signal?: AbortSignal): Promise<Download> {
    const q = new URLSearchParams()
    if (opts.snapshot) q.set('snapshot', opts.snapshot)
    if (opts.anonymize) q.set('anonymize', '1')
    if (opts.locale) q.set('locale', opts.locale)
    const query = q.toString()
    const res = await send(this.url(`/export.${fmt}${query ? `?${query}` : ''}`), { headers: this.headers(), signal })
    const blob = await res.blob()
    return { blob, filename: filenameFrom(res.headers.get('content-disposition'), `board.${fmt}`) }
  }
}

/** Create a board; the reply carries its id, title and the four links. */
export async function createBoard(body: { canvas: string; title: string; locale: string }): Promise<NewBoard> {
  const res = await send('/api/boards', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  return readNewBoard(await json(res), body.title)
}

/** What `GET /api/boards/{id}` tells a token's holder; null where the reply says nothing. */
export interface BoardInfo {
  role: Role | null
  title: string
  /** Unix seconds. */
  createdAt: number | null
  joinUrl: string | null
}

/** The board as a link token (or join code) sees it; an ApiError with status 401 or 404
 * for a token or board that does not work, 429 after too many tries, 0 when offline. */
export async function boardInfo(boardId: string, token: string): Promise<BoardInfo> {
  const res = await send(`/api/boards/${encodeURIComponent(boardId)}`, {
    headers: { authorization: `Bearer ${token}` }
  })
  const data = await json(res)
  return {
    role: isRole(data.role) ? data.role : null,
    title: typeof data.title === 'string' ? data.title : '',
    createdAt: typeof data.created_at === 'number' && Number.isFinite(data.created_at) ? data.created_at : null,
    joinUrl: typeof data.join_url === 'string' ? data.join_url : null
  }
}

/** The id of the board a join code opens (P240); ApiError 404 for an unknown or expired code. */
export async function findBoardByCode(code: string): Promise<string> {
  const res = await send('/api/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code })
  })
  const data = await json(res)
  if (typeof data.board !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(data.board))
    throw new ApiError(502, 'unexpected reply from the server')
  return data.board
}

/** The role a link token has on a board now, or null when it does not work (any more). */
export async function roleOfToken(boardId: string, token: string): Promise<Role | null> {
  try {
    return (await boardInfo(boardId, token)).role
  } catch {
    return null
  }
}

/** Import a `.cocanvas` archive as a new board (new id, new links). */
export async function importArchive(file: Blob): Promise<NewBoard> {
  if (file.size > MAX_ARCHIVE_BYTES) throw new ApiError(413, `archives are at most ${MAX_ARCHIVE_BYTES} bytes`)
  const res = await send('/api/boards/import', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: file
  })
  return readNewBoard(await json(res), '')
}
