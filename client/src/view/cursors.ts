// Others' live cursors (with names) and live drags, drawn over the board; can be hidden.
import type { Peer } from '../sync/awareness'
import type { Ctx } from './actions'
import { h, setText, textOn } from './dom'
import type { FieldView } from './fields'

export class Cursors {
  readonly layer: HTMLElement
  private readonly ctx: Ctx
  private readonly cursors = new Map<number, HTMLElement>()
  private readonly ghosts = new Map<number, HTMLElement>()
  private visible = true
  private enabled = true

  constructor(ctx: Ctx) {
    this.ctx = ctx
    this.layer = h('div', { class: 'cursor-layer', attrs: { 'aria-hidden': 'true' } })
  }

  setVisible(on: boolean): void {
    this.visible = on
    this.layer.classList.toggle('hidden-cursors', !on)
  }

  /** Off: nothing is drawn at all (a projector shows no one's cursor, P290). */
  setEnabled(on: boolean): void {
    this.enabled = on
    if (!on)
      this.render(
        [],
        () => null,
        () => undefined
      )
  }

  isVisible(): boolean {
    return this.visible
  }

  render(
    peers: Peer[],
    boardPoint: (field: FieldView, x: number, y: number) => { x: number; y: number } | null,
    fieldView: (id: string) => FieldView | undefined
  ): void {
    const seen = new Set<number>()
    const seenGhost = new Set<number>()
    for (const p of this.enabled ? peers : []) {
      if (p.cursor) {
        seen.add(p.clientId)
        let el = this.cursors.get(p.clientId)
        if (!el) {
          el = h('div', { class: 'cursor' }, h('span', { class: 'cursor-arrow' }), h('span', { class: 'cursor-name' }))
          this.cursors.set(p.clientId, el)
          this.layer.append(el)
        }
        el.style.setProperty('--peer', p.user.color)
        el.style.setProperty('--peer-text', textOn(p.user.color))
        el.style.transform = `translate(${p.cursor.x}px, ${p.cursor.y}px)`
        const name = el.lastElementChild
        if (name) setText(name, p.user.name)
      }
      const fv = p.drag ? fieldView(p.drag.field) : undefined
      const at = p.drag && fv ? boardPoint(fv, p.drag.x, p.drag.y) : null
      if (p.drag && at) {
        seenGhost.add(p.clientId)
        let g = this.ghosts.get(p.clientId)
        if (!g) {
          g = h('div', { class: 'drag-ghost remote' })
          this.ghosts.set(p.clientId, g)
          this.layer.append(g)
        }
        const text = this.ctx.board.text(p.drag.note, 'text')?.toString() ?? ''
        setText(g, `${p.user.name}: ${text.slice(0, 40) || '…'}`)
        g.style.setProperty('--note-bg', this.ctx.canvas.color(this.ctx.board.data(p.drag.note)?.color).value)
        g.style.setProperty('--peer', p.user.color)
        g.style.left = `${at.x}px`
        g.style.top = `${at.y}px`
      }
    }
    for (const [id, el] of this.cursors) {
      if (!seen.has(id)) {
        el.remove()
        this.cursors.delete(id)
      }
    }
    for (const [id, el] of this.ghosts) {
      if (!seenGhost.has(id)) {
        el.remove()
        this.ghosts.delete(id)
      }
    }
  }
}
