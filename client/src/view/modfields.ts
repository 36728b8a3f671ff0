// Moderator: per field and per part, lock and unlock, private writing with reveal, and
// focus ("bring everyone here", optionally with the projector following), compact view.
import { t, tn, tx } from '../i18n'
import { readCompact, readFocus } from '../model/control'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { button, checkbox, section } from './modkit'

interface FieldRow {
  lock: HTMLButtonElement
  priv: HTMLButtonElement
  reveal: HTMLButtonElement
  focus: HTMLButtonElement
  view: HTMLButtonElement
}

export class ModFields {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly rows = new Map<string, FieldRow>()
  private readonly follow: HTMLInputElement
  private readonly focusStatus: HTMLElement
  private readonly release: HTMLButtonElement

  constructor(ctx: Ctx) {
    this.ctx = ctx
    const { canvas, fac } = ctx
    const follow = checkbox(t('mod.focus.follow'), false, { name: 'focus-follow' })
    this.follow = follow.input
    this.focusStatus = h('p', { class: 'mod-status' })
    this.release = button(
      t('mod.focus.release'),
      () => fac.run('focus.set', { field: null, follow: this.follow.checked }),
      { 'data-focus-release': '' }
    )
    const body = h('tbody', {})
    for (const part of canvas.def.parts) {
      body.append(
        h(
          'tr',
          { class: 'mod-part-row' },
          h('th', { attrs: { scope: 'row' }, text: t('mod.fields.part', { id: part.id, label: tx(part.label) }) }),
          h(
            'td',
            { attrs: { colspan: 4 } },
            button(t('mod.lock.part.on'), () => fac.run('lock.set', { part: part.id, locked: true }), {
              'data-lock-part': part.id
            }),
            ' ',
            button(t('mod.lock.part.off'), () => fac.run('lock.set', { part: part.id, locked: false }), {
              'data-unlock-part': part.id
            })
          )
        )
      )
      for (const fid of part.fields) {
        const f = canvas.field(fid)
        if (!f) continue
        const name = `${f.id} ${tx(f.label)}`
        const row: FieldRow = {
          lock: button(
            t('mod.lock.on'),
            () => fac.run('lock.set', { field: f.id, locked: !ctx.board.lockedFields().has(f.id) }),
            { 'aria-label': t('mod.lock.on.label', { field: name }), 'data-lock': f.id }
          ),
          priv: button(t('mod.private.on'), () => fac.run('private.set', { field: f.id, on: true }), {
            'aria-label': t('mod.private.on.label', { field: name }),
            'data-private': f.id
          }),
          reveal: button(t('mod.private.reveal'), () => this.reveal(f.id), {
            'aria-label': t('mod.private.reveal.label', { field: name }),
            'data-reveal': f.id
          }),
          focus: button(t('mod.focus.here'), () => fac.run('focus.set', { field: f.id, follow: this.follow.checked }), {
            'aria-label': t('mod.focus.here.label', { field: name }),
            'data-focus': f.id
          }),
          view: button(
            t('mod.view.compact'),
            () => fac.run('view.set', { field: f.id, compact: !readCompact(ctx.board.control).has(f.id) }),
            { 'aria-label': t('mod.view.compact.label', { field: name }), 'data-view': f.id }
          )
        }
        row.lock.dataset.name = name
        this.rows.set(f.id, row)
        body.append(
          h(
            'tr',
            { attrs: { 'data-field-row': f.id } },
            h('th', { attrs: { scope: 'row' }, text: name }),
            h('td', {}, row.lock),
            h('td', { attrs: { 'data-label': t('mod.fields.private') } }, row.priv, row.reveal),
            h('td', { attrs: { 'data-label': t('mod.fields.focus') } }, row.focus),
            h('td', {}, row.view)
          )
        )
      }
    }
    const table = h(
      'table',
      { class: 'mod-table fields-table' },
      h('caption', { class: 'sr-only', text: t('mod.fields.title') }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' }, text: t('mod.fields.field') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.fields.lock') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.fields.private') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.fields.focus') }),
          h('th', { attrs: { scope: 'col' }, text: t('mod.fields.view') })
        )
      ),
      body
    )
    this.el = section(
      'fields',
      t('mod.fields.title'),
      true,
      h('p', { class: 'hint', text: t('mod.fields.lead') }),
      this.focusStatus,
      h('div', { class: 'mod-buttons' }, follow.row, this.release),
      h(
        'div',
        { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': t('mod.fields.title') } },
        table
      )
    )
    this.update()
  }

  private async reveal(field: string): Promise<void> {
    const res = await this.ctx.fac.run('private.reveal', { field })
    if (res) this.ctx.toasts.show(tn('mod.private.revealed', res.revealed, { field }))
  }

  update(): void {
    const { board, canvas } = this.ctx
    const locks = board.lockedFields()
    const priv = board.privateFields()
    const focus = readFocus(board.control)
    const compact = readCompact(board.control)
    for (const [id, row] of this.rows) {
      const locked = locks.has(id)
      const name = row.lock.dataset.name ?? id
      setText(row.lock, locked ? t('mod.lock.off') : t('mod.lock.on'))
      row.lock.setAttribute('aria-label', t(locked ? 'mod.lock.off.label' : 'mod.lock.on.label', { field: name }))
      row.lock.classList.toggle('is-on', locked)
      const p = priv.has(id)
      row.priv.hidden = p
      row.reveal.hidden = !p
      const focused = focus?.field === id
      row.focus.classList.toggle('is-on', focused)
      row.focus.setAttribute('aria-current', focused ? 'true' : 'false')
      const small = compact.has(id)
      setText(row.view, t(small ? 'mod.view.full' : 'mod.view.compact'))
      row.view.setAttribute('aria-label', t(small ? 'mod.view.full.label' : 'mod.view.compact.label', { field: name }))
      row.view.classList.toggle('is-on', small)
    }
    const f = focus?.field ? canvas.field(focus.field) : undefined
    setText(
      this.focusStatus,
      f
        ? t(focus?.follow ? 'mod.focus.current.follow' : 'mod.focus.current', { field: `${f.id} ${tx(f.label)}` })
        : t('mod.focus.none')
    )
    this.release.disabled = !f
    if (focus && document.activeElement !== this.follow) this.follow.checked = focus.follow
  }
}
