// Deleting a note from the keyboard or its × button: someone else's note is deleted only
// after asking (moderators tidy up without being asked); every deletion can be undone.
import { t } from '../i18n'
import type { Ctx } from './actions'
import { confirmModal } from './modal'

const EXCERPT_CHARS = 80

export function deleteWithCare(ctx: Ctx, id: string): void {
  const d = ctx.board.data(id)
  if (!d) return
  if (ctx.moderator() || ctx.actions.isOwn(id)) {
    ctx.actions.remove(id)
    return
  }
  const text = (ctx.board.text(id, 'text')?.toString() ?? '').trim()
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
  const lines = [t('note.delete.other.text', { name: d.author ?? t('note.anonymous') })]
  if (excerpt) lines.push(t('note.delete.other.excerpt', { text: excerpt }))
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : null
  void confirmModal({
    title: t('note.delete.other.title'),
    text: lines,
    yes: t('note.delete.other.yes'),
    danger: true
  }).then((yes) => {
    if (yes && ctx.board.note(id)) ctx.actions.remove(id)
    else if (back?.isConnected) back.focus()
  })
}
