// Editing a note's text: a textarea bound to the note's Y.Text, presence while writing,
// the locked-field and length hints, and Escape back to the note.
import type * as Y from 'yjs'
import { t, tx } from '../i18n'
import type { TextKey } from '../model/board'
import type { Ctx } from './actions'
import { h } from './dom'
import { disarm } from './keyGuard'
import { bindText } from './textbind'

/** A text control bound to the note's Y.Text under `key` (created on first focus if missing). */
export class TextSlot {
  readonly el: HTMLTextAreaElement
  private unbind: (() => void) | null = null
  private bound: Y.Text | null = null
  /** The note's field was open when the person went into the note or last typed in it. */
  private openAtFocus = true
  private readonly ctx: Ctx
  private readonly id: string
  private readonly key: TextKey

  constructor(ctx: Ctx, id: string, key: TextKey, label: string, cls: string) {
    this.ctx = ctx
    this.id = id
    this.key = key
    this.el = h('textarea', {
      class: cls,
      attrs: {
        dir: 'auto',
        'aria-label': label,
        maxlength: ctx.limits.maxChars,
        rows: 2,
        spellcheck: 'true',
        placeholder: ctx.readOnly() ? null : t('note.placeholder')
      }
    })
    this.el.readOnly = ctx.readOnly()
    this.el.addEventListener('focus', () => {
      this.bind(true)
      ctx.presence.setEditing(id)
      const field = ctx.board.data(id)?.field
      this.openAtFocus = !field || !ctx.actions.lockedFor(field)
    })
    this.el.addEventListener('blur', () => ctx.presence.setEditing(null))
    this.el.addEventListener('keydown', (ev) => {
      if (!this.el.readOnly) {
        this.openAtFocus = true // writing in an open field: a lock from now on is "just locked"
        return
      }
      // a locked field: typing does nothing, so say why
      if (ctx.readOnly() || ev.ctrlKey || ev.metaKey || ev.altKey) return
      if (ev.key.length !== 1 && ev.key !== 'Backspace' && ev.key !== 'Delete' && ev.key !== 'Enter') return
      const field = ctx.board.data(id)?.field
      if (!field || !ctx.actions.lockedFor(field)) return
      if (ev.key.length === 1 && !ev.isComposing) {
        // the words go on as a draft (P262); "just locked" only if it locked while this
        // person was in the note, not for a field they found locked
        ev.preventDefault()
        const typing = this.openAtFocus
        const draft = ctx.fac.drafts.fromLockedNote(id, field, this.el.value, ev.key, typing)
        const f = ctx.canvas.field(field)
        const words = t(typing ? 'drafts.typing' : 'drafts.typing.locked', {
          field: f ? `${f.id} ${tx(f.label)}` : field
        })
        ctx.toasts.show(words, { kind: 'error' })
        ctx.fac.drafts.requestOpen(draft)
        return
      }
      ctx.actions.explainLocked(field)
    })
    this.el.addEventListener('input', () => {
      if (this.el.value.length >= ctx.limits.maxChars) {
        ctx.toasts.show(t('limit.chars', { max: ctx.limits.maxChars }))
      }
    })
    this.bind(false)
  }

  bind(create: boolean): void {
    if (this.unbind) return
    let text = this.ctx.board.text(this.id, this.key)
    if (!text && create) text = this.ctx.actions.ensureText(this.id, this.key)
    if (!text) return
    this.bound = text
    this.unbind = bindText(this.el, text, (i, r, s) => this.ctx.actions.editText(this.id, this.key, i, r, s))
  }

  refresh(): void {
    this.el.readOnly = this.ctx.readOnly() || this.ctx.actions.lockedFor(this.ctx.board.data(this.id)?.field)
    // a restored snapshot replaces the note's map, and with it this Y.Text: bind the new one
    const current = this.ctx.board.text(this.id, this.key)
    if (this.unbind && current !== this.bound) {
      this.unbind()
      this.unbind = null
      this.bound = null
      if (!current) this.el.value = ''
    }
    if (!this.unbind) this.bind(false)
  }

  value(): string {
    return this.ctx.board.text(this.id, this.key)?.toString() ?? ''
  }

  destroy(): void {
    this.unbind?.()
    this.unbind = null
  }
}

/** Escape in a text control gives focus back to the note, where its shortcuts work, but
 * without arming Delete or Backspace (see canvasKeys). */
export function escapeTo(control: HTMLElement, note: HTMLElement): void {
  control.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault()
      note.focus()
      disarm(note)
    }
  })
}
