// Drafts and late notes on screen: a tray that shows how many are waiting, the author's
// drafts (put into an open field, hand in as a late note, discard) and, for moderators,
// the late notes handed in (accept into the field, dismiss). Reasons come as codes and
// parameters from the server (P263) and are worded here.
import * as Y from 'yjs'
import type { Draft } from '../facilitation/drafts'
import { t, tx } from '../i18n'
import type { LateNote } from '../sync/appTypes'
import { STARTOVER_CODE } from '../sync/strays'
import type { Ctx } from './actions'
import { h } from './dom'
import { type Modal, openModal } from './modal'

type Params = Record<string, string | number>

/** A refusal in the reader's language; `fieldName` turns a field id into its label. */
export function refusalText(code: string, params: Params, fieldName: (id: string) => string = (id) => id): string {
  const field = typeof params.field === 'string' ? fieldName(params.field) : null
  if (code === 'locked' && field && params.typing) return t('drafts.reason.typing', { field })
  if (code === 'locked' && field && params.typing === 0) return t('drafts.reason.found', { field })
  if (code === 'locked' && field) return t('rejected.locked.field', { field })
  if (code === 'forbidden' && field && params.why === 'private') return t('rejected.private.field', { field })
  if (code === 'forbidden' && params.root !== undefined) return t('rejected.root')
  if (code === 'limit' && params.notes !== undefined) return t('rejected.limit.notes', { notes: params.notes })
  if (code === 'limit' && params.bytes !== undefined) return t('rejected.limit.bytes')
  if (code === 'conflict' && params.why === 'overtaken') return t('rejected.overtaken')
  if (code === STARTOVER_CODE) return t('drafts.reason.startover')
  const key = code === 'forbidden' || code === 'limit' || code === 'locked' ? code : 'invalid'
  return t(`rejected.${key}`)
}

export function fieldNamer(ctx: Ctx): (id: string) => string {
  return (id) => {
    const f = ctx.canvas.field(id)
    return f ? `${f.id} ${tx(f.label)}` : id
  }
}

export class DraftTray {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly draftsBtn: HTMLButtonElement
  private readonly lateBtn: HTMLButtonElement
  private readonly offs: Array<() => void> = []
  private modal: Modal | null = null

  constructor(ctx: Ctx) {
    this.ctx = ctx
    this.draftsBtn = h('button', {
      class: 'btn btn-small draft-tray-btn',
      attrs: { type: 'button', 'data-testid': 'drafts-open' },
      on: { click: () => this.openDrafts(null) }
    })
    this.lateBtn = h('button', {
      class: 'btn btn-small draft-tray-btn',
      attrs: { type: 'button', 'data-testid': 'late-open' },
      on: { click: () => this.openLate() }
    })
    this.el = h('div', { class: 'draft-tray' }, this.draftsBtn, this.lateBtn)
    const { fac } = ctx
    this.offs.push(fac.drafts.changed.on(() => this.update()))
    this.offs.push(fac.lateChanged.on(() => this.update()))
    this.offs.push(fac.drafts.openRequested.on(() => this.openDrafts(fac.drafts.focus)))
    this.update()
  }

  destroy(): void {
    for (const off of this.offs) off()
    this.modal?.close()
  }

  private update(): void {
    const { fac } = this.ctx
    const drafts = fac.drafts.all().length
    const late = this.ctx.moderator() ? fac.lateNotes.length : 0
    this.draftsBtn.textContent = t('drafts.button', { count: drafts })
    this.draftsBtn.hidden = drafts === 0
    this.lateBtn.textContent = t('late.button', { count: late })
    this.lateBtn.hidden = late === 0
    this.el.hidden = drafts === 0 && late === 0
  }

  // ---- the author's drafts --------------------------------------------------------------

  private openDrafts(focus: string | null): void {
    this.modal?.close()
    const modal = openModal({ title: t('drafts.title'), cls: 'drafts-modal' })
    this.modal = modal
    let shown = ''
    const render = (): void => {
      const list = this.ctx.fac.drafts.all()
      const ids = list.map((d) => d.id).join(' ')
      if (ids === shown) return // typing changes the text only: keep the focus
      shown = ids
      modal.body.replaceChildren(
        h('p', { class: 'drafts-intro', text: t('drafts.intro') }),
        list.length
          ? h('ul', { class: 'drafts-list' }, ...list.map((d) => this.draftItem(d, modal)))
          : h('p', { text: t('drafts.empty') })
      )
    }
    render()
    const off = this.ctx.fac.drafts.changed.on(render)
    modal.onClose(() => {
      off()
      if (this.modal === modal) this.modal = null
    })
    const first = focus
      ? modal.body.querySelector<HTMLTextAreaElement>(`[data-draft="${CSS.escape(focus)}"] textarea`)
      : null
    if (first) {
      first.focus()
      first.setSelectionRange(first.value.length, first.value.length)
    }
  }

  private draftItem(d: Draft, modal: Modal): HTMLElement {
    const { ctx } = this
    const name = fieldNamer(ctx)
    const text = h('textarea', {
      class: 'draft-text',
      attrs: { rows: 3, dir: 'auto', 'aria-label': t('drafts.text'), maxlength: ctx.limits.maxChars }
    })
    text.value = d.text
    // every line in view: a partner's or an action's words come as several lines
    const sizeToText = (): void => {
      text.rows = Math.min(12, Math.max(3, text.value.split('\n').length + 1))
    }
    sizeToText()
    text.addEventListener('input', () => {
      sizeToText()
      ctx.fac.drafts.setText(d.id, text.value)
    })
    const select = h('select', { class: 'draft-field', attrs: { 'aria-label': t('drafts.field') } })
    for (const f of ctx.canvas.fields) {
      const locked = ctx.actions.lockedFor(f.id)
      const opt = h('option', {
        text: `${name(f.id)}${locked ? ` (${t('field.locked')})` : ''}`,
        attrs: { value: f.id }
      })
      select.append(opt)
    }
    // the field it was meant for, even when locked: a late note (P264) goes there
    select.value = d.field ?? ctx.canvas.fields.find((f) => !ctx.actions.lockedFor(f.id))?.id ?? ''
    const place = h('button', {
      class: 'btn btn-small',
      text: t('drafts.place'),
      attrs: { type: 'button' },
      on: {
        click: () => {
          const field = select.value
          if (ctx.actions.lockedFor(field)) {
            modal.error(t('drafts.locked', { field: name(field) }))
            return
          }
          const spot = ctx.spotIn(field)
          const color = ctx.canvas.def.note_colors[0]?.id ?? 'yellow'
          const spec = { field, x: spot.x, y: spot.y, color, text: text.value }
          // a field in private writing takes notes through the server only (P60)
          const placed = ctx.actions.isPrivateField(field) ? ctx.actions.addPrivate(spec) : ctx.actions.add(spec)
          if (placed) {
            ctx.fac.drafts.remove(d.id)
            modal.status(t('drafts.placed', { field: name(field) }))
          }
        }
      }
    })
    const handIn = h('button', {
      class: 'btn btn-small btn-primary',
      text: t('drafts.handin'),
      attrs: { type: 'button' },
      on: {
        click: () => {
          const field = select.value
          ctx.fac.drafts.setText(d.id, text.value)
          void ctx.fac.handIn(d.id, field).then((done) => {
            if (done) modal.status(t('drafts.handedin', { field: name(field) }))
          })
        }
      }
    })
    let armed = false
    const restore = this.restoreButton(d, modal) ?? this.rewriteButton(d, text, modal)
    const discard = h('button', {
      class: 'btn btn-small btn-ghost',
      text: t('drafts.discard'),
      attrs: { type: 'button' },
      on: {
        click: () => {
          if (!armed) {
            armed = true
            discard.textContent = t('drafts.discard.confirm')
            return
          }
          ctx.fac.drafts.remove(d.id)
        }
      }
    })
    const of = restore && d.note ? ctx.board.note(d.note)?.get('text') : null
    return h(
      'li',
      { class: 'draft', attrs: { 'data-draft': d.id } },
      h('p', { class: 'draft-reason', text: refusalText(d.code, d.params, name) }),
      of ? h('p', { class: 'drafts-intro', text: t('drafts.of', { text: excerpt(String(of)) }) }) : null,
      text,
      // words of an owner or due date: back into their note, not into a note of their own
      restore
        ? h('div', { class: 'draft-actions' }, restore, discard)
        : h('div', { class: 'draft-actions' }, select, place, handIn, discard)
    )
  }

  /** P264: whether accepting `n` completes the writer's note, as the server decides it:
   * the note is still in that field and its text is where the late words begin. */
  private completes(n: LateNote): boolean {
    const note = n.continues ? this.ctx.board.note(n.continues) : undefined
    const text = note?.get('text')
    if (!note || note.get('field') !== n.field || !(text instanceof Y.Text)) return false
    return n.text.startsWith(text.toString())
  }

  /** P266: a button that writes overtaken owner or due words back into their note, when
   * that note is still there and open; null otherwise. */
  private restoreButton(d: Draft, modal: Modal): HTMLElement | null {
    const keys = d.keys
    if (!keys) return null
    return this.writeBack(d, modal, (noteId) => {
      for (const [key, value] of Object.entries(keys)) {
        if (key === 'owner' || key === 'due') this.ctx.actions.set(noteId, key, value)
      }
    })
  }

  /** A note's text this device wrote offline but could not send any more (P117, starting
   * over): a button that writes the draft's words into that note again, replacing what it
   * shows now, instead of a second note beside it. Null for any other draft. */
  private rewriteButton(d: Draft, text: HTMLTextAreaElement, modal: Modal): HTMLElement | null {
    if (d.code !== STARTOVER_CODE || d.keys) return null
    return this.writeBack(d, modal, (noteId) => {
      const now = this.ctx.board.text(noteId, 'text')?.toString() ?? ''
      this.ctx.actions.editText(noteId, 'text', 0, now.length, text.value)
    })
  }

  /** "Wieder eintragen": `write` puts the draft back into its note while that note is
   * there and its field open; else it says why and the draft stays. */
  private writeBack(d: Draft, modal: Modal, write: (noteId: string) => void): HTMLElement | null {
    const { ctx } = this
    const noteId = d.note
    if (!noteId || !ctx.board.note(noteId)) return null
    return h('button', {
      class: 'btn btn-small btn-primary',
      text: t('drafts.restore'),
      attrs: { type: 'button' },
      on: {
        click: () => {
          const field = ctx.board.data(noteId)?.field
          if (!field) {
            modal.error(t('drafts.restore.gone'))
            return
          }
          if (ctx.actions.lockedFor(field)) {
            modal.error(t('drafts.restore.locked', { field: fieldNamer(ctx)(field) }))
            return
          }
          write(noteId)
          ctx.fac.drafts.remove(d.id)
          modal.status(t('drafts.restored'))
        }
      }
    })
  }

  // ---- late notes (moderators) --------------------------------------------------------

  private openLate(): void {
    this.modal?.close()
    const modal = openModal({ title: t('late.title'), cls: 'drafts-modal' })
    this.modal = modal
    const name = fieldNamer(this.ctx)
    const render = (): void => {
      const list = this.ctx.fac.lateNotes
      modal.body.replaceChildren(
        h('p', { class: 'drafts-intro', text: t('late.intro') }),
        list.length
          ? h(
              'ul',
              { class: 'drafts-list' },
              ...list.map((n) =>
                h(
                  'li',
                  { class: 'draft late-note', attrs: { 'data-late': n.id } },
                  h('p', {
                    class: 'draft-reason',
                    text: t('late.for', { field: name(n.field), author: n.author ?? t('note.anonymous') })
                  }),
                  h('p', { class: 'draft-quote', text: n.text, attrs: { dir: 'auto' } }),
                  this.completes(n) ? h('p', { class: 'drafts-intro', text: t('late.continues') }) : null,
                  h(
                    'div',
                    { class: 'draft-actions' },
                    h('button', {
                      class: 'btn btn-small btn-primary',
                      text: t('late.accept'),
                      attrs: { type: 'button' },
                      on: { click: () => this.ctx.fac.decideLate(n.id, true) }
                    }),
                    h('button', {
                      class: 'btn btn-small btn-ghost',
                      text: t('late.dismiss'),
                      attrs: { type: 'button' },
                      on: { click: () => this.ctx.fac.decideLate(n.id, false) }
                    })
                  )
                )
              )
            )
          : h('p', { text: t('late.empty') })
      )
    }
    render()
    const off = this.ctx.fac.lateChanged.on(render)
    modal.onClose(() => {
      off()
      if (this.modal === modal) this.modal = null
    })
  }
}

/** The start of a note's text, to name the note. */
function excerpt(text: string): string {
  const one = text.replace(/\s+/gu, ' ').trim()
  return one.length > 60 ? `${one.slice(0, 59)}…` : one
}
