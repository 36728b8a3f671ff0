// A private note (private writing mode): held by the server for its author only, shown here
// clearly marked "only you see this" until the moderator reveals the field. Not part of the
// shared document, so it has its own small editor: typing is sent debounced.
import { t, tx } from '../i18n'
import type { FieldDef } from '../model/canvas'
import type { PrivateNote } from '../sync/appTypes'
import type { Ctx } from './actions'
import { h, setAttr } from './dom'
import { disarm, isDisarmed, rearm, shortcutAllowed } from './keyGuard'

export class PrivateNoteView {
  readonly el: HTMLElement
  readonly id: string
  private readonly ctx: Ctx
  private readonly text: HTMLTextAreaElement

  constructor(ctx: Ctx, note: PrivateNote) {
    this.ctx = ctx
    this.id = note.id
    const store = ctx.fac.privateNotes
    this.text = h('textarea', {
      class: 'note-text',
      attrs: {
        dir: 'auto',
        'aria-label': t('private.text'),
        maxlength: ctx.limits.maxChars,
        rows: 2,
        spellcheck: 'true',
        placeholder: t('note.placeholder')
      }
    })
    this.text.value = note.text
    this.text.addEventListener('input', () => store.edit(this.id, this.text.value))
    this.text.addEventListener('blur', () => store.flush(this.id))
    this.text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault()
        this.el.focus()
        disarm(this.el)
      }
    })
    const del = h('button', {
      class: 'icon-btn note-delete',
      text: '×',
      attrs: { type: 'button', 'aria-label': t('private.delete'), title: t('private.delete') },
      on: { click: () => this.remove() }
    })
    this.el = h(
      'article',
      {
        class: 'note private-note',
        attrs: { tabindex: 0, role: 'listitem', 'data-private-note': note.id, 'aria-label': t('private.label') }
      },
      h('div', { class: 'note-bar' }, h('span', { class: 'private-mark', text: t('private.only.you') })),
      this.text,
      h('div', { class: 'note-tools' }, del)
    )
    this.el.addEventListener('keydown', (ev) => {
      if (ev.target !== this.el) return
      if (ev.key === 'Enter' || ev.key === 'F2') {
        ev.preventDefault()
        this.text.focus()
      } else if (ev.key === 'Delete' || ev.key === 'Backspace') {
        ev.preventDefault()
        // as on shared notes: not from a typo fix, not while typing (canvasKeys)
        if (!shortcutAllowed(ev, () => true)) return
        if (isDisarmed(this.el)) {
          if (ev.key === 'Delete') rearm(this.el)
          this.ctx.toasts.show(t('note.delete.disarmed'))
        } else {
          this.remove()
        }
      }
    })
  }

  update(note: PrivateNote, field: FieldDef): void {
    this.el.style.setProperty('--note-bg', this.ctx.canvas.color(note.color).value)
    const rows = field.kind === 'table' || field.kind === 'actions'
    this.el.classList.toggle('private-row', rows)
    this.el.dataset.field = note.field
    // the server's copy never overwrites what is being typed here
    if (document.activeElement !== this.text && this.text.value !== note.text) this.text.value = note.text
    setAttr(this.el, 'aria-label', `${t('private.label')}: ${note.text.slice(0, 120)} (${field.id} ${tx(field.label)})`)
  }

  focusText(): void {
    this.text.focus()
  }

  /** Delete, with a toast that writes the note again (with a new id) if wanted. */
  private remove(): void {
    const store = this.ctx.fac.privateNotes
    const gone = store.get(this.id)
    store.remove(this.id)
    if (!gone) return
    const again = {
      field: gone.field,
      x: gone.x ?? 0.5,
      y: gone.y ?? 0.5,
      color: gone.color ?? this.ctx.canvas.def.note_colors[0]?.id ?? '',
      text: gone.text
    }
    this.ctx.toasts.show(t('note.deleted'), {
      action: { label: t('note.undo'), run: () => store.create(again) },
      ms: 12000
    })
  }

  destroy(): void {
    this.ctx.fac.privateNotes.flush(this.id)
    this.el.remove()
  }
}
