// Shortcuts on the board (canvas, list or toolbar; never from text or dialogs, nor while
// someone is typing): undo and redo, zoom, fit, canvas or list, help.
import type { Ctx } from './actions'
import { shortcutAllowed } from './keyGuard'
import type { PanZoom } from './panzoom'

const onBoard = (el: HTMLElement): boolean => el.closest('.board-main, .toolbar') !== null

export interface BoardKeyDeps {
  ctx: Ctx
  pz: PanZoom
  toggleList: () => void
  openHelp: () => void
}

export function onBoardKey (d: BoardKeyDeps, e: KeyboardEvent): void {
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
