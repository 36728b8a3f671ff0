#!/usr/bin/env node
// Sync load generator: N stock y-websocket clients (each its own Y.Doc) in this one process,
// so senders and receivers share one clock. Prints one JSON line {"result": {...}} at the end;
// {"phase": "measure-start"} / {"phase": "measure-end"} lines mark the measured window (the
// runner samples server CPU at those marks; --hold S adds hold-start / hold-end around S
// seconds of connected clients typing nothing, before S1's or S2's updates). Diagnostics go
// to stderr.
//
//   node bench/load.mjs --scenario S1 --url ws://127.0.0.1:1234                  (reference)
//   node bench/load.mjs --scenario S1 --url ws://127.0.0.1:8000/ws --targets @boards.json
//
// --targets: JSON list (or @file) of {"room": ..., "params": {...}}; each scenario uses the
// first rooms it needs, so give fresh boards. Without it, rooms are named <room-prefix>-<i>.
//
// What a "delivery" is: a sender appends one character to the text of its own note (one
// transaction = one update, like typing); when a receiver's observeDeep sees that text reach
// length L, every update of that sender up to seq L-1 has been delivered to it. Latency =
// receiver's performance.now() - the sender's performance.now() just before its transaction.
// Counting by length keeps the numbers right when a server merges several updates into one
// broadcast.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'

console.log = (...args) => console.error(...args)
console.info = (...args) => console.error(...args)
process.setMaxListeners(0) // every provider adds a process 'exit' listener

const DEFAULTS = {
  S1: { rooms: 1, clients: 30, rate: 5, seconds: 20 },
  S2: { rooms: 40, clients: 10, rate: 1, seconds: 20 },
  S3: { rooms: 1, clients: 50, updates: 100 },
  S4: { rooms: 1, notes: 2000, joins: 5 },
  J: { rooms: 1, clients: 30 }
}
const MAX_CLIENTS = 2000
const MAX_UPDATES = 1_000_000

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'S1' },
    url: { type: 'string' },
    targets: { type: 'string' },
    'room-prefix': { type: 'string' },
    rooms: { type: 'string' },
    clients: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    updates: { type: 'string' },
    notes: { type: 'string' },
    joins: { type: 'string' },
    field: { type: 'string', default: 'A1' },
    'connect-timeout': { type: 'string', default: '30' },
    drain: { type: 'string', default: '5' },
    hold: { type: 'string', default: '0' },
    'no-awareness': { type: 'boolean', default: false },
    'connect-batch': { type: 'string', default: '25' },
    spread: { type: 'string', default: 'client' },
    help: { type: 'boolean', default: false }
  }
})

if (opt.help || !opt.url) {
  console.error(`usage: node bench/load.mjs --scenario S1|S2|S3|S4|J --url WS_URL
  [--targets JSON|@file] [--room-prefix P] [--rooms N] [--clients N] [--rate PER_S]
  [--seconds S] [--updates N] [--notes N] [--joins N] [--field A1] [--connect-timeout S]
  [--drain S] [--hold S] [--no-awareness] [--connect-batch N] [--spread client|board]`)
  process.exit(opt.help ? 0 : 2)
}

// several nodes: --url A,B puts client i on URLS[i % n] (--spread client: every node serves
// every board), or every client of board b on URLS[b % n] (--spread board: as a proxy that
// routes by board would)
const URLS = opt.url.split(',')
if (!['client', 'board'].includes(opt.spread)) {
  console.error('--spread takes client or board')
  process.exit(2)
}
const nodeOf = (c) => (opt.spread === 'board' ? c.board : c.idx) % URLS.length

const scenario = opt.scenario.toUpperCase()
if (!DEFAULTS[scenario]) {
  console.error(`unknown scenario ${scenario}; one of ${Object.keys(DEFAULTS).join(', ')}`)
  process.exit(2)
}
const num = (name, fallback) => {
  const raw = opt[name]
  if (raw === undefined) return fallback
  const v = Number(raw)
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} must be a non-negative number`)
    process.exit(2)
  }
  return v
}
const d = DEFAULTS[scenario]
const P = {
  rooms: Math.max(1, Math.floor(num('rooms', d.rooms ?? 1))),
  clients: Math.min(MAX_CLIENTS, Math.floor(num('clients', d.clients ?? 1))),
  rate: num('rate', d.rate ?? 1),
  seconds: num('seconds', d.seconds ?? 0),
  updates: Math.min(MAX_UPDATES, Math.floor(num('updates', d.updates ?? 0))),
  notes: Math.floor(num('notes', d.notes ?? 0)),
  joins: Math.max(1, Math.floor(num('joins', d.joins ?? 1))),
  connectTimeoutMs: num('connect-timeout', 30) * 1000,
  drainMs: num('drain', 5) * 1000,
  holdMs: Math.min(600, num('hold', 0)) * 1000, // S1/S2: connected and idle this long first
  connectBatch: Math.max(1, Math.floor(num('connect-batch', 25))),
  awareness: !opt['no-awareness'],
  field: opt.field
}

const loadTargets = () => {
  if (opt.targets) {
    const raw = opt.targets.startsWith('@') ? readFileSync(opt.targets.slice(1), 'utf8') : opt.targets
    const list = JSON.parse(raw)
    if (!Array.isArray(list)) throw new Error('--targets must be a JSON list')
    return list.map((t) => ({ room: String(t.room), params: t.params ?? {} }))
  }
  const prefix = opt['room-prefix'] ?? `bench-${Date.now().toString(36)}-${process.pid}`
  return Array.from({ length: P.rooms }, (_, i) => ({ room: `${prefix}-${i}`, params: {} }))
}
const targets = loadTargets()
if (targets.length < P.rooms) {
  console.error(`scenario ${scenario} needs ${P.rooms} rooms, --targets has ${targets.length}`)
  process.exit(2)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const phase = (name) => process.stdout.write(JSON.stringify({ phase: name, t: performance.now() }) + '\n')

// ---------------------------------------------------------------------------------------------
// clients

let nextClient = 0
/** One stock provider with its own doc. */
class Client {
  constructor (target, label) {
    this.idx = nextClient++
    this.label = label
    this.target = target
    this.board = targets.indexOf(target)
    this.doc = new Y.Doc()
    this.provider = null
    this.syncedAt = null
    this.startedAt = null
    this.closes = []
  }

  connect () {
    this.startedAt = performance.now()
    this.provider = new WebsocketProvider(URLS[nodeOf(this)], this.target.room, this.doc, {
      params: this.target.params,
      WebSocketPolyfill: WebSocket,
      disableBc: true,
      connect: false
    })
    if (P.awareness) {
      this.provider.awareness.setLocalState({ user: { name: this.label, color: '#30bced' } })
    }
    this.provider.on('connection-close', (ev) => {
      if (ev) this.closes.push({ code: ev.code, reason: String(ev.reason ?? '') })
    })
    const synced = new Promise((resolve) => {
      const on = (s) => {
        if (s) {
          this.syncedAt = performance.now()
          this.provider.off('sync', on)
          resolve(this)
        }
      }
      this.provider.on('sync', on)
    })
    this.provider.connect()
    return synced
  }

  destroy () {
    if (this.provider) this.provider.destroy()
    this.doc.destroy()
  }
}

const withTimeout = (promise, ms) =>
  Promise.race([promise, sleep(ms).then(() => null)])

/** Connect clients in batches; resolves with the ones that synced in time. */
const connectAll = async (clients) => {
  const deadline = performance.now() + P.connectTimeoutMs
  const ok = []
  for (let i = 0; i < clients.length; i += P.connectBatch) {
    const batch = clients.slice(i, i + P.connectBatch)
    const left = Math.max(0, deadline - performance.now())
    const res = await Promise.all(batch.map((c) => withTimeout(c.connect(), left)))
    for (const r of res) if (r) ok.push(r)
  }
  return ok
}

const closeSummary = (clients) => {
  const byCode = {}
  for (const c of clients) {
    for (const cl of c.closes) {
      const k = `${cl.code} ${cl.reason}`.trim()
      byCode[k] = (byCode[k] ?? 0) + 1
    }
  }
  return byCode
}

const percentile = (sorted, p) => {
  if (sorted.length === 0) return null
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return round(sorted[i])
}
const round = (x, digits = 3) => (x === null ? null : Number(x.toFixed(digits)))
const stats = (values) => {
  const a = Float64Array.from(values).sort()
  let sum = 0
  for (const v of a) sum += v
  return {
    n: a.length,
    p50: percentile(a, 50),
    p90: percentile(a, 90),
    p99: percentile(a, 99),
    max: a.length ? round(a[a.length - 1]) : null,
    mean: a.length ? round(sum / a.length) : null
  }
}

const noteId = (c) => `bench-${c.idx}`

// ---------------------------------------------------------------------------------------------
// fan-out scenarios: S1, S2 (rate-driven) and S3 (one sender, as fast as possible)

/**
 * Rooms of clients; each sender owns one note and appends one character per update.
 * Returns the measurement.
 */
const fanout = async ({ rooms, clientsPerRoom, senders, schedule }) => {
  const groups = []
  const all = []
  for (let r = 0; r < rooms; r++) {
    const members = Array.from({ length: clientsPerRoom }, (_, i) => new Client(targets[r], `r${r}c${i}`))
    groups.push(members)
    all.push(...members)
  }
  const tConnect = performance.now()
  const ok = await connectAll(all)
  const connectMs = performance.now() - tConnect
  const connect = { synced: ok.length, of: all.length, ms: round(connectMs, 1), closes: closeSummary(all) }
  if (ok.length < all.length) {
    return { error: `only ${ok.length}/${all.length} clients synced within ${P.connectTimeoutMs / 1000} s`, connect }
  }
  if (P.holdMs > 0) {
    // bench/idle_cpu.py reads the server's CPU while everyone is connected and nobody types
    phase('hold-start')
    await new Promise((resolve) => setTimeout(resolve, P.holdMs))
    phase('hold-end')
  }

  // each sender creates its note; wait until every member of its room has every note
  const sendTimes = new Map() // client idx -> Float64Array of send times by seq
  const latencies = []
  const crossNode = [] // sender and receiver on different nodes (only with several --url)
  let received = 0
  let applied = 0 // remote transactions that delivered measured text: frames the receivers applied
  let lastReceive = 0
  let measuring = false
  const seen = new Map() // `${receiverIdx}:${senderIdx}` -> delivered count
  const plannedPerSender = senders.updatesPerSender

  for (const members of groups) {
    for (const c of senders.pick(members)) {
      sendTimes.set(c.idx, new Float64Array(plannedPerSender))
    }
  }

  for (const members of groups) {
    for (const rc of members) {
      rc.doc.getMap('notes').observeDeep((events, tr) => {
        if (tr.local) return
        const now = performance.now()
        const before0 = received
        for (const ev of events) {
          if (!measuring || !(ev.target instanceof Y.Text)) continue
          const sender = textOwner.get(ev.target)
          if (!sender) continue
          const key = `${rc.idx}:${sender.idx}`
          const before = seen.get(key) ?? 0
          const len = ev.target.length
          if (len <= before) continue
          seen.set(key, len)
          const times = sendTimes.get(sender.idx)
          for (let s = before; s < len && s < times.length; s++) {
            latencies.push(now - times[s])
            if (nodeOf(sender) !== nodeOf(rc)) crossNode.push(now - times[s])
            received++
          }
          lastReceive = now
        }
        if (received > before0) applied++
      })
    }
  }

  for (const members of groups) {
    for (const c of senders.pick(members)) {
      c.doc.transact(() => {
        const note = new Y.Map()
        c.doc.getMap('notes').set(noteId(c), note)
        note.set('field', P.field)
        note.set('text', new Y.Text(''))
        note.set('x', Math.random())
        note.set('y', Math.random())
        note.set('color', 'yellow')
      })
    }
  }
  const notesReady = () => groups.every((members) => {
    const n = senders.pick(members).length
    return members.every((m) => m.doc.getMap('notes').size >= n)
  })
  const tReady = performance.now()
  while (!notesReady()) {
    if (performance.now() - tReady > P.connectTimeoutMs) {
      return { error: 'setup notes did not reach every client', connect }
    }
    await sleep(20)
  }

  // every receiver's copy of a sender's text -> that sender
  const textOwner = new Map()
  for (const members of groups) {
    for (const rc of members) {
      const notes = rc.doc.getMap('notes')
      for (const c of senders.pick(members)) textOwner.set(notes.get(noteId(c)).get('text'), c)
    }
  }

  // measure
  let sent = 0
  let expected = 0
  const cpu0 = process.cpuUsage()
  // how late the generator's own loop ran: a delivery it reads late counts as slow too
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  phase('measure-start')
  measuring = true
  loopDelay.enable()
  const t0 = performance.now()
  const send = (c) => {
    const times = sendTimes.get(c.idx)
    const seq = c.doc.getMap('notes').get(noteId(c)).get('text').length
    if (seq >= times.length) return false
    times[seq] = performance.now()
    c.doc.transact(() => c.doc.getMap('notes').get(noteId(c)).get('text').insert(seq, 'x'))
    sent++
    expected += clientsPerRoom - 1
    return true
  }
  await schedule(groups, senders, send)
  const tSendEnd = performance.now()
  const drainUntil = tSendEnd + P.drainMs
  while (received < expected && performance.now() < drainUntil) await sleep(10)
  measuring = false
  loopDelay.disable()
  phase('measure-end')
  const cpu = process.cpuUsage(cpu0)
  const elapsedMs = Math.max(lastReceive, tSendEnd) - t0
  const result = {
    connect,
    sent,
    expected,
    received,
    missing: expected - received,
    applied,
    latency_ms: stats(latencies),
    ...(URLS.length > 1 ? { cross_node_latency_ms: stats(crossNode) } : {}),
    send_s: round((tSendEnd - t0) / 1000),
    elapsed_s: round(elapsedMs / 1000),
    deliveries_per_s: round(received / (elapsedMs / 1000), 1),
    loadgen_cpu_s: round((cpu.user + cpu.system) / 1e6),
    // the gaps between the ticks of a 1 ms timer: 1 ms when the generator is idle
    loadgen_loop_gap_ms: {
      p50: round(loopDelay.percentile(50) / 1e6),
      p99: round(loopDelay.percentile(99) / 1e6),
      max: round(loopDelay.max / 1e6)
    },
    closes_during_run: closeSummary(all)
  }
  for (const c of all) c.destroy()
  return result
}

/** Every client sends `rate` updates/s for `seconds`, phases spread evenly. */
const rateSchedule = async (groups, senders, send) => {
  const perSender = senders.updatesPerSender
  const interval = 1000 / P.rate
  const all = groups.flatMap((m) => senders.pick(m))
  const timers = []
  await new Promise((resolve) => {
    let running = all.length
    if (running === 0 || perSender === 0) return resolve()
    all.forEach((c, i) => {
      let n = 0
      const offset = (interval * i) / all.length
      const tick = () => {
        if (n >= perSender || !send(c)) {
          clearInterval(timers[i])
          if (--running === 0) resolve()
          return
        }
        n++
      }
      timers[i] = setTimeout(() => {
        tick()
        timers[i] = setInterval(tick, interval)
      }, offset)
    })
  })
}

/** The first client of each room sends all its updates in one go. */
const burstSchedule = async (groups, senders, send) => {
  for (const members of groups) {
    for (const c of senders.pick(members)) {
      for (let i = 0; i < senders.updatesPerSender; i++) send(c)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// S4: late joiner on a prefilled board

const LOREM = 'Wir brauchen einen Raum, in dem Nachbarschaft, Verwaltung und Vereine gemeinsam ' +
  'planen koennen; Zeit, Geld und Vertrauen sind knapp, aber die Ideen sind da. '

const lateJoiner = async () => {
  const target = targets[0]
  const filler = new Client(target, 'filler')
  const watcher = new Client(target, 'watcher')
  const ok = await connectAll([filler, watcher])
  if (ok.length < 2) return { error: 'prefill clients did not sync', connect: { closes: closeSummary([filler, watcher]) } }
  const notes = filler.doc.getMap('notes')
  const batch = 20
  for (let i = 0; i < P.notes; i += batch) {
    filler.doc.transact(() => {
      for (let j = i; j < Math.min(P.notes, i + batch); j++) {
        const note = new Y.Map()
        notes.set(`prefill-${j}`, note)
        note.set('field', P.field)
        note.set('text', new Y.Text(`${j}: ${LOREM.slice(0, 60 + (j % 90))}`))
        note.set('x', (j % 50) / 50)
        note.set('y', Math.floor(j / 50) / 40)
        note.set('color', ['yellow', 'pink', 'green', 'blue'][j % 4])
        note.set('created_at', Date.now())
      }
    })
    if ((i / batch) % 10 === 9) await sleep(0) // let the socket drain
  }
  const tFill = performance.now()
  while (watcher.doc.getMap('notes').size < P.notes) {
    if (performance.now() - tFill > P.connectTimeoutMs) {
      return { error: `watcher saw ${watcher.doc.getMap('notes').size}/${P.notes} notes` }
    }
    await sleep(20)
  }
  const docBytes = Y.encodeStateAsUpdate(filler.doc).length
  const times = []
  const seenNotes = []
  const joiners = []
  const cpu0 = process.cpuUsage()
  phase('measure-start')
  for (let k = 0; k < P.joins; k++) {
    const j = new Client(target, `joiner${k}`)
    joiners.push(j)
    const r = await withTimeout(j.connect(), P.connectTimeoutMs)
    if (r) {
      times.push(j.syncedAt - j.startedAt)
      seenNotes.push(j.doc.getMap('notes').size)
    }
    j.destroy()
  }
  phase('measure-end')
  const cpu = process.cpuUsage(cpu0)
  filler.destroy()
  watcher.destroy()
  return {
    notes: P.notes,
    doc_bytes: docBytes,
    joins: P.joins,
    synced: times.length,
    synced_ms: stats(times),
    notes_seen_at_sync: seenNotes,
    loadgen_cpu_s: round((cpu.user + cpu.system) / 1e6),
    closes_during_run: closeSummary(joiners)
  }
}

// ---------------------------------------------------------------------------------------------
// J: many clients join a fresh room at the same moment

const joinStorm = async () => {
  const target = targets[0]
  const clients = Array.from({ length: P.clients }, (_, i) => new Client(target, `j${i}`))
  const cpu0 = process.cpuUsage()
  phase('measure-start')
  const t0 = performance.now()
  const res = await Promise.all(clients.map((c) => withTimeout(c.connect(), P.connectTimeoutMs)))
  const ok = res.filter(Boolean)
  const syncTimes = ok.map((c) => c.syncedAt - t0)
  // one room, not several: every synced client writes a note and must see all the others'
  for (const c of ok) {
    c.doc.transact(() => {
      const note = new Y.Map()
      c.doc.getMap('notes').set(noteId(c), note)
      note.set('field', P.field)
      note.set('text', new Y.Text(c.label))
      note.set('x', 0.5)
      note.set('y', 0.5)
      note.set('color', 'yellow')
    })
  }
  const tc = performance.now()
  const full = () => ok.filter((c) => c.doc.getMap('notes').size >= ok.length).length
  while (full() < ok.length && performance.now() - tc < P.drainMs) await sleep(10)
  phase('measure-end')
  const cpu = process.cpuUsage(cpu0)
  const result = {
    clients: P.clients,
    synced: ok.length,
    synced_ms: stats(syncTimes),
    all_synced_ms: ok.length ? round(Math.max(...syncTimes), 1) : null,
    converged: full(),
    converge_ms: round(performance.now() - tc, 1),
    loadgen_cpu_s: round((cpu.user + cpu.system) / 1e6),
    closes_during_run: closeSummary(clients)
  }
  for (const c of clients) c.destroy()
  return result
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const started = performance.now()
  let result
  if (scenario === 'S1' || scenario === 'S2') {
    const perSender = Math.round(P.rate * P.seconds)
    result = await fanout({
      rooms: P.rooms,
      clientsPerRoom: P.clients,
      senders: { pick: (m) => m, updatesPerSender: perSender },
      schedule: rateSchedule
    })
  } else if (scenario === 'S3') {
    result = await fanout({
      rooms: P.rooms,
      clientsPerRoom: P.clients,
      senders: { pick: (m) => m.slice(0, 1), updatesPerSender: P.updates },
      schedule: burstSchedule
    })
  } else if (scenario === 'S4') {
    result = await lateJoiner()
  } else {
    result = await joinStorm()
  }
  const used = ['clients', 'rooms', ...Object.keys(DEFAULTS[scenario]), 'field', 'awareness']
  const params = Object.fromEntries(Object.entries(P).filter(([k]) => used.includes(k)))
  process.stdout.write(JSON.stringify({
    result: {
      scenario,
      url: opt.url,
      rooms: targets.slice(0, P.rooms).map((t) => t.room),
      params,
      wall_s: round((performance.now() - started) / 1000),
      ...result
    }
  }) + '\n')
}

const hardLimitMs = 60_000 + P.connectTimeoutMs * 3 + P.drainMs + P.seconds * 1000 * 2
setTimeout(() => {
  console.error(`load.mjs: hard time limit of ${hardLimitMs / 1000} s reached`)
  process.exit(3)
}, hardLimitMs).unref()

main().then(
  () => setTimeout(() => process.exit(0), 100),
  (e) => {
    console.error(e)
    process.stdout.write(JSON.stringify({ result: { scenario, error: String(e?.stack ?? e) } }) + '\n')
    process.exit(1)
  }
)
