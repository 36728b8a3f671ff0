// A snapshot shown read-only, as it was: the snapshot's board view becomes a detached
// Y.Doc and the ordinary canvas renders it with a context that allows nothing (no sync,
// no presence, no facilitation). A full-screen dialog, clearly marked "Stand vom …".

import { Facilitation } from '../facilitation/session'
import { t, tn, tx } from '../i18n'
import { Board } from '../model/board'
import { createUndoManager } from '../model/notes'
import { docFromView } from '../model/snapshot'
import { AppChannel } from '../sync/AppChannel'
import { detachedPresence } from '../sync/awareness'
import type { SnapshotInfo } from '../sync/rest'
import { Actions, type Ctx } from './actions'
import { BoardCanvas } from './canvas'
import { openCompare } from './compare'
import { h } from './dom'
import { openExport } from './exportmenu'
import { openModal } from './modal'
import { apiError, type FollowUpDeps, restoreAsCopy, restoreInPlace } from './restore'
import { heading, when } from './snapshotlabel'
import { Toasts } from './toast'

export function openSnapshot(deps: FollowUpDeps, info: SnapshotInfo): void {
  const live = deps.ctx
  const name = heading(live.canvas, info)
  const m = openModal({ title: t('snap.view.title', { name }), cls: 'modal-full snapshot-view readonly' })
  m.dlg.dataset.dialog = 'snapshot'
  m.dlg.dataset.sid = info.sid
  m.dlg.setAttribute('aria-busy', 'true')
  m.status(t('snap.view.loading'))
  const cleanups: Array<() => void> = []
  m.onClose(() => {
    for (const c of cleanups) c()
  })

  const btn = (
    text: string,
    label: string,
    onClick: () => void,
    attrs: Record<string, string> = {}
  ): HTMLButtonElement =>
    h('button', {
      class: 'btn btn-small',
      text,
      attrs: { type: 'button', title: label, 'aria-label': text.length <= 2 ? label : null, ...attrs },
      on: { click: onClick }
    })

  deps.api
    .snapshot(info.sid)
    .then((snap) => {
      if (!m.dlg.open) return
      const doc = docFromView(snap.board)
      const board = new Board(doc)
      const { presence, destroy } = detachedPresence(doc, { name: '', group: null, color: '#555555', role: 'viewer' })
      const toasts = new Toasts()
      const fac = new Facilitation(new AppChannel(), deps.api.boardId)
      const ctx: Ctx = {
        board,
        canvas: live.canvas,
        presence,
        toasts,
        undo: createUndoManager(board),
        limits: live.limits,
        readOnly: () => true,
        moderator: () => false,
        fac,
        author: () => ({ name: null, group: null, authorId: null }),
        actions: new Actions(() => ctx),
        spotIn: () => ({ x: 0.5, y: 0.5 })
      }
      const canvas = new BoardCanvas(ctx, { idPrefix: 'snap-' })
      cleanups.push(() => {
        destroy()
        ctx.undo.destroy()
        doc.destroy()
      })
      const mod = live.moderator()
      // on a phone one field shows at a time, as on the live board
      const fieldSel = h(
        'select',
        { class: 'snapshot-field', attrs: { 'aria-label': t('toolbar.field') } },
        ...live.canvas
          .orderedFields()
          .map((f) => h('option', { text: `${f.id} ${tx(f.label)}`, attrs: { value: f.id } }))
      )
      fieldSel.addEventListener('change', () => canvas.setPhoneField(fieldSel.value))
      const tools = h(
        'div',
        { class: 'toolbar snapshot-tools', attrs: { role: 'toolbar', 'aria-label': t('snap.view.tools') } },
        h(
          'div',
          { class: 'tool-group' },
          btn('−', t('toolbar.zoom.out'), () => canvas.pz.zoom(1 / 1.25)),
          btn(t('toolbar.zoom.fit'), t('toolbar.zoom.fit'), () => canvas.pz.fit()),
          btn('+', t('toolbar.zoom.in'), () => canvas.pz.zoom(1.25))
        ),
        fieldSel,
        btn(t('snap.compare.now'), t('snap.compare.now'), () => openCompare(deps, info, null), {
          'data-snap': 'compare'
        }),
        btn(
          t('toolbar.export'),
          t('snap.export'),
          () => openExport({ api: deps.api, canvas: live.canvas, snapshot: info }),
          { 'data-snap': 'export' }
        ),
        mod
          ? btn(
              t('snap.restore'),
              t('snap.restore.hint'),
              () => {
                void restoreInPlace(deps, info, m)
              },
              { 'data-snap': 'restore' }
            )
          : null,
        mod ? btn(t('snap.copy'), t('snap.copy.hint'), () => restoreAsCopy(deps, info), { 'data-snap': 'copy' }) : null,
        btn(t('snap.back'), t('snap.back'), () => m.close(), { 'data-snap': 'close' })
      )
      const banner = h('p', {
        class: 'snapshot-banner',
        text: tn('snap.view.banner', info.notes, { when: when(info) })
      })
      m.body.append(banner, tools, canvas.el, toasts.el)
      canvas.render()
      canvas.renderPrivate()
      m.dlg.removeAttribute('aria-busy')
      m.status(tn('snap.view.ready', board.all().length))
      const phone = document.body.classList.contains('phone')
      canvas.pz.enabled = !phone
      canvas.pz.apply()
      requestAnimationFrame(() => {
        if (!phone) canvas.pz.fit()
      })
    })
    .catch((err: unknown) => {
      m.dlg.removeAttribute('aria-busy')
      m.error(apiError(err))
    })
}
