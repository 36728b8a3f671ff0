// Hocuspocus for run_sync.py: a stock @hocuspocus/server core, in memory (no persistence
// extension), behind a thin adapter that speaks plain y-websocket to stock clients.
//
//   HOST=127.0.0.1 PORT=1234 node bench/hocuspocus.mjs
//
// Hocuspocus prefixes every frame with the document name and expects an auth message
// first; y-websocket clients name the document in the URL path and send neither. The
// adapter adds the prefix and a token-less auth message on the way in, strips the prefix
// on the way out, and drops the Hocuspocus-only frames (authenticated, sync status)
// that y-websocket does not know. That costs a varstring per frame, nothing per document.
import http from 'node:http'
import { Hocuspocus } from '@hocuspocus/server'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocketServer } from 'ws'

const host = process.env.HOST || '127.0.0.1'
const port = Number(process.env.PORT || 1234)
const Y_WEBSOCKET_TYPES = new Set([0, 1, 3]) // sync, awareness, query awareness
const AUTH = 2
const AUTH_TOKEN = 0

const hocuspocus = new Hocuspocus({ quiet: true })

function prefixed (name, body) {
  const enc = encoding.createEncoder()
  encoding.writeVarString(enc, name)
  encoding.writeUint8Array(enc, body)
  return encoding.toUint8Array(enc)
}

function authMessage (name) {
  const enc = encoding.createEncoder()
  encoding.writeVarString(enc, name)
  encoding.writeVarUint(enc, AUTH)
  encoding.writeVarUint(enc, AUTH_TOKEN)
  encoding.writeVarString(enc, '')
  return encoding.toUint8Array(enc)
}

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end('hocuspocus bench\n')
})
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })

server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    const name = decodeURIComponent((request.url || '/').slice(1).split('?')[0])
    const adapter = {
      get readyState () { return ws.readyState },
      send (data) {
        const dec = decoding.createDecoder(data)
        decoding.readVarString(dec)
        const body = data.subarray(dec.pos)
        if (Y_WEBSOCKET_TYPES.has(body[0])) ws.send(body)
      },
      close (code, reason) { ws.close(code, reason) }
    }
    const client = hocuspocus.handleConnection(adapter, request)
    client.handleMessage(authMessage(name))
    ws.on('message', (data) => client.handleMessage(prefixed(name, new Uint8Array(data))))
    ws.on('close', (code, reason) => client.handleClose({ code, reason: reason.toString() }))
  })
})

server.listen(port, host)
process.on('SIGTERM', () => process.exit(0))
