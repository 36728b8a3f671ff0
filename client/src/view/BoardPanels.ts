// The panels around the board and the toolbar buttons that show and hide them: who is here,
// the activity log, the moderator's panel and, on viewer links, the projector band.
import { PHONE_MAX_WIDTH } from '../config'
import { t } from '../i18n'
import { readOnlyRole } from '../sync/appmsg'
import type { AppDeps } from './app'
import { h, setText } from './dom'
import { LogPanel } from './logpanel'
import { ModPanel } from './modpanel'
import { PresencePanel } from './presence'
import { ProjectorBand } from './projector'
import type { TimerBarOptions } from './timerbar'
import { type PanelButtons, toolButton } from './toolbar'

export interface PanelDeps {
  app: AppDeps
  /** The end-of-time tone, switched on or off in the band. */
  sound: Omit<TimerBarOptions, 'large'>
  /** Show a note on the canvas (moderator panel). */
  onGoto: (noteId: string) => void
  /** Fit the canvas again after the band changed the space it has. */
  fit: () => void
  online: () => boolean
}

export class BoardPanels {
  readonly presence: PresencePanel
  readonly log: LogPanel
  readonly mod: ModPanel | null
  readonly band: ProjectorBand | null
  /** The read-only note for viewers; the band says enough while it shows. */
  readonly banner: HTMLElement | null
  readonly buttons: PanelButtons
  private readonly app: AppDeps
  private readonly online: () => boolean

  constructor(deps: PanelDeps) {
    const { app } = deps
    const { ctx } = app
    this.app = app
    this.online = deps.online
    this.presence = new PresencePanel(ctx)
    const exit = app.role() === 'moderator' ? () => app.onProjector?.(false) : null
    this.band = app.projector ? new ProjectorBand(ctx, deps.sound, exit) : null
    // a projector screen has no toolbar to show the band again (P290): there it always shows
    if (this.band && !app.screen && readOnlyRole(app.role()) && app.prefs.band === false) this.band.el.hidden = true
    this.mod =
      app.role() === 'moderator' && !app.projector
        ? new ModPanel(ctx, { onGoto: deps.onGoto, onProjector: () => app.onProjector?.(true) })
        : null
    this.log = new LogPanel(ctx)

    const band = this.band
    const banner =
      ctx.readOnly() && readOnlyRole(app.role())
        ? h('p', { class: 'banner', text: t(`role.${app.role() === 'projector' ? 'projector' : 'viewer'}.banner`) })
        : null
    // on a projector the band says enough; the read-only note shows without it
    if (banner && band) banner.hidden = !band.el.hidden
    this.banner = banner
    let bandBtn: HTMLButtonElement | null = null
    if (band && readOnlyRole(app.role())) {
      const btn: HTMLButtonElement = toolButton(
        t('toolbar.band'),
        () => {
          band.el.hidden = !band.el.hidden
          if (banner) banner.hidden = !band.el.hidden
          btn.setAttribute('aria-pressed', String(!band.el.hidden))
          app.prefs.band = !band.el.hidden
          app.savePrefs({ ...app.prefs })
          requestAnimationFrame(() => deps.fit())
        },
        { attrs: { 'aria-pressed': String(!band.el.hidden), 'aria-controls': 'projector-band' } }
      )
      bandBtn = btn
    }
    this.buttons = {
      mod: this.mod
        ? toolButton(t('toolbar.mod'), () => this.toggleMod(), {
            cls: 'btn-mod',
            attrs: { 'aria-expanded': 'true', 'aria-controls': 'modpanel' }
          })
        : null,
      presence: toolButton(t('toolbar.presence', { count: 1 }), () => this.togglePresence(), {
        attrs: { 'aria-expanded': 'false', 'aria-controls': 'presence' }
      }),
      log: toolButton(t('toolbar.log'), () => this.toggleLog(), {
        attrs: { 'aria-expanded': 'false', 'aria-controls': 'log' }
      }),
      band: bandBtn
    }
    // on a phone the panel would cover the board: closed until opened there
    const phone = window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`).matches
    if (this.mod && (app.prefs.modpanel === false || (phone && app.prefs.modpanel !== true)))
      this.setModOpen(false, false)
  }

  /** Someone joined, left or changed: the moderator's overview, the count, the list. */
  renderPresence(): void {
    this.mod?.changed()
    setText(this.buttons.presence, t('toolbar.presence', { count: this.presence.count() }))
    if (!this.presence.el.hidden) this.presence.render(this.online())
  }

  destroy(): void {
    this.band?.destroy()
    this.mod?.destroy()
  }

  private togglePresence(): void {
    const show = this.presence.el.hidden
    this.presence.el.hidden = !show
    this.buttons.presence.setAttribute('aria-expanded', String(show))
    if (show) this.presence.render(this.online())
  }

  private toggleLog(): void {
    const show = this.log.el.hidden
    this.log.el.hidden = !show
    this.buttons.log.setAttribute('aria-expanded', String(show))
    if (show) this.log.render(true)
  }

  private toggleMod(): void {
    if (!this.mod) return
    this.setModOpen(this.mod.el.hidden !== false)
  }

  private setModOpen(open: boolean, save = true): void {
    if (!this.mod) return
    this.mod.el.hidden = !open
    this.buttons.mod?.setAttribute('aria-expanded', String(open))
    if (save && this.app.prefs.modpanel !== open) {
      this.app.prefs.modpanel = open
      this.app.savePrefs({ ...this.app.prefs })
    }
  }
}
