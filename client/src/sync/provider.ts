// The only importer of y-websocket: a stock WebsocketProvider plus our app messages
// (type 100), permission-denied notices, close codes and the browser's online state.
import * as authProtocol from 'y-protocols/auth'
import type { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { type BoardLocation, wsServerUrl } from '../config'
import { AppChannel } from './AppChannel'
import { AppRequestError, MESSAGE_APP, readAppPayload } from './appmsg'
import type { HelloReply, OpArgs } from './appTypes'
import { StatusStore } from './status'
import { CLOSE } from './vocab.gen'

const MESSAGE_AUTH = 2

export interface SyncOptions {
  /** The hello arguments (pid, name, group), read again on every (re)connect. */
  hello: () => OpArgs['hello']
  onHello: (reply: HelloReply) => void
  /** y-protocols permission-denied notice (`[2, 0, reason]`). */
  onDenied: (reason: string) => void
}

export interface SyncConnection {
  readonly provider: WebsocketProvider
  readonly awareness: Awareness
  readonly app: AppChannel
  readonly status: StatusStore
  /** True once hello was answered on the current connection. */
  speaksApp: () => boolean
  /** Send hello again (name or group changed); no-op while disconnected. */
  hello: () => void
  destroy: () => void
}

export function connect(doc: Y.Doc, where: BoardLocation, opts: SyncOptions): SyncConnection {
  const status = new StatusStore(typeof navigator !== 'undefined' && navigator.onLine === false)
  const app = new AppChannel()
  const provider = new WebsocketProvider(wsServerUrl(), where.boardId, doc, {
    params: { k: where.token },
    connect: !status.get().networkDown,
    maxBackoffTime: 5000
  })
  let helloDone = false

  provider.messageHandlers[MESSAGE_APP] = (_encoder, decoder) => {
    app.receive(readAppPayload(decoder))
  }
  provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => opts.onDenied(reason))
  }

  const sendHello = (): void => {
    if (!app.connected) return
    const args = opts.hello()
    const answered = (reply: HelloReply): void => {
      helloDone = true
      opts.onHello(reply)
    }
    app
      .request('hello', args)
      .then(answered)
      .catch((err: unknown) => {
        // P141: the moderator stopped offering our group; join without one
        if (err instanceof AppRequestError && err.code === 'unknown_group' && args.group !== undefined) {
          return app.request('hello', { ...args, group: undefined }).then(answered)
        }
        // no reply, or a malformed one (older server or dropped connection): stay a plain Yjs client
        return undefined
      })
      .catch(() => {
        // the retry failed too: stay a plain Yjs client
      })
  }

  const send = (frame: Uint8Array): boolean => {
    const ws = provider.ws
    if (!ws || ws.readyState !== WebSocket.OPEN) return false
    ws.send(frame as Uint8Array<ArrayBuffer>)
    return true
  }

  provider.on('status', ({ status: s }) => {
    if (s === 'connected') {
      app.attach(send)
      status.set({ connection: provider.synced ? 'synced' : 'syncing' })
      sendHello()
    } else {
      if (s === 'disconnected') {
        helloDone = false
        app.attach(null)
      }
      const st = status.get()
      status.set({ connection: st.networkDown || !provider.shouldConnect ? 'offline' : 'connecting' })
    }
  })
  provider.on('sync', (synced: boolean) => {
    if (provider.wsconnected) status.set({ connection: synced ? 'synced' : 'syncing' })
  })
  provider.on('connection-close', (event) => {
    if (event && event.code >= CLOSE.SERVER_ERROR && event.code < CLOSE.SERVER_ERROR + 100) {
      status.set({ transient: { code: event.code, reason: event.reason } })
    }
  })
  provider.on('closed', (info) => {
    status.set({ fatal: { code: info.code, reason: info.reason }, connection: 'offline' })
  })

  const goOffline = (): void => {
    status.set({ networkDown: true, connection: 'offline' })
    provider.disconnect()
  }
  const goOnline = (): void => {
    status.set({ networkDown: false })
    if (status.get().fatal) return
    status.set({ connection: 'connecting' })
    provider.connect()
  }
  window.addEventListener('offline', goOffline)
  window.addEventListener('online', goOnline)

  return {
    provider,
    awareness: provider.awareness,
    app,
    status,
    speaksApp: () => helloDone,
    hello: sendHello,
    destroy: () => {
      window.removeEventListener('offline', goOffline)
      window.removeEventListener('online', goOnline)
      provider.destroy()
    }
  }
}
