// Parts every note view shares: who wrote it, the group colour, the move and delete
// controls and the badge that says who else is writing in or dragging the note.
import { t, tx } from '../i18n'
import type { NoteData } from '../model/board'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import type { RemoteInfo } from './items'
import { deleteWithCare } from './noteDelete'

export function whoLabel (ctx: Ctx, d: NoteData): string {
  if (d.author === null) return t('note.anonymous')
  const g = ctx.canvas.group(d.group)
  return g ? `${d.author} · ${tx(g.label)}` : d.author
}

export function groupColor (ctx: Ctx, d: NoteData): string {
  if (d.author === null) return '#5f6b76'
  return ctx.canvas.group(d.group)?.color ?? '#5f6b76'
}

export function moveSelect (ctx: Ctx, id: string): HTMLSelectElement {
  const sel = h('select', { class: 'note-move edit-only', attrs: { 'aria-label': t('note.move.label'), title: t('note.move') } })
  for (const f of ctx.canvas.orderedFields()) {
    sel.append(h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
  }
  sel.addEventListener('change', () => {
    const target = sel.value
    const d = ctx.board.data(id)
    if (!d || target === d.field) return
    const spot = ctx.spotIn(target)
    ctx.actions.move(id, target, spot.x, spot.y, true)
  })
  return sel
}

export function deleteButton (ctx: Ctx, id: string): HTMLButtonElement {
  return h('button', {
    class: 'icon-btn note-delete edit-only',
    text: '×',
    attrs: { type: 'button', 'aria-label': t('note.delete.label'), title: t('note.delete') },
    on: { click: () => deleteWithCare(ctx, id) }
  })
}

export function remoteBadge (): HTMLElement {
  return h('p', { class: 'note-remote', hidden: true, attrs: { 'aria-hidden': 'true' } })
}

export function showRemote (badge: HTMLElement, root: HTMLElement, info: RemoteInfo): void {
  const parts: string[] = []
  if (info.dragging) parts.push(t('note.dragging', { name: info.dragging }))
  for (const name of info.editing) parts.push(t('note.editing', { name }))
  const text = parts.join(' · ')
  setText(badge, text)
  badge.hidden = text === ''
  root.classList.toggle('remote-busy', text !== '')
}
