// The line under the header after a restore or a comparison: what happened, and the next step
// (undo the restore, remove the marks). Also gives the history dialogs what they need.
import { t } from '../i18n'
import type { Diff, SnapshotInfo } from '../sync/rest'
import type { AppDeps } from './app'
import type { DiffMark } from './CanvasNotes'
import type { BoardCanvas } from './canvas'
import { h, setText } from './dom'
import { type FollowUpDeps, requestError } from './restore'
import { title as snapTitle } from './snapshotlabel'

export class NoticeLine {
  readonly el: HTMLElement
  private readonly app: AppDeps
  private readonly canvas: BoardCanvas
  private readonly showCanvas: () => void

  constructor(app: AppDeps, canvas: BoardCanvas, showCanvas: () => void) {
    this.app = app
    this.canvas = canvas
    this.showCanvas = showCanvas
    this.el = h('div', { class: 'notice', attrs: { role: 'status' } })
  }

  /** What the history, snapshot, compare and restore dialogs need from this page. */
  followUp(): FollowUpDeps {
    return {
      ctx: this.app.ctx,
      api: this.app.api,
      title: this.app.title,
      onRestored: (info, before) => this.onRestored(info, before),
      onMark: (diff, from) => this.markDiff(diff, from)
    }
  }

  /** A line under the header with buttons (restore done and undo, marks on the canvas). */
  private notice(text: string, actions: Array<{ label: string; key: string; run: () => void }> = []): void {
    const buttons = actions.map((a) =>
      h('button', {
        class: 'btn btn-small',
        text: a.label,
        attrs: { type: 'button', 'data-notice': a.key },
        on: { click: a.run }
      })
    )
    const close = h('button', {
      class: 'btn btn-small btn-ghost',
      text: '×',
      attrs: { type: 'button', 'aria-label': t('app.close'), 'data-notice': 'close' },
      on: { click: () => this.clear() }
    })
    this.el.replaceChildren(h('p', { class: 'notice-text', text }), ...buttons, close)
    // keyboard users land where the next step is (the dialogs that led here are closed)
    const next = buttons[0] ?? close
    next.focus()
  }

  private clear(): void {
    const hadFocus = this.el.contains(document.activeElement)
    this.el.replaceChildren()
    this.canvas.markDiff(null)
    if (hadFocus) this.canvas.el.focus()
  }

  /** This moderator restored a snapshot in place: say so, and offer to go back. */
  private onRestored(info: SnapshotInfo, before: string): void {
    const { ctx } = this.app
    const name = snapTitle(ctx.canvas, info)
    this.canvas.markDiff(null)
    this.notice(t('restore.done', { name }), [
      {
        label: t('restore.undo'),
        key: 'undo',
        run: () => {
          setText(this.el.querySelector('.notice-text') ?? this.el, t('restore.undo.busy'))
          ctx.fac.app
            .request('snapshot.restore', { sid: before })
            .then(() => this.notice(t('restore.undone', { name })))
            .catch((err: unknown) =>
              this.notice(requestError('snapshot.restore', err), [
                { label: t('restore.undo'), key: 'undo', run: () => this.onRestored(info, before) }
              ])
            )
        }
      }
    ])
  }

  /** Mark what changed since a snapshot on the live canvas. */
  private markDiff(diff: Diff, from: SnapshotInfo): void {
    const marks = new Map<string, DiffMark>()
    for (const n of diff.added) marks.set(n.id, 'added')
    for (const c of diff.changed) marks.set(c.id, 'changed')
    this.showCanvas()
    this.canvas.markDiff(marks)
    this.notice(
      t('diff.marked', {
        name: snapTitle(this.app.ctx.canvas, from),
        added: diff.added.length,
        changed: diff.changed.length
      }),
      [{ label: t('diff.unmark'), key: 'unmark', run: () => this.clear() }]
    )
  }
}
