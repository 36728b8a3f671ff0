// Service worker: keeps this build's pages and assets so that a board reloads offline.
// Pages: network first, cached copy when offline. Hashed assets: cache first.
// API and websocket traffic is never touched.

declare const __PRECACHE__: string[]
declare const __BUILD__: string

interface ExtendableEvt extends Event {
  waitUntil: (p: Promise<unknown>) => void
}
interface FetchEvt extends ExtendableEvt {
  request: Request
  respondWith: (r: Promise<Response>) => void
}
interface SwScope {
  addEventListener: (type: string, fn: (ev: Event) => void) => void
  skipWaiting: () => Promise<void>
  clients: { claim: () => Promise<void> }
  location: Location
}

const scope = self as unknown as SwScope
const CACHE = `cocanvas-${__BUILD__}`
const BOARD_SHELL = '/__board-shell'
const LANDING = '/'
const NETWORK_TIMEOUT_MS = 4000

async function fetchShell(cache: Cache): Promise<void> {
  // any board path serves the same page; keep one copy under a fixed key
  const res = await fetch('/b/offline-shell', { cache: 'no-store' })
  if (res.ok) await cache.put(BOARD_SHELL, res)
}

scope.addEventListener('install', (ev) => {
  const e = ev as ExtendableEvt
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await cache.addAll([LANDING, ...__PRECACHE__])
      await fetchShell(cache)
      await scope.skipWaiting()
    })()
  )
})

scope.addEventListener('activate', (ev) => {
  const e = ev as ExtendableEvt
  e.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('cocanvas-') && key !== CACHE) await caches.delete(key)
      }
      await scope.clients.claim()
    })()
  )
})

function withTimeout(p: Promise<Response>, ms: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    p.then(
      (r) => {
        clearTimeout(timer)
        resolve(r)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e instanceof Error ? e : new Error(String(e)))
      }
    )
  })
}

async function page(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE)
  try {
    const res = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS)
    if (res.ok) await cache.put(key, res.clone())
    return res
  } catch (err) {
    const cached = await cache.match(key)
    if (cached) return cached
    throw err
  }
}

async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(request)
  if (cached) return cached
  const res = await fetch(request)
  if (res.ok) await cache.put(request, res.clone())
  return res
}

scope.addEventListener('fetch', (ev) => {
  const e = ev as FetchEvt
  const req = e.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== scope.location.origin) return
  if (req.mode === 'navigate' && /^\/b\/[A-Za-z0-9_-]{6,64}\/?$/.test(url.pathname)) {
    e.respondWith(page(req, BOARD_SHELL))
  } else if (req.mode === 'navigate' && url.pathname === '/') {
    e.respondWith(page(req, LANDING))
  } else if (url.pathname.startsWith('/assets/') && url.pathname !== '/assets/sw.js') {
    e.respondWith(asset(req))
  }
})
