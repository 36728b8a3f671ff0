// Selecting several notes: Shift/Ctrl-click, a Shift-drag box on a field's empty space (mouse;
// a plain drag there pans, as everywhere on the background),
// Space on a focused note (keyboard), a long press then taps (touch). A bar over the canvas
// groups, recolours, deletes or clears the selection; drags and nudges of a selected note
// take the others along (drag.ts, canvasKeys.ts).
import { t, tx } from '../i18n'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { groupMany, recolourMany, removeMany } from './manyActions'
import type { PanZoom } from './panzoom'

const LONG_PRESS_MS = 500
const SLOP_PX = 8
const BAND_START_PX = 4
const SKIP = 'button, input, select, textarea, a, summary, label, .note-tools'

export class Selection {
  readonly bar: HTMLElement
  private readonly ctx: Ctx
  /** The board's canvas: a snapshot shown beside it has the same note ids, never marked. */
  private readonly content: HTMLElement
  private readonly ids = new Set<string>()
  private readonly countEl: HTMLElement
  private readonly colorSel: HTMLSelectElement
  private readonly groupBtn: HTMLButtonElement
  /** Touch: after a long press, taps on notes select instead of editing. */
  private touchMode = false
  private suppressClick = false

  constructor(ctx: Ctx, content: HTMLElement, viewport: HTMLElement, overlay: HTMLElement, pz: PanZoom) {
    this.ctx = ctx
    this.content = content
    this.countEl = h('span', { class: 'selection-count', attrs: { role: 'status' } })
    this.groupBtn = h('button', {
      class: 'btn btn-small btn-primary selection-group',
      text: t('select.group'),
      attrs: { type: 'button' },
      on: { click: () => this.group() }
    })
    this.colorSel = h(
      'select',
      { class: 'selection-color', attrs: { 'aria-label': t('select.color') } },
      h('option', { text: t('select.color.pick'), attrs: { value: '' } }),
      ...ctx.canvas.def.note_colors.map((c) => h('option', { text: tx(c.label), attrs: { value: c.id } }))
    )
    this.colorSel.addEventListener('change', () => {
      if (this.colorSel.value) recolourMany(ctx, this.ids, this.colorSel.value)
      this.colorSel.value = ''
    })
    this.bar = h(
      'div',
      { class: 'selection-bar', hidden: true, attrs: { role: 'region', 'aria-label': t('select.bar') } },
      this.countEl,
      h('span', { class: 'edit-only selection-tools' }, this.groupBtn, this.colorSel),
      h('button', {
        class: 'btn btn-small btn-danger edit-only selection-delete',
        text: t('select.delete'),
        attrs: { type: 'button' },
        on: { click: () => void removeMany(ctx, this.ids).then((done) => done && this.clear()) }
      }),
      h('button', {
        class: 'btn btn-small selection-clear',
        text: t('select.clear'),
        attrs: { type: 'button' },
        on: { click: () => this.clear() }
      })
    )
    viewport.append(this.bar)
    content.addEventListener('click', (e) => this.onClick(e), true)
    content.addEventListener('pointerdown', (e) => this.onDown(e, content, overlay, pz))
    content.addEventListener('contextmenu', (e) => {
      if (this.suppressClick) e.preventDefault()
    })
  }

  /** Touch: taps select notes now (after a long press), they do not drag or edit. */
  get touchSelecting(): boolean {
    return this.touchMode
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  /** The selected notes that still exist. */
  list(): string[] {
    return [...this.ids].filter((id) => this.ctx.board.note(id))
  }

  get size(): number {
    return this.ids.size
  }

  toggle(id: string): void {
    if (this.ids.has(id)) this.ids.delete(id)
    else this.ids.add(id)
    this.show()
  }

  set(ids: Iterable<string>): void {
    this.ids.clear()
    for (const id of ids) this.ids.add(id)
    this.show()
  }

  clear(): void {
    this.touchMode = false
    this.set([])
  }

  group(): void {
    if (this.ids.size === 0) return
    if (groupMany(this.ctx, this.list())) this.clear()
  }

  /** Notes went away or came back: keep marks and the count in step with the document. */
  show(): void {
    for (const id of [...this.ids]) if (!this.ctx.board.note(id)) this.ids.delete(id)
    for (const el of this.content.querySelectorAll<HTMLElement>('.note.selected')) {
      if (!this.ids.has(el.dataset.note ?? '')) el.classList.remove('selected')
    }
    for (const id of this.ids) {
      this.content.querySelector<HTMLElement>(`.note[data-note="${CSS.escape(id)}"]`)?.classList.add('selected')
    }
    this.bar.hidden = this.ids.size === 0 && !this.touchMode
    this.bar.classList.toggle('touch-mode', this.touchMode)
    setText(
      this.countEl,
      this.ids.size === 0 && this.touchMode ? t('select.touch') : t('select.count', { count: this.ids.size })
    )
  }

  private onClick(e: MouseEvent): void {
    if (this.suppressClick) {
      this.suppressClick = false
      e.preventDefault()
      e.stopPropagation()
      return
    }
    const target = e.target instanceof Element ? e.target : null
    const note = target?.closest<HTMLElement>('[data-note]')
    const id = note?.dataset.note
    if (!note || !id || target?.closest(SKIP)) return
    if (e.shiftKey || e.ctrlKey || e.metaKey || this.touchMode) {
      e.preventDefault()
      e.stopPropagation()
      this.toggle(id)
      if (this.touchMode && this.ids.size === 0) this.clear()
    }
  }

  private onDown(e: PointerEvent, content: HTMLElement, overlay: HTMLElement, pz: PanZoom): void {
    // the click a long press may or may not be followed by is over once a new press starts
    this.suppressClick = false
    const target = e.target instanceof Element ? e.target : null
    if (!target || target.closest(SKIP)) return
    const note = target.closest<HTMLElement>('[data-note]')
    if (e.pointerType === 'touch') {
      if (note?.dataset.note) this.pressNote(e, note.dataset.note)
      return
    }
    if ((e.shiftKey || e.ctrlKey || e.metaKey) && note) {
      e.preventDefault() // no caret or text selection: this click selects the note
      return
    }
    if (e.pointerType !== 'mouse' || e.button !== 0 || note || !target.closest('.note-area')) return
    if (!(e.shiftKey || e.ctrlKey || e.metaKey)) return // a plain drag pans
    e.stopPropagation() // a box, not a pan
    this.band(e, content, overlay, pz)
  }

  private pressNote(e: PointerEvent, id: string): void {
    if (this.touchMode) {
      e.preventDefault() // taps select; no caret, no keyboard popping up
      return
    }
    const start = { x: e.clientX, y: e.clientY }
    const el = e.target instanceof HTMLElement ? e.target : null
    if (!el) return
    let timer = 0
    const stop = (): void => {
      clearTimeout(timer)
      el.removeEventListener('pointermove', move)
      el.removeEventListener('pointerup', stop)
      el.removeEventListener('pointercancel', stop)
    }
    const move = (ev: PointerEvent): void => {
      if (Math.hypot(ev.clientX - start.x, ev.clientY - start.y) > SLOP_PX) stop()
    }
    timer = window.setTimeout(() => {
      stop()
      this.touchMode = true
      this.suppressClick = true
      if (document.activeElement instanceof HTMLElement && document.activeElement.isContentEditable) {
        document.activeElement.blur()
      }
      this.ids.add(id)
      this.show()
      navigator.vibrate?.(20)
    }, LONG_PRESS_MS)
    el.addEventListener('pointermove', move)
    el.addEventListener('pointerup', stop)
    el.addEventListener('pointercancel', stop)
  }

  /** A rubber band from a Shift- (or Ctrl-) press on a field's empty space: the notes it
   * touches join the selection, as Shift-clicked ones do. */
  private band(e: PointerEvent, content: HTMLElement, overlay: HTMLElement, pz: PanZoom): void {
    const start = { x: e.clientX, y: e.clientY }
    const before = new Set(this.ids)
    let box: HTMLElement | null = null
    const pointer = e.pointerId
    const rectOf = (ev: PointerEvent): DOMRect =>
      new DOMRect(
        Math.min(start.x, ev.clientX),
        Math.min(start.y, ev.clientY),
        Math.abs(ev.clientX - start.x),
        Math.abs(ev.clientY - start.y)
      )
    const move = (ev: PointerEvent): void => {
      if (ev.pointerId !== pointer) return
      if (!box) {
        if (Math.hypot(ev.clientX - start.x, ev.clientY - start.y) < BAND_START_PX) return
        box = h('div', { class: 'selection-band', attrs: { 'aria-hidden': 'true' } })
        overlay.append(box)
        content.setPointerCapture(pointer)
      }
      ev.preventDefault()
      const r = rectOf(ev)
      const a = pz.toBoard(r.left, r.top)
      const b = pz.toBoard(r.right, r.bottom)
      Object.assign(box.style, {
        left: `${a.x}px`,
        top: `${a.y}px`,
        width: `${b.x - a.x}px`,
        height: `${b.y - a.y}px`
      })
      const hit = new Set(before)
      for (const el of content.querySelectorAll<HTMLElement>('.note[data-note]')) {
        const n = el.getBoundingClientRect()
        const id = el.dataset.note
        if (id && n.right > r.left && n.left < r.right && n.bottom > r.top && n.top < r.bottom) hit.add(id)
      }
      this.set(hit)
    }
    const up = (ev: PointerEvent): void => {
      if (ev.pointerId !== pointer) return
      content.removeEventListener('pointermove', move)
      content.removeEventListener('pointerup', up)
      content.removeEventListener('pointercancel', up)
      if (box) {
        box.remove()
        this.suppressClick = true
        setTimeout(() => {
          this.suppressClick = false
        }, 0)
      }
    }
    content.addEventListener('pointermove', move)
    content.addEventListener('pointerup', up)
    content.addEventListener('pointercancel', up)
  }
}
