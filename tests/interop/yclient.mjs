#!/usr/bin/env node
// Scriptable stock Yjs clients for interop tests.
//
// One Node process hosts any number of named clients; each is a stock `WebsocketProvider`
// from npm `y-websocket` with its own `Y.Doc` (no patches, `disableBc: true`).
//
// Protocol: one JSON object per line.
//   stdin  (requests): {"id": 1, "cmd": "connect", "client": "a", ...args}
//   stdout (replies):  {"re": 1, "ok": true, ...} | {"re": 1, "ok": false, "error": "..."}
//   stdout (events):   {"ev": "status" | "sync" | "close" | "closed" | "permission-denied" |
//                       "change" | "awareness" | "error", "client": "a", ...}
// Exactly one reply per request. A failing command never ends the process. The process
// destroys every provider and exits when stdin closes, or on {"cmd": "quit"}.
//
// Commands (all but ping/list/quit take "client"; tests/interop/driver.py wraps them):
//   connect {url, room, params?, awareness?, timeout_ms=5000, client_id?, max_backoff_ms?}
//       -> {client_id, status} once synced; ok:false with {code, reason} if the server closes
//       with a code >= 4400 before that, or {timeout: true, status, code, reason}. The client
//       stays registered either way ("destroy" it to reuse the name).
//   add_note {note_id, field, text="", x=0.5, y=0.5, color="yellow", extra?}
//   insert_text {note_id, index, text, key="text"}    delete_text {note_id, index, length, key}
//   set_key {note_id, key, value}    delete_note {note_id}
//   set_root_key {root, key, value}  set_new_root {name, key, value}
//   burst {count, prefix="b", field="A1"} adds notes <prefix><i>, one transaction each;
//       with note_id: sets key (default "seq") of that note to 0..count-1 instead
//   dump -> {doc: {meta, notes, control}, other_roots, state_vector (base64), synced, status,
//       client_id}
//   set_awareness {state}   awareness -> {states: {clientID: state}, client_id}
//   disconnect   reconnect {type_at_open?: {note_id, text, key="text"}}   destroy
//   events -> {closes: [{code, reason, local, t}], statuses, permission_denied, syncs, status,
//       should_connect, synced}
//   ping   list   quit
// Events: ready, status {status}, sync {synced}, close {code, reason, local} (code null when
// the provider closed the socket itself), closed {code, reason} (4400-4499: no more retries),
// connection-error, permission-denied {reason}, change (remote doc change; coalesced per tick),
// awareness {added, updated, removed, local}, error {error} (uncaught; the process lives on).

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as authProtocol from 'y-protocols/auth'
import WebSocket from 'ws'
import { createInterface } from 'node:readline'

// Anything a library prints must not corrupt the JSON stream on stdout.
console.log = (...args) => console.error(...args)
console.info = (...args) => console.error(...args)
// Every provider registers a process 'exit' listener; many clients are normal here.
process.setMaxListeners(0)

const ROOTS = ['meta', 'notes', 'control']
const MAX_BURST = 100000

/**
 * @typedef {object} Client
 * @property {string} name
 * @property {Y.Doc} doc
 * @property {WebsocketProvider} provider
 * @property {Array<{code: number|null, reason: string, local: boolean, t: number}>} closes
 * @property {Array<{status: string, t: number}>} statuses
 * @property {Array<{reason: string, t: number}>} denied
 * @property {Array<{synced: boolean, t: number}>} syncs
 * @property {boolean} changePending
 */

/** @type {Map<string, Client>} */
const clients = new Map()

const write = (obj) => {
  process.stdout.write(JSON.stringify(obj) + '\n')
}
const emit = (ev, client, fields = {}) => write({ ev, client, ...fields })

class CommandError extends Error {
  constructor (message, fields = {}) {
    super(message)
    this.fields = fields
  }
}

const need = (args, key, type) => {
  const v = args[key]
  if (v === undefined || v === null) throw new CommandError(`missing argument "${key}"`)
  if (type === 'integer') {
    if (!Number.isInteger(v)) throw new CommandError(`argument "${key}" must be an integer`)
  } else if (type && typeof v !== type) {
    throw new CommandError(`argument "${key}" must be a ${type}`)
  }
  return v
}

const getClient = (args) => {
  const name = need(args, 'client', 'string')
  const c = clients.get(name)
  if (!c) throw new CommandError(`no client named "${name}"; send "connect" first`)
  return c
}

const statusOf = (provider) =>
  provider.wsconnected ? 'connected' : provider.wsconnecting ? 'connecting' : 'disconnected'

const noteOf = (c, noteId) => {
  const note = c.doc.getMap('notes').get(noteId)
  if (!(note instanceof Y.Map)) throw new CommandError(`note "${noteId}" does not exist here`)
  return note
}

const textOf = (c, args) => {
  const key = args.key ?? 'text'
  const text = noteOf(c, need(args, 'note_id', 'string')).get(key)
  if (!(text instanceof Y.Text)) throw new CommandError(`note key "${key}" is not a Y.Text`)
  return text
}

const rootJSON = (doc, name) => {
  for (const getter of ['getMap', 'getArray', 'getText', 'getXmlFragment']) {
    try {
      return doc[getter](name).toJSON()
    } catch (_e) {
      // defined with another type: try the next one
    }
  }
  return null
}

const bytesToBase64 = (bytes) => Buffer.from(bytes).toString('base64')

const ORIGIN = 'yclient'

/** Commands that do not need a connected client. */
const GLOBAL = {
  ping: () => ({ pid: process.pid, clients: [...clients.keys()] }),
  list: () => ({
    clients: [...clients.values()].map((c) => ({
      client: c.name,
      status: statusOf(c.provider),
      synced: c.provider.synced,
      client_id: c.doc.clientID
    }))
  }),
  quit: () => {
    setImmediate(shutdown)
    return {}
  }
}

const connect = (args) => {
  const name = need(args, 'client', 'string')
  const url = need(args, 'url', 'string')
  const room = need(args, 'room', 'string')
  const params = args.params ?? {}
  const timeoutMs = args.timeout_ms ?? 5000
  if (clients.has(name)) throw new CommandError(`client "${name}" exists; "destroy" it first`)
  const doc = new Y.Doc()
  if (Number.isInteger(args.client_id)) doc.clientID = args.client_id
  const provider = new WebsocketProvider(url, room, doc, {
    params,
    WebSocketPolyfill: WebSocket,
    disableBc: true,
    connect: false,
    ...(Number.isInteger(args.max_backoff_ms) ? { maxBackoffTime: args.max_backoff_ms } : {})
  })
  /** @type {Client} */
  const c = { name, doc, provider, closes: [], statuses: [], denied: [], syncs: [], changePending: false }
  clients.set(name, c)
  if (args.awareness !== undefined) provider.awareness.setLocalState(args.awareness)

  provider.on('status', ({ status }) => {
    c.statuses.push({ status, t: Date.now() })
    emit('status', name, { status })
  })
  provider.on('sync', (synced) => {
    c.syncs.push({ synced, t: Date.now() })
    emit('sync', name, { synced })
  })
  provider.on('connection-close', (event) => {
    // event is null when the provider closed the socket itself (disconnect(), watchdog)
    const rec = event
      ? { code: event.code, reason: String(event.reason ?? ''), local: false, t: Date.now() }
      : { code: null, reason: '', local: true, t: Date.now() }
    c.closes.push(rec)
    emit('close', name, { code: rec.code, reason: rec.reason, local: rec.local })
  })
  provider.on('closed', ({ code, reason }) => {
    // y-websocket 3.x: permanent close (4400-4499), the provider stopped reconnecting
    emit('closed', name, { code, reason: String(reason ?? '') })
  })
  provider.on('connection-error', () => emit('connection-error', name))
  // The stock handler for [2, 0, reason] only console.warns; report it as an event too.
  provider.messageHandlers[2] = (_encoder, decoder, prov) => {
    authProtocol.readAuthMessage(decoder, prov.doc, (_doc, reason) => {
      c.denied.push({ reason, t: Date.now() })
      emit('permission-denied', name, { reason })
    })
  }
  doc.on('afterTransaction', (tr) => {
    if (tr.local || c.changePending) return
    c.changePending = true
    setImmediate(() => {
      c.changePending = false
      if (clients.get(name) === c) emit('change', name)
    })
  })
  provider.awareness.on('change', ({ added, updated, removed }, origin) => {
    emit('awareness', name, { added, updated, removed, local: origin === 'local' })
  })

  return new Promise((resolve, reject) => {
    let timer = null
    const finish = (fn, value) => {
      clearTimeout(timer)
      provider.off('sync', onSync)
      provider.off('connection-close', onClose)
      fn(value)
    }
    const onSync = (synced) => {
      if (synced) finish(resolve, { client_id: doc.clientID, status: statusOf(provider) })
    }
    const onClose = (event) => {
      if (event && event.code >= 4400) {
        finish(reject, new CommandError(`closed by server before sync: ${event.code} ${event.reason}`, {
          code: event.code,
          reason: String(event.reason ?? ''),
          client_id: doc.clientID
        }))
      }
    }
    timer = setTimeout(() => {
      const last = c.closes[c.closes.length - 1]
      finish(reject, new CommandError(`not synced after ${timeoutMs} ms`, {
        timeout: true,
        status: statusOf(provider),
        code: last ? last.code : null,
        reason: last ? last.reason : null,
        client_id: doc.clientID
      }))
    }, timeoutMs)
    provider.on('sync', onSync)
    provider.on('connection-close', onClose)
    provider.connect()
  })
}

const plain = (v) => (v === undefined ? null : v)

/** Commands on one named client. */
const PER_CLIENT = {
  add_note: (c, args) => {
    const noteId = need(args, 'note_id', 'string')
    const field = need(args, 'field', 'string')
    const text = args.text ?? ''
    if (typeof text !== 'string') throw new CommandError('argument "text" must be a string')
    c.doc.transact(() => {
      const note = new Y.Map()
      c.doc.getMap('notes').set(noteId, note)
      note.set('field', field)
      note.set('text', new Y.Text(text))
      note.set('x', args.x ?? 0.5)
      note.set('y', args.y ?? 0.5)
      note.set('color', args.color ?? 'yellow')
      for (const [k, v] of Object.entries(args.extra ?? {})) note.set(k, plain(v))
    }, ORIGIN)
    return {}
  },
  insert_text: (c, args) => {
    const text = textOf(c, args)
    const index = need(args, 'index', 'integer')
    const s = need(args, 'text', 'string')
    c.doc.transact(() => text.insert(index, s), ORIGIN)
    return { text: text.toString() }
  },
  delete_text: (c, args) => {
    const text = textOf(c, args)
    const index = need(args, 'index', 'integer')
    const length = need(args, 'length', 'integer')
    c.doc.transact(() => text.delete(index, length), ORIGIN)
    return { text: text.toString() }
  },
  set_key: (c, args) => {
    const note = noteOf(c, need(args, 'note_id', 'string'))
    const key = need(args, 'key', 'string')
    c.doc.transact(() => note.set(key, plain(args.value)), ORIGIN)
    return {}
  },
  delete_note: (c, args) => {
    const noteId = need(args, 'note_id', 'string')
    const notes = c.doc.getMap('notes')
    if (!notes.has(noteId)) throw new CommandError(`note "${noteId}" does not exist here`)
    c.doc.transact(() => notes.delete(noteId), ORIGIN)
    return {}
  },
  set_root_key: (c, args) => {
    const root = c.doc.getMap(need(args, 'root', 'string'))
    const key = need(args, 'key', 'string')
    c.doc.transact(() => root.set(key, plain(args.value)), ORIGIN)
    return {}
  },
  set_new_root: (c, args) => {
    const name = need(args, 'name', 'string')
    const key = need(args, 'key', 'string')
    c.doc.transact(() => c.doc.getMap(name).set(key, plain(args.value)), ORIGIN)
    return {}
  },
  burst: (c, args) => {
    // count small transactions, each one update message. With note_id: set key (default
    // "seq") of that note to 0..count-1; otherwise add notes `${prefix}${i}` in `field`.
    const count = need(args, 'count', 'integer')
    if (count < 0 || count > MAX_BURST) throw new CommandError(`count must be in 0..${MAX_BURST}`)
    const prefix = args.prefix ?? 'b'
    const notes = c.doc.getMap('notes')
    if (typeof args.note_id === 'string') {
      const note = noteOf(c, args.note_id)
      const key = args.key ?? 'seq'
      for (let i = 0; i < count; i++) c.doc.transact(() => note.set(key, i), ORIGIN)
    } else {
      const field = args.field ?? 'A1'
      for (let i = 0; i < count; i++) {
        c.doc.transact(() => {
          const note = new Y.Map()
          notes.set(`${prefix}${i}`, note)
          note.set('field', field)
          note.set('text', new Y.Text(`${prefix} ${i}`))
          note.set('x', 0.5)
          note.set('y', 0.5)
          note.set('color', 'yellow')
        }, ORIGIN)
      }
    }
    return { sent: count }
  },
  dump: (c) => {
    const doc = {}
    for (const name of ROOTS) doc[name] = c.doc.getMap(name).toJSON()
    const others = {}
    for (const name of c.doc.share.keys()) {
      if (!ROOTS.includes(name)) others[name] = rootJSON(c.doc, name)
    }
    return {
      doc,
      other_roots: others,
      state_vector: bytesToBase64(Y.encodeStateVector(c.doc)),
      synced: c.provider.synced,
      status: statusOf(c.provider),
      client_id: c.doc.clientID
    }
  },
  set_awareness: (c, args) => {
    c.provider.awareness.setLocalState(plain(args.state))
    return {}
  },
  awareness: (c) => {
    const states = {}
    for (const [id, state] of c.provider.awareness.getStates()) states[String(id)] = state
    return { states, client_id: c.doc.clientID }
  },
  disconnect: (c) => {
    c.provider.disconnect()
    return {}
  },
  reconnect: (c, args) => {
    // type_at_open {note_id, text, key?}: appended to that text the moment the socket opens,
    // before the sync answers: the provider sends it at once, ahead of its SyncStep2
    const typed = args.type_at_open
    if (typed && typeof typed === 'object') {
      const onStatus = ({ status }) => {
        if (status !== 'connected') return
        c.provider.off('status', onStatus)
        const text = textOf(c, typed)
        c.doc.transact(() => text.insert(text.length, need(typed, 'text', 'string')), ORIGIN)
      }
      c.provider.on('status', onStatus)
    }
    c.provider.connect()
    return {}
  },
  destroy: (c) => {
    clients.delete(c.name)
    c.provider.destroy()
    c.doc.destroy()
    return {}
  },
  events: (c) => ({
    closes: c.closes,
    statuses: c.statuses,
    permission_denied: c.denied,
    syncs: c.syncs,
    status: statusOf(c.provider),
    should_connect: c.provider.shouldConnect,
    synced: c.provider.synced
  })
}

const handle = async (msg) => {
  const id = msg.id ?? null
  try {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      throw new CommandError('a request must be a JSON object')
    }
    const cmd = msg.cmd
    let result
    if (cmd === 'connect') {
      result = await connect(msg)
    } else if (Object.hasOwn(GLOBAL, cmd)) {
      result = GLOBAL[cmd](msg)
    } else if (Object.hasOwn(PER_CLIENT, cmd)) {
      result = PER_CLIENT[cmd](getClient(msg), msg)
    } else {
      throw new CommandError(`unknown command ${JSON.stringify(cmd)}`)
    }
    write({ re: id, ok: true, ...result })
  } catch (e) {
    const fields = e instanceof CommandError ? e.fields : {}
    write({ re: id, ok: false, error: String(e && e.message ? e.message : e), ...fields })
  }
}

let shuttingDown = false
function shutdown () {
  if (shuttingDown) return
  shuttingDown = true
  for (const c of clients.values()) {
    try {
      c.provider.destroy()
    } catch (e) {
      console.error('destroy failed', c.name, e)
    }
  }
  clients.clear()
  // let the close frames go out
  setTimeout(() => process.exit(0), 50)
}

process.on('uncaughtException', (e) => {
  console.error('uncaught exception:', e)
  write({ ev: 'error', client: null, error: String(e && e.message ? e.message : e) })
})
process.on('unhandledRejection', (e) => {
  console.error('unhandled rejection:', e)
  write({ ev: 'error', client: null, error: String(e && e.message ? e.message : e) })
})

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (line.trim() === '') return
  let msg
  try {
    msg = JSON.parse(line)
  } catch (e) {
    write({ re: null, ok: false, error: `invalid JSON: ${e.message}` })
    return
  }
  handle(msg)
})
rl.on('close', shutdown)
write({ ev: 'ready', client: null, pid: process.pid })
