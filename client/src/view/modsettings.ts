// Moderator: projector mode and the projector window, the join code, new links (the old one
// stops working and its holders are told), board settings, and a snapshot of the board now.
import { readStored, storageKeys, writeStored } from '../config'
import { t, tn, tx } from '../i18n'
import { readMetaFlags } from '../model/control'
import type { Role } from '../sync/appTypes'
import { roleOfToken } from '../sync/rest'
import { ROLES } from '../sync/vocab.gen'
import type { Ctx } from './actions'
import { clear, h } from './dom'
import { button, checkbox, labelled, section } from './modkit'
import { joinLink } from './projector'
import { qrSvg } from './qr'

// the order the links to replace are offered in; typed by role, so a new role must be placed here
const ROTATE_ORDER: Record<Role, number> = { participant: 0, projector: 1, viewer: 2, moderator: 3 }

export class ModSettings {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly joinBox: HTMLElement
  private readonly projectorBox: HTMLElement
  private readonly rotated: HTMLElement
  private readonly title: HTMLInputElement
  private readonly flags: Record<'anonymous_allowed' | 'private_anonymous' | 'show_join_code', HTMLInputElement>
  private readonly groups: HTMLInputElement[] = []
  private shownCode: string | null | undefined = undefined
  private shownExpiry: number | null = null

  constructor(ctx: Ctx, onProjector: () => void) {
    this.ctx = ctx
    const { fac, canvas } = ctx
    this.joinBox = h('div', { class: 'mod-join' })
    this.projectorBox = h('div', { class: 'mod-projector', attrs: { 'aria-live': 'polite' } })
    const role = h(
      'select',
      { attrs: { name: 'rotate-role' } },
      ...[...ROLES]
        .sort((a, b) => ROTATE_ORDER[a] - ROTATE_ORDER[b])
        .map((r) => h('option', { text: t(`role.${r}`), attrs: { value: r } }))
    )
    this.rotated = h('div', { class: 'mod-rotated', attrs: { 'aria-live': 'polite' } })
    const rotate = h(
      'div',
      { class: 'mod-grid' },
      h('p', { class: 'hint', text: t('mod.link.lead') }),
      labelled(t('mod.link.role'), role).row,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.link.rotate'), () => this.rotate(role.value as Role), { 'data-rotate': '' })
      ),
      this.rotated
    )

    this.title = h('input', { attrs: { type: 'text', name: 'board-title', maxlength: 200 } })
    const meta = readMetaFlags(ctx.board.meta)
    const anon = checkbox(t('mod.settings.anonymous'), meta.anonymousAllowed, { name: 'anonymous_allowed' })
    const privAnon = checkbox(t('mod.settings.private.anonymous'), meta.privateAnonymous, { name: 'private_anonymous' })
    const showCode = checkbox(t('mod.settings.show.code'), meta.showJoinCode, { name: 'show_join_code' })
    this.flags = { anonymous_allowed: anon.input, private_anonymous: privAnon.input, show_join_code: showCode.input }
    for (const [key, input] of Object.entries(this.flags)) {
      input.addEventListener('change', () => {
        void fac.run('board.settings', { [key]: input.checked })
      })
    }
    const groupSet = h('fieldset', { class: 'mod-fieldset' }, h('legend', { text: t('mod.settings.groups') }))
    const offered = ctx.board.readMeta()?.groups ?? []
    for (const g of canvas.def.groups) {
      const box = h('input', {
        attrs: { type: 'checkbox', name: 'group', value: g.id, checked: offered.length === 0 || offered.includes(g.id) }
      })
      this.groups.push(box)
      groupSet.append(h('label', { class: 'mod-check' }, box, tx(g.label)))
    }
    const settings = h(
      'div',
      { class: 'mod-grid' },
      h(
        'div',
        { class: 'mod-row mod-inline' },
        labelled(t('mod.settings.title'), this.title).row,
        button(t('mod.settings.save'), () => this.saveTitle())
      ),
      anon.row,
      privAnon.row,
      showCode.row,
      groupSet,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.settings.groups.save'), () => this.saveGroups())
      )
    )

    const label = h('input', {
      attrs: { type: 'text', name: 'snapshot-label', maxlength: 200, placeholder: t('mod.snapshot.placeholder') }
    })
    const snapshot = h(
      'div',
      { class: 'mod-row mod-inline' },
      labelled(t('mod.snapshot.label'), label).row,
      button(
        t('mod.snapshot.save'),
        async () => {
          const res = await fac.run('snapshot.create', { label: label.value.trim() })
          if (res) {
            ctx.toasts.show(tn('mod.snapshot.saved', res.notes))
            label.value = ''
          }
        },
        { 'data-snapshot': '' }
      )
    )

    this.el = section(
      'settings',
      t('mod.settings.heading'),
      false,
      h(
        'div',
        { class: 'mod-buttons' },
        button(t('mod.projector.open'), () => this.openProjector(), { 'data-projector': 'open' }),
        button(t('mod.projector.on'), onProjector, { 'data-projector': 'on' })
      ),
      this.projectorBox,
      h('h4', { class: 'mod-sub', text: t('mod.join.title') }),
      this.joinBox,
      h('h4', { class: 'mod-sub', text: t('mod.link.title') }),
      rotate,
      h('h4', { class: 'mod-sub', text: t('mod.snapshot.title') }),
      snapshot,
      h('h4', { class: 'mod-sub', text: t('mod.settings.title.section') }),
      settings
    )
    this.update()
  }

  update(): void {
    const { fac, board } = this.ctx
    if (document.activeElement !== this.title) this.title.value = board.readMeta()?.title ?? ''
    const meta = readMetaFlags(board.meta)
    this.flags.anonymous_allowed.checked = meta.anonymousAllowed
    this.flags.private_anonymous.checked = meta.privateAnonymous
    this.flags.show_join_code.checked = meta.showJoinCode
    if (fac.joinCode === this.shownCode && fac.joinCodeExpiresAt === this.shownExpiry) return
    this.shownCode = fac.joinCode
    this.shownExpiry = fac.joinCodeExpiresAt
    clear(this.joinBox)
    const rotate = h(
      'div',
      { class: 'mod-buttons' },
      button(t('mod.join.rotate'), () => this.rotateCode(), { 'data-join-rotate': '' })
    )
    if (!fac.joinCode) {
      this.joinBox.append(h('p', { class: 'hint', text: t('mod.join.none') }), rotate)
      return
    }
    const link = joinLink(window.location.origin, fac.boardId, fac.joinCode)
    const expires = fac.joinCodeExpiresAt
    this.joinBox.append(h('p', {}, t('projector.code'), ' ', h('strong', { class: 'join-code', text: fac.joinCode })))
    if (expires) {
      const time = new Date(expires - fac.clock.offset()).toLocaleString()
      this.joinBox.append(h('p', { class: 'hint mod-join-expires', text: t('mod.join.expires', { time }) }))
    }
    this.joinBox.append(linkLine(this.ctx, link, t('mod.join.link')), rotate)
  }

  /**
   * Open the projector link in a new window. The window opens at once (a popup opened after
   * an await would be blocked); the token is the one this device made before while it still
   * works, else a new projector link (an older projector link then stops working).
   */
  private async openProjector(): Promise<void> {
    const { fac } = this.ctx
    const win = window.open('', '_blank')
    const token = await this.projectorToken()
    if (!token) {
      win?.close()
      return
    }
    const link = `${window.location.origin}/b/${encodeURIComponent(fac.boardId)}#k=${token}`
    if (win) {
      win.opener = null
      win.location.href = link
    }
    clear(this.projectorBox)
    this.projectorBox.append(linkLine(this.ctx, link, t('mod.projector.link')))
  }

  private async projectorToken(): Promise<string | null> {
    const { fac } = this.ctx
    const key = storageKeys.projectorToken(fac.boardId)
    const kept = readStored(key, (v): v is string => typeof v === 'string')
    if (kept && (await roleOfToken(fac.boardId, kept)) === 'projector') return kept
    const res = await fac.run('link.rotate', { role: 'projector' })
    if (!res) return null
    writeStored(key, res.token)
    return res.token
  }

  private async rotateCode(): Promise<void> {
    if (!window.confirm(t('mod.join.rotate.confirm'))) return
    const res = await this.ctx.fac.run('join.rotate', {})
    if (!res) return
    this.ctx.fac.setJoinCode(res.join_code ?? null, res.join_code_expires_at ?? null)
    this.ctx.fac.changed.emit()
  }

  private async saveTitle(): Promise<void> {
    const title = this.title.value.trim()
    if (!title) return
    const res = await this.ctx.fac.run('board.settings', { title })
    if (res) this.ctx.toasts.show(t('mod.settings.saved'))
  }

  private async saveGroups(): Promise<void> {
    const groups = this.groups.filter((b) => b.checked).map((b) => b.value)
    const res = await this.ctx.fac.run('board.settings', { groups })
    if (res) this.ctx.toasts.show(t('mod.settings.saved'))
  }

  private async rotate(role: Role): Promise<void> {
    if (!window.confirm(t('mod.link.confirm', { role: t(`role.${role}`) }))) return
    const res = await this.ctx.fac.run('link.rotate', { role })
    if (!res) return
    const { fac } = this.ctx
    if (res.join_code) {
      fac.setJoinCode(res.join_code, res.join_code_expires_at ?? null)
      fac.changed.emit()
    }
    if (role === 'projector') writeStored(storageKeys.projectorToken(fac.boardId), res.token)
    const link = `${window.location.origin}/b/${encodeURIComponent(fac.boardId)}#k=${res.token}`
    clear(this.rotated)
    this.rotated.append(
      h('p', { class: 'mod-status', text: t('mod.link.done', { role: t(`role.${role}`) }) }),
      linkLine(this.ctx, link, t('mod.link.new', { role: t(`role.${role}`) }))
    )
    if (role === 'participant') this.rotated.append(h('figure', { class: 'mod-qr' }, qrSvg(link, t('landing.qr.alt'))))
    // this page's own link changed: reconnect and reload with the new one
    if (role === 'moderator') fac.onOwnToken(res.token)
  }
}

function linkLine(ctx: Ctx, link: string, label: string): HTMLElement {
  const input = h('input', {
    class: 'link-input',
    attrs: { type: 'text', readonly: true, value: link, 'aria-label': label }
  })
  const copy = button(t('landing.copy'), async () => {
    try {
      await navigator.clipboard.writeText(link)
      ctx.toasts.show(t('landing.copied'))
    } catch {
      input.focus()
      input.select()
      ctx.toasts.show(t('landing.copy.failed'))
    }
  })
  return h('div', { class: 'link-line' }, input, copy)
}
