// The moderator's control panel, beside the canvas: time and agenda, fields (locks, private
// writing, focus), dot voting, participation balance, links and settings. Only built for
// the moderator role; the server refuses these commands from anyone else anyway.
import { t } from '../i18n'
import type { Ctx } from './actions'
import { h } from './dom'
import { ModBalance } from './modbalance'
import { ModFields } from './modfields'
import { ModPush } from './modpush'
import { ModSettings } from './modsettings'
import { ModTime } from './modtime'
import { ModVote } from './modvote'

export interface ModPanelDeps {
  onGoto: (noteId: string) => void
  onProjector: () => void
}

export class ModPanel {
  readonly el: HTMLElement
  private readonly time: ModTime
  private readonly fields: ModFields
  private readonly vote: ModVote
  private readonly push: ModPush
  private readonly balance: ModBalance
  private readonly settings: ModSettings
  private readonly interval: ReturnType<typeof setInterval>

  constructor(ctx: Ctx, deps: ModPanelDeps) {
    this.time = new ModTime(ctx)
    this.fields = new ModFields(ctx)
    this.vote = new ModVote(ctx, deps.onGoto)
    this.push = new ModPush(ctx)
    this.balance = new ModBalance(ctx)
    this.settings = new ModSettings(ctx, deps.onProjector)
    this.el = h(
      'aside',
      { class: 'modpanel', id: 'modpanel', attrs: { 'aria-labelledby': 'modpanel-h', tabindex: -1 } },
      h('h2', { id: 'modpanel-h', class: 'modpanel-title', text: t('mod.title') }),
      this.time.el,
      this.fields.el,
      this.vote.el,
      this.push.el,
      this.balance.el,
      this.settings.el
    )
    this.interval = setInterval(() => {
      if (!this.el.hidden) this.time.tick()
    }, 1000)
  }

  /** `control` or `meta` changed. */
  update(): void {
    this.time.update()
    this.fields.update()
    this.vote.update()
    this.push.update()
    this.settings.update()
    this.balance.schedule()
  }

  /** Notes or presence changed. */
  changed(): void {
    this.balance.schedule()
  }

  destroy(): void {
    clearInterval(this.interval)
    this.el.remove()
  }
}
