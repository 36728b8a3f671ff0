// Going back to a snapshot (moderator): in place, for everyone at once and undoable (the
// server saves "now" first), or as a copy into a new board with its own links.
import { t } from '../i18n'
import { AppRequestError, refusalCode } from '../sync/appmsg'
import type { Op } from '../sync/appTypes'
import { ApiError, type BoardApi, type Diff, type SnapshotInfo } from '../sync/rest'
import type { Ctx } from './actions'
import { h, uid } from './dom'
import { linksList } from './links'
import { confirmModal, type Modal, openModal } from './modal'
import { title as snapTitle } from './snapshotlabel'

/** What the history, snapshot and compare dialogs need from the board page. */
export interface FollowUpDeps {
  ctx: Ctx
  api: BoardApi
  /** The board's title now. */
  title: () => string
  /** After a restore in place: the page says what happened and offers to undo it. */
  onRestored: (info: SnapshotInfo, before: string) => void
  /** Mark a comparison with "now" on the live canvas. */
  onMark: (diff: Diff, from: SnapshotInfo) => void
}

/** Close every follow-up dialog, topmost first (back to the live board); resolves once
 * all have closed and given focus back, so the caller can then put it where it belongs. */
export function closeAllModals(): Promise<void> {
  const open = Array.from(document.querySelectorAll<HTMLDialogElement>('dialog.modal[open]')).reverse()
  const closed = open.map(
    (dlg) => new Promise<void>((resolve) => dlg.addEventListener('close', () => resolve(), { once: true }))
  )
  for (const dlg of open) dlg.close()
  return Promise.all(closed).then(() => undefined)
}

/** A refused app request in words. */
export function requestError(op: Op, err: unknown): string {
  const key = refusalCode(err)
  const text = t(`op.error.${key}`, { op })
  return err instanceof AppRequestError && err.message && key !== 'offline'
    ? `${text} ${t('rejected.detail', { reason: err.message })}`
    : text
}

/** A failed REST call in words, with what to do next. */
export function apiError(err: unknown): string {
  if (err instanceof DOMException && err.name === 'AbortError') return t('api.aborted')
  if (!(err instanceof ApiError)) return t('api.failed', { message: err instanceof Error ? err.message : String(err) })
  switch (err.status) {
    case 0:
      return t('api.offline')
    case 401:
    case 403:
      return t('api.denied')
    case 404:
      return t('api.notfound', { message: err.message })
    case 429:
      return t('api.ratelimit')
    default:
      return err.status >= 500 ? t('api.server', { status: err.status }) : t('api.failed', { message: err.message })
  }
}

/** Restore `info` in place after a confirmation; errors are told in `report`. */
export async function restoreInPlace(deps: FollowUpDeps, info: SnapshotInfo, report: Modal): Promise<void> {
  const name = snapTitle(deps.ctx.canvas, info)
  const ok = await confirmModal({
    title: t('restore.confirm.title'),
    text: [t('restore.confirm.text', { name }), t('restore.confirm.undo')],
    yes: t('restore.confirm.yes')
  })
  if (!ok) return
  report.status(t('restore.busy'))
  try {
    const reply = await deps.ctx.fac.app.request('snapshot.restore', { sid: info.sid })
    await closeAllModals()
    deps.onRestored(info, reply.before)
  } catch (err) {
    report.error(requestError('snapshot.restore', err))
  }
}

/** Ask for a title, make a new board from `info`, and show its links. */
export function restoreAsCopy(deps: FollowUpDeps, info: SnapshotInfo): void {
  const m = openModal({
    title: t('copy.title'),
    describe: t('copy.lead', { name: snapTitle(deps.ctx.canvas, info) }),
    cls: 'modal-copy'
  })
  m.dlg.dataset.dialog = 'copy'
  const id = uid('copy-title')
  const input = h('input', {
    id,
    attrs: { name: 'title', maxlength: 200, dir: 'auto', value: t('copy.default', { title: deps.title() }) }
  })
  const submit = h('button', {
    class: 'btn btn-primary',
    text: t('copy.submit'),
    attrs: { type: 'submit', 'data-copy-submit': '' }
  })
  const form = h(
    'form',
    { class: 'copy-form' },
    h('div', { class: 'form-row' }, h('label', { text: t('copy.name'), attrs: { for: id } }), input),
    h('div', { class: 'dialog-buttons' }, submit)
  )
  m.body.append(form)
  input.focus()
  input.select()
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    if (submit.disabled) return
    submit.disabled = true
    m.status(t('copy.busy'))
    deps.api
      .restoreAsCopy(info.sid, input.value.trim() || null)
      .then((board) => {
        const heading = h('h3', {
          text: t('copy.done', { title: board.title || input.value.trim() }),
          attrs: { tabindex: -1, dir: 'auto' }
        })
        form.replaceWith(
          h(
            'section',
            { class: 'copy-result' },
            heading,
            h('p', { class: 'hint', text: t('landing.links.hint') }),
            linksList(board.links)
          )
        )
        m.status('')
        heading.focus()
      })
      .catch((err: unknown) => {
        submit.disabled = false
        m.error(apiError(err))
      })
  })
}
