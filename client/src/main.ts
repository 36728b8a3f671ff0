// Composition root of the board page: config -> doc (+ IndexedDB) -> sync -> model -> view.
import './sw-register'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import {
  type BoardLocation,
  idbName,
  MAX_NOTE_CHARS_DEFAULT,
  MAX_NOTES_DEFAULT,
  randomSecret,
  readLocation,
  readStored,
  storageKeys,
  writeStored
} from './config'
import { Facilitation } from './facilitation/session'
import { isLocale, type Locale, rememberedLocale, setLocale, t } from './i18n'
import { Board } from './model/board'
import { Canvas, getCanvas } from './model/canvas'
import { readLog } from './model/control'
import { normalizeJoinCode } from './model/joincode'
import { deviceStorage, rememberBoard } from './model/myboards'
import { createUndoManager } from './model/notes'
import { AppRequestError, type HelloReply, isRole, type Op, type Role, refusalCode } from './sync/appmsg'
import { Presence, type UserInfo } from './sync/awareness'
import { connect } from './sync/provider'
import { ApiError, BoardApi, boardInfo } from './sync/rest'
import { CLOSE } from './sync/vocab.gen'
import { Actions, type Ctx } from './view/actions'
import { BoardApp, type Prefs } from './view/app'
import { type Identity, isIdentity, joinDialog } from './view/dialogs'
import { fieldNamer, refusalText } from './view/drafts'
import { showError, showJoinCode, showLoading } from './view/errorpage'
import { setJoinUrl } from './view/projector'
import { Toasts } from './view/toast'

const PROJECTOR_KEY = (boardId: string): string => `cocanvas:${boardId}:projector`
function readSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key)
  } catch {
    return null
  }
}
function writeSession(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value)
  } catch {
    // unavailable: the choice lasts until the page reloads
  }
}
const isString = (v: unknown): v is string => typeof v === 'string'
const isPrefs = (v: unknown): v is Prefs =>
  typeof v === 'object' && v !== null && typeof (v as Prefs).cursors === 'boolean'

/** A refused or failed request, told in the person's language (server details below). */
function explainRefusal(toasts: Toasts, op: Op, err: unknown): void {
  const key = refusalCode(err)
  const detail =
    err instanceof AppRequestError && err.message && key !== 'offline'
      ? t('rejected.detail', { reason: err.message })
      : undefined
  toasts.show(t(`op.error.${key}`, { op }), { kind: 'error', detail })
}

/** The public author id is sha256("board:pid")[:16], as the server computes it (works offline). */
async function authorIdFor(boardId: string, pid: string): Promise<string | null> {
  if (!crypto.subtle) return null
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${boardId}:${pid}`))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 16)
}

function userColor(canvas: Canvas, identity: Identity | null, seed: string): string {
  const g = canvas.group(identity?.group)
  if (g) return g.color
  const palette = ['#3b5b92', '#7a4a9e', '#2f6f4f', '#9c4a1a', '#8a2846', '#2c6e7f']
  let n = 0
  for (const ch of seed) n = (n * 31 + ch.charCodeAt(0)) >>> 0
  return palette[n % palette.length] ?? '#3b5b92'
}

function start(root: HTMLElement, where: BoardLocation): void {
  const { boardId } = where
  const doc = new Y.Doc()
  const board = new Board(doc)
  const toasts = new Toasts()
  const idb = new IndexeddbPersistence(idbName(boardId), doc)

  let pid = readStored(storageKeys.pid(boardId), isString)
  if (!pid || pid.length < 32) {
    pid = randomSecret(40)
    writeStored(storageKeys.pid(boardId), pid)
  }
  let role: Role | null = readStored(storageKeys.role(boardId), isRole)
  let identity = readStored(storageKeys.identity(boardId), isIdentity)
  let authorId: string | null = null
  void authorIdFor(boardId, pid).then((id) => {
    authorId = authorId ?? id
  })
  const limits = { maxChars: MAX_NOTE_CHARS_DEFAULT, maxNotes: MAX_NOTES_DEFAULT }
  let prefs: Prefs = readStored(storageKeys.prefs, isPrefs) ?? { cursors: true, list: false }

  let app: BoardApp | null = null
  let canvas: Canvas | null = null
  let presence: Presence | null = null
  const undo = createUndoManager(board)

  let projector = readSession(PROJECTOR_KEY(boardId)) === '1'
  const conn = connect(doc, where, {
    hello: () => ({
      pid: pid ?? undefined,
      name: identity?.name ?? undefined,
      group: identity?.name ? (identity.group ?? undefined) : undefined
    }),
    onHello: (reply: HelloReply) => {
      if (reply.author_id) authorId = reply.author_id
      if (reply.limits?.max_note_chars) limits.maxChars = reply.limits.max_note_chars
      if (reply.limits?.max_notes) limits.maxNotes = reply.limits.max_notes
      fac.onHello(reply)
      setRole(reply.role)
    },
    onDenied: (reason) => {
      if (conn.speaksApp() || role === 'viewer' || role === 'projector') return
      toasts.show(t('rejected.forbidden'), { kind: 'error', detail: t('rejected.detail', { reason }) })
    }
  })
  let token = where.token
  const api = new BoardApi(boardId, () => token)
  const isList = (v: unknown): v is unknown[] => Array.isArray(v)
  const fac = new Facilitation(conn.app, boardId, {
    read: () => readStored(storageKeys.drafts(boardId), isList),
    write: (drafts) => writeStored(storageKeys.drafts(boardId), drafts)
  })
  fac.setRole(role)
  fac.setProjector(projector && role === 'moderator')
  fac.onError = (op, err) => explainRefusal(toasts, op, err)
  fac.onParked = () => {
    toasts.show(t('drafts.parked'), {
      kind: 'error',
      ms: 15000,
      action: { label: t('drafts.open'), run: () => fac.drafts.requestOpen() }
    })
  }
  fac.rehello = () => conn.hello()
  fac.onOwnToken = (next) => {
    token = next
    conn.provider.params.k = next
    window.history.replaceState(null, '', `#k=${next}`)
  }
  conn.app.onEvent((ev) => {
    if (ev.ev === 'rejected') {
      // P263: worded here from the code and its values, never the server's English reason
      const name = canvas ? fieldNamer(ctx) : (id: string) => id
      const partial = !ev.whole && ev.notes.length > 0
      toasts.show(refusalText(ev.code, ev.params, name), {
        kind: 'error',
        detail: partial ? t('rejected.partial', { count: ev.notes.length }) : undefined
      })
    } else if (ev.ev === 'link.rotated') {
      toasts.show(t('link.rotated'), { kind: 'error', ms: 60000 })
    }
  })
  fac.ballot.changed.on(() => app?.onBallot())
  fac.privateNotes.changed.on(() => app?.onPrivate())
  fac.changed.on(() => app?.onFacilitation())
  fac.restored.on(() => app?.onRemoteRestore())

  const readOnly = (): boolean =>
    (role !== 'moderator' && role !== 'participant') || (projector && role === 'moderator')
  const user = (): UserInfo => ({
    name: role === 'viewer' || role === 'projector' ? t(`role.${role}`) : (identity?.name ?? t('note.anonymous')),
    group: identity?.name ? identity.group : null,
    color: canvas ? userColor(canvas, identity, pid ?? '') : '#3b5b92',
    role: role ?? 'viewer'
  })

  const ctxOf = (): Ctx => {
    if (!canvas || !presence) throw new Error('board not ready')
    return ctx
  }
  const actions = new Actions(ctxOf)
  let ctx: Ctx

  let unsubscribe: (() => void) | null = null
  /** Build the page once meta and role are known; `force` rebuilds it (language, role). */
  const mount = (force = false): void => {
    if (app && !force) return
    const meta = board.readMeta()
    if (!meta || role === null) return
    if (!canvas) {
      const def = getCanvas(meta.canvas)
      if (!def) {
        showError(root, t('error.nocanvas', { canvas: meta.canvas }))
        return
      }
      canvas = new Canvas(def)
      if (!rememberedLocale() && isLocale(meta.locale)) setLocale(meta.locale)
    }
    if (!presence) presence = new Presence(conn.awareness, user())
    else presence.setUser(user())
    ctx = {
      board,
      canvas,
      presence,
      toasts,
      undo,
      limits,
      readOnly,
      actions,
      fac,
      moderator: () => role === 'moderator' && !projector,
      author: () => ({ name: identity?.name ?? null, group: identity?.group ?? null, authorId }),
      spotIn: (fieldId) => app?.canvas.spotIn(fieldId) ?? { x: 0.5, y: 0.5 }
    }
    const view = app?.view() ?? null
    app?.destroy()
    app = new BoardApp({
      ctx,
      title: () => board.readMeta()?.title ?? '',
      role: () => role ?? 'viewer',
      onLocale: (l: Locale) => {
        setLocale(l, true)
        mount(true)
      },
      onProfile: readOnly() ? null : askIdentity,
      prefs,
      savePrefs: (p) => {
        prefs = p
        writeStored(storageKeys.prefs, p)
      },
      projector: role === 'viewer' || role === 'projector' || (projector && role === 'moderator'),
      screen: role === 'projector' || (projector && role === 'moderator'),
      onProjector:
        role === 'moderator'
          ? (on: boolean) => {
              projector = on
              writeSession(PROJECTOR_KEY(boardId), on ? '1' : '0')
              fac.setProjector(on)
              mount(true)
            }
          : null,
      api
    })
    root.replaceChildren(app.el)
    app.start(view)
    unsubscribe?.()
    unsubscribe = conn.status.subscribe((s) => app?.setStatus(s))
    if (!readOnly() && identity === null) askIdentity()
  }

  function askIdentity(): void {
    const meta = board.readMeta()
    if (!meta || !canvas || document.querySelector('dialog.dialog[open]')) return
    const dlg = joinDialog({
      title: meta.title,
      canvas,
      groups: meta.groups,
      anonymousAllowed: meta.anonymousAllowed,
      current: identity,
      cancellable: identity !== null,
      onDone: (id) => {
        identity = id
        writeStored(storageKeys.identity(boardId), id)
        presence?.setUser(user())
        app?.renderPresence()
        // the server learns the name and group too (private notes, votes by group)
        conn.hello()
      }
    })
    document.body.append(dlg)
    dlg.showModal()
  }

  function setRole(next: Role): void {
    const changed = next !== role
    role = next
    fac.setRole(next)
    fac.setProjector(projector && next === 'moderator')
    writeStored(storageKeys.role(boardId), next)
    if (changed) mount(true)
    else presence?.setUser(user())
  }

  // a mistyped or expired code: ask again, saying why. The REST answer and the socket's
  // close can come in either order; whichever is first asks, the other changes nothing.
  const typedCode = normalizeJoinCode(where.token) !== null
  let askedAgain = false
  function askCodeAgain(problem: string): void {
    if (askedAgain) return
    askedAgain = true
    conn.destroy()
    window.history.replaceState(null, '', window.location.pathname)
    showJoinCode(root, problem)
  }

  // the REST call tells the role early (and explains bad links) before the socket does
  boardInfo(boardId, where.token)
    .then((info) => {
      if (info.role !== null && role !== info.role) setRole(info.role)
      if (info.joinUrl !== null) setJoinUrl(info.joinUrl)
      if (info.role === 'moderator') {
        // "Meine Boards" on the landing page: also boards whose moderator link was opened here
        const created = info.createdAt !== null ? info.createdAt * 1000 : Date.now()
        const link = `${window.location.origin}/b/${boardId}#k=${token}`
        rememberBoard(deviceStorage(), { id: boardId, title: info.title, savedAt: created, links: { moderator: link } })
      }
    })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError)) return
      if (typedCode && (err.status === 401 || err.status === 429)) {
        askCodeAgain(t(err.status === 401 ? 'joincode.wrong' : 'landing.join.ratelimit'))
        return
      }
      if (askedAgain) return
      if (err.status === 401 || err.status === 404) {
        conn.destroy()
        showError(root, t(err.status === 401 ? 'error.4401' : 'error.4404'))
      }
      // otherwise offline or a passing failure: go on with what this device remembers
    })

  board.meta.observe(() => {
    if (!app) mount()
    else app.onMeta()
  })
  board.notes.observeDeep((events) => {
    if (!app) return
    const dirty = new Set<string>()
    for (const ev of events) {
      const [first] = ev.path
      if (typeof first === 'string') dirty.add(first)
      else for (const k of ev.changes.keys.keys()) dirty.add(k)
    }
    app.canvas.render(dirty)
    app.list.schedule()
    app.onNotes()
  })
  board.control.observeDeep(() => {
    fac.noticeLog(readLog(board.control))
    app?.onControl()
  })
  conn.awareness.on('change', () => app?.renderPresence())
  conn.status.subscribe((s) => {
    if (s.fatal && !app) {
      if (typedCode && s.fatal.code === CLOSE.UNAUTHORIZED) {
        askCodeAgain(t('joincode.wrong'))
        return
      }
      if (typedCode && s.fatal.code === CLOSE.TOO_MANY_REQUESTS) {
        askCodeAgain(t('landing.join.ratelimit'))
        return
      }
      if (askedAgain) return
      showError(
        root,
        t(
          s.fatal.code === CLOSE.UNAUTHORIZED
            ? 'error.4401'
            : s.fatal.code === CLOSE.BOARD_NOT_FOUND
              ? 'error.4404'
              : 'error.4403'
        ),
        true
      )
    }
  })
  void idb.whenSynced.then(() => {
    conn.status.set({ localReady: true })
    mount()
  })
  conn.provider.on('sync', () => mount())

  // for tests and debugging: the document, never the token
  Object.assign(window, {
    cocanvas: {
      doc,
      board,
      role: () => role,
      status: () => conn.status.get(),
      notes: () => board.notesJson(),
      undo,
      clockOffset: () => fac.clock.offset(),
      privateNotes: () => fac.privateNotes.all(),
      privatePending: () => fac.privateNotes.pending(),
      showAll: () => app?.canvas.pz.fit()
    }
  })
}

const root = document.getElementById('app')
if (root) {
  setLocale(rememberedLocale() ?? 'de')
  const where = readLocation()
  if (where === 'badpath') showError(root, t('error.badpath'))
  else if (where === 'notoken') showJoinCode(root)
  else {
    showLoading(root)
    start(root, where)
  }
}
