// Composition root of the landing page: canvases from the bundle, boards via the REST API.
import './sw-register'
import { browserLocale, rememberedLocale, setLocale } from './i18n'
import { canvasIds, getCanvas, type CanvasDef } from './model/canvas'
import { createBoard, findBoardByCode, importArchive } from './sync/rest'
import { mountLanding } from './view/landing'

setLocale(rememberedLocale() ?? browserLocale())
const root = document.getElementById('app')
if (root) {
  const canvases = canvasIds().map(getCanvas).filter((c): c is CanvasDef => c !== null)
  mountLanding(root, { canvases, createBoard, importArchive, findBoard: findBoardByCode })
}
