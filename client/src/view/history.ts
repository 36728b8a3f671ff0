// The history panel (everyone may look; the moderator may save and restore): the board's
// snapshots newest first with time, name, kind and number of notes; open one read-only,
// compare it with now or with another, restore it in place or as a new board.
import { t, tn } from '../i18n'
import type { SnapshotInfo } from '../sync/rest'
import { openCompare } from './compare'
import { append, h, uid } from './dom'
import { openModal } from './modal'
import { apiError, type FollowUpDeps, requestError, restoreAsCopy, restoreInPlace } from './restore'
import { heading, isoTime, kindWords, label as snapLabel, when } from './snapshotlabel'
import { openSnapshot } from './snapshotview'

const LABEL_MAX = 200

export function openHistory(deps: FollowUpDeps): void {
  const { ctx, api } = deps
  const mod = ctx.moderator()
  const m = openModal({
    title: t('history.title'),
    describe: t(mod ? 'history.lead.mod' : 'history.lead'),
    cls: 'modal-wide modal-history'
  })
  m.dlg.dataset.dialog = 'history'
  let snaps: SnapshotInfo[] = []

  const listHeading = uid('history-list')
  const list = h('ol', { class: 'snapshot-list', attrs: { 'aria-labelledby': listHeading } })
  const empty = h('p', { class: 'hint', text: t('history.empty'), hidden: true })

  // save a snapshot with a label (moderator)
  let saveForm: HTMLElement | null = null
  if (mod) {
    const id = uid('snap-label')
    const input = h('input', {
      id,
      attrs: {
        name: 'snapshot-label',
        maxlength: LABEL_MAX,
        dir: 'auto',
        autocomplete: 'off',
        placeholder: t('history.save.placeholder')
      }
    })
    const submit = h('button', {
      class: 'btn btn-primary',
      text: t('history.save'),
      attrs: { type: 'submit', 'data-history': 'save' }
    })
    const form = h(
      'form',
      { class: 'history-save', attrs: { 'aria-labelledby': `${id}-h` } },
      h('h3', { id: `${id}-h`, text: t('history.save.title') }),
      h(
        'div',
        { class: 'form-row form-inline' },
        h('label', { text: t('history.save.label'), attrs: { for: id } }),
        input,
        submit
      )
    )
    form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      if (submit.disabled) return
      const label = input.value.trim().slice(0, LABEL_MAX)
      submit.disabled = true
      m.status(t('history.save.busy'))
      ctx.fac.app
        .request('snapshot.create', { label })
        .then(async (reply) => {
          input.value = ''
          await load()
          m.status(tn('history.save.done', reply.notes, { name: label || t('snap.kind.manual') }))
        })
        .catch((err: unknown) => m.error(requestError('snapshot.create', err)))
        .finally(() => {
          submit.disabled = false
        })
    })
    saveForm = form
  }

  // compare any two (or one with now)
  const fromId = uid('cmp-from')
  const toId = uid('cmp-to')
  const fromSel = h('select', { id: fromId, attrs: { name: 'compare-from' } })
  const toSel = h('select', { id: toId, attrs: { name: 'compare-to' } })
  const compareForm = h(
    'form',
    { class: 'history-compare', attrs: { 'aria-labelledby': `${fromId}-h` } },
    h('h3', { id: `${fromId}-h`, text: t('history.compare.title') }),
    h(
      'div',
      { class: 'form-row form-inline' },
      h('label', { text: t('history.compare.from'), attrs: { for: fromId } }),
      fromSel,
      h('label', { text: t('history.compare.to'), attrs: { for: toId } }),
      toSel,
      h('button', {
        class: 'btn',
        text: t('history.compare.submit'),
        attrs: { type: 'submit', 'data-history': 'compare' }
      })
    )
  )
  compareForm.addEventListener('submit', (ev) => {
    ev.preventDefault()
    const from = snaps.find((s) => s.sid === fromSel.value)
    const to = toSel.value === '' ? null : (snaps.find((s) => s.sid === toSel.value) ?? null)
    if (!from) return
    if (to && to.sid === from.sid) {
      m.error(t('history.compare.same'))
      fromSel.focus()
      return
    }
    openCompare(deps, from, to)
  })
  compareForm.hidden = true

  const item = (info: SnapshotInfo): HTMLElement => {
    const nameId = uid('snap')
    const name = snapLabel(ctx.canvas, info)
    const action = (text: string, key: string, run: () => void): HTMLButtonElement =>
      h('button', {
        class: 'btn btn-small',
        text,
        attrs: { type: 'button', 'data-snap-action': key, 'aria-describedby': nameId },
        on: { click: run }
      })
    return h(
      'li',
      { class: 'snapshot', dataset: { sid: info.sid, kind: info.kind } },
      h(
        'div',
        { class: 'snapshot-text' },
        h(
          'h4',
          { id: nameId, class: 'snapshot-name', attrs: { dir: 'auto' } },
          h('time', { text: when(info), attrs: { datetime: isoTime(info) } }),
          name ? h('span', { class: 'snapshot-label', text: ` – ${name}` }) : null
        ),
        h('p', { class: 'snapshot-meta', text: tn('history.meta', info.notes, { kind: kindWords(info) }) })
      ),
      h(
        'div',
        { class: 'snapshot-actions' },
        action(t('history.open'), 'open', () => openSnapshot(deps, info)),
        action(t('history.compare.now'), 'compare', () => openCompare(deps, info, null)),
        mod
          ? action(t('snap.restore'), 'restore', () => {
              void restoreInPlace(deps, info, m)
            })
          : null,
        mod ? action(t('snap.copy'), 'copy', () => restoreAsCopy(deps, info)) : null
      )
    )
  }

  const render = (): void => {
    const newest = [...snaps].sort((a, b) => b.createdAt - a.createdAt)
    list.replaceChildren(...newest.map(item))
    empty.hidden = snaps.length > 0
    list.hidden = snaps.length === 0
    compareForm.hidden = snaps.length === 0
    const option = (s: SnapshotInfo): HTMLOptionElement =>
      h('option', { text: heading(ctx.canvas, s), attrs: { value: s.sid } })
    const keepFrom = fromSel.value
    const keepTo = toSel.value
    fromSel.replaceChildren(...newest.map(option))
    toSel.replaceChildren(h('option', { text: t('diff.now'), attrs: { value: '' } }), ...newest.map(option))
    if (snaps.some((s) => s.sid === keepFrom)) fromSel.value = keepFrom
    if (keepTo === '' || snaps.some((s) => s.sid === keepTo)) toSel.value = keepTo
  }

  const load = async (): Promise<void> => {
    m.dlg.setAttribute('aria-busy', 'true')
    try {
      snaps = await api.snapshots()
      render()
    } finally {
      m.dlg.removeAttribute('aria-busy')
    }
  }

  append(m.body, saveForm, h('h3', { id: listHeading, text: t('history.list') }), empty, list, compareForm)
  m.status(t('history.loading'))
  load()
    .then(() => m.status(tn('history.count', snaps.length)))
    .catch((err: unknown) => m.error(apiError(err)))
}
