// Who is here: names, stakeholder groups and roles from awareness.
import { t, tx } from '../i18n'
import type { Ctx } from './actions'
import { clear, h } from './dom'

export class PresencePanel {
  readonly el: HTMLElement
  private readonly list: HTMLElement
  private readonly note: HTMLElement
  private readonly ctx: Ctx

  constructor(ctx: Ctx) {
    this.ctx = ctx
    this.list = h('ul', { class: 'presence-list' })
    this.note = h('p', { class: 'hint', hidden: true, text: t('presence.offline') })
    this.el = h(
      'aside',
      { class: 'panel presence', id: 'presence', hidden: true, attrs: { 'aria-labelledby': 'presence-h' } },
      h('h2', { id: 'presence-h', text: t('presence.title') }),
      this.note,
      this.list
    )
  }

  count(): number {
    return this.ctx.presence.peers().length + 1
  }

  render(online: boolean): void {
    this.note.hidden = online
    clear(this.list)
    const me = this.ctx.presence.self()
    const rows = []
    if (me) rows.push({ ...me.user, self: true })
    for (const p of this.ctx.presence.peers().sort((a, b) => a.user.name.localeCompare(b.user.name)))
      rows.push({ ...p.user, self: false })
    for (const u of rows) {
      const group = this.ctx.canvas.group(u.group)
      const role = u.role === 'moderator' || u.role === 'viewer' || u.role === 'projector' ? t(`role.${u.role}`) : ''
      const name = u.name || t('presence.guest')
      const li = h(
        'li',
        { class: 'presence-row' },
        h('span', { class: 'dot', attrs: { 'aria-hidden': 'true' } }),
        h('span', {
          class: 'presence-name',
          text: u.self ? t('presence.you', { name }) : name,
          attrs: { dir: 'auto' }
        }),
        group ? h('span', { class: 'presence-group', text: tx(group.label) }) : null,
        role ? h('span', { class: 'presence-role', text: role }) : null
      )
      const dot = li.firstElementChild
      if (dot instanceof HTMLElement) dot.style.background = u.color
      this.list.append(li)
    }
  }
}
