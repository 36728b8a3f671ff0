// Shortcuts on the board (canvas, list or toolbar; never from text or dialogs, nor while
// someone is typing): undo and redo, zoom, fit, a part by its number, the overview, canvas or
// list, help.
import type { Ctx } from './actions'
import { shortcutAllowed } from './keyGuard'
import type { PanZoom } from './panzoom'

const onBoard = (el: HTMLElement): boolean => el.closest('.board-main, .toolbar') !== null

export interface BoardKeyDeps {
  ctx: Ctx
  pz: PanZoom
  /** Show the part with this index (0 for the first). */
  showPart: (index: number) => void
  toggleMinimap: () => void
  toggleList: () => void
  openHelp: () => void
}

export function onBoardKey(d: BoardKeyDeps, e: KeyboardEvent): void {
  const mod = e.ctrlKey || e.metaKey
  if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z' || e.key === 'y')) {
    if (d.ctx.readOnly()) return
    e.preventDefault()
    if (e.key === 'y' || e.shiftKey) d.ctx.actions.redo()
    else d.ctx.actions.undo()
    return
  }
  if (mod || e.altKey || document.querySelector('dialog[open]') || !shortcutAllowed(e, onBoard)) return
  switch (e.key) {
    case '+':
    case '=':
      d.pz.zoom(1.25)
      break
    case '-':
      d.pz.zoom(1 / 1.25)
      break
    case '0':
      d.pz.fit()
      break
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      d.showPart(Number(e.key) - 1)
      break
    case 'm':
    case 'M':
      d.toggleMinimap()
      break
    case 'l':
    case 'L':
      d.toggleList()
      break
    case '?':
      d.openHelp()
      break
    default:
      return
  }
  e.preventDefault()
}
