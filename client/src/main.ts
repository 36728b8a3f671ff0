// Composition root of the board page: config -> doc (+ IndexedDB) -> sync -> model -> view.
import './sw-register'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { watchAccess } from './boardAccess'
import {
  type BoardLocation,
  idbName,
  MAX_NOTE_CHARS_DEFAULT,
  MAX_NOTES_DEFAULT,
  projectorKey,
  randomSecret,
  readLocation,
  readSession,
  readStored,
  storageKeys,
  writeSession,
  writeStored
} from './config'
import { Facilitation } from './facilitation/session'
import { isLocale, type Locale, rememberedLocale, setLocale, t } from './i18n'
import { authorIdFor, userColor } from './model/author'
import { Board } from './model/board'
import { Canvas, getCanvas } from './model/canvas'
import { readLog } from './model/control'
import { dueWords, isValidDue } from './model/dates'
import * as notes from './model/notes'
import { startOverWhenRefused } from './startOver'
import { type HelloReply, isRole, type Role } from './sync/appTypes'
import { Presence, type UserInfo } from './sync/awareness'
import { connect } from './sync/provider'
import { BoardApi } from './sync/rest'
import { idbBarrier, UnloadTail } from './sync/unloadTail'
import { Actions, type Ctx } from './view/actions'
import { BoardApp, type Prefs } from './view/app'
import { keyWords } from './view/compare'
import { isIdentity, joinDialog } from './view/dialogs'
import { fieldNamer, refusalText } from './view/drafts'
import { showError, showJoinCode, showLoading } from './view/errorpage'
import { explainRefusal } from './view/explain'
import { columnLabel } from './view/tableRows'
import { Toasts } from './view/toast'

const isString = (v: unknown): v is string => typeof v === 'string'

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null // blocked by the browser's settings
  }
}
const isPrefs = (v: unknown): v is Prefs =>
  typeof v === 'object' && v !== null && typeof (v as Prefs).cursors === 'boolean'

function start(root: HTMLElement, where: BoardLocation): void {
  const { boardId } = where
  const doc = new Y.Doc()
  const board = new Board(doc)
  const toasts = new Toasts()
  const idb = new IndexeddbPersistence(idbName(boardId), doc)
  // after y-indexeddb's own handler, so its barrier follows y-indexeddb's write
  const tail = new UnloadTail(
    doc,
    localStorageOrNull(),
    storageKeys.unsaved(boardId),
    idbBarrier(() => idb.db, 'updates')
  )
  tail.restore('unsaved')
  window.addEventListener('pagehide', () => tail.flush())
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') tail.flush()
  })

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
  const undo = notes.createUndoManager(board)

  let projector = readSession(projectorKey(boardId)) === '1'
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
  const fac = new Facilitation(
    conn.app,
    boardId,
    {
      read: () => readStored(storageKeys.drafts(boardId), isList),
      write: (drafts) => writeStored(storageKeys.drafts(boardId), drafts)
    },
    {
      read: () => readStored(storageKeys.recent(boardId), isList),
      write: (entries) => writeStored(storageKeys.recent(boardId), entries)
    }
  )
  fac.keyOvertaken = (note, key, at) => at === null || notes.keyOvertaken(board, note, key, at)
  fac.noteWords = (note) => {
    const d = board.data(note)
    return d ? { owner: d.owner, due: d.due } : null
  }
  fac.setRole(role)
  fac.setProjector(projector && role === 'moderator')
  fac.onError = (op, err) => explainRefusal(toasts, op, err)
  fac.drafts.keyValue = (key, value) => (key === 'due' && isValidDue(value) && value ? dueWords(value) : value)
  fac.drafts.keyLabel = (key, field) => (field && columnLabel(canvas?.field(field), key)) || keyWords(key)
  fac.onParked = () => {
    toasts.show(t('drafts.parked'), {
      kind: 'error',
      ms: 15000,
      action: { label: t('drafts.open'), run: () => fac.drafts.requestOpen() }
    })
  }
  // another tab of this board placed, handed in or parked a draft: show the same list
  window.addEventListener('storage', (e) => {
    if (e.key === storageKeys.drafts(boardId)) fac.drafts.reload()
  })
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
      // P266: an overtaken change was not refused; nothing else of the update is at stake
      const partial = !ev.whole && ev.notes.length > 0 && ev.code !== 'conflict'
      // several fields locked meanwhile (offline work): name them all
      const locked = [
        ...new Set(
          ev.notes.flatMap((n) => (n.code === 'locked' && typeof n.params.field === 'string' ? [n.params.field] : []))
        )
      ]
      const text =
        locked.length > 1
          ? t('rejected.locked.fields', { fields: locked.map(name).join(', ') })
          : refusalText(ev.code, ev.params, name)
      toasts.show(text, {
        kind: 'error',
        detail: partial ? t('rejected.partial', { count: ev.notes.length }) : undefined
      })
    } else if (ev.ev === 'link.rotated') {
      toasts.show(t('link.rotated'), { kind: 'error', ms: 60000 })
    }
  })
  startOverWhenRefused(boardId, board, conn, fac, toasts, () => {
    tail.stop()
    return idb.clearData()
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
    color: canvas ? userColor(canvas, identity?.group, pid ?? '') : '#3b5b92',
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
              writeSession(projectorKey(boardId), on ? '1' : '0')
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

  watchAccess(root, where, conn, {
    role: () => role,
    setRole,
    token: () => token,
    shown: () => app !== null
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
  void idb.whenSynced.then(() => {
    tail.settle()
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
