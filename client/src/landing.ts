// Composition root of the landing page: canvases from the bundle, boards via the REST API.
import './sw-register'
import { browserLocale, rememberedLocale, setLocale } from './i18n'
import { canvasIds, getCanvas, type CanvasDef } from './model/canvas'
import { findBoardByCode, importArchive } from './sync/rest'
import { type CreatedBoard, mountLanding } from './view/landing'

async function createBoard (body: { canvas: string, title: string, locale: string }): Promise<CreatedBoard> {
  const res = await fetch('/api/boards', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const data: unknown = await res.json().catch(() => ({}))
  const rec = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
  if (!res.ok) throw new Error(typeof rec.error === 'string' ? rec.error : `HTTP ${res.status}`)
  const links = rec.links as CreatedBoard['links'] | undefined
  if (typeof rec.id !== 'string' || !links) throw new Error('unexpected reply')
  return { id: rec.id, title: typeof rec.title === 'string' ? rec.title : body.title, links }
}

setLocale(rememberedLocale() ?? browserLocale())
const root = document.getElementById('app')
if (root) {
  const canvases = canvasIds().map(getCanvas).filter((c): c is CanvasDef => c !== null)
  mountLanding(root, { canvases, createBoard, importArchive, findBoard: findBoardByCode })
}
