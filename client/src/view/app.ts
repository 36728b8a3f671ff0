// The board page: header with title, connection state and tools; the canvas or the list
// view; presence; messages. Rebuilt whole when the language or the role changes.
import { PHONE_MAX_WIDTH } from '../config'
import { type Locale, LOCALES, locale, t, tx } from '../i18n'
import { readFocus } from '../model/control'
import type { Role } from '../sync/appmsg'
import type { BoardApi, Diff, SnapshotInfo } from '../sync/rest'
import type { Status } from '../sync/status'
import type { Ctx } from './actions'
import { BoardCanvas, type DiffMark } from './canvas'
import { h, isEditable, setText } from './dom'
import { helpDialog } from './dialogs'
import { openExport } from './exportmenu'
import { openHistory } from './history'
import { closeAllModals, type FollowUpDeps, requestError } from './restore'
import { title as snapTitle } from './snapshotlabel'
import { ListView } from './listview'
import { LogPanel } from './logpanel'
import { ModPanel } from './modpanel'
import type { View } from './panzoom'
import { PresencePanel } from './presence'
import { ProjectorBand } from './projector'
import { TimerBar } from './timerbar'
import { VoteBanner } from './votebanner'

export interface Prefs {
  cursors: boolean
  list: boolean
  /** End-of-time tone (off unless switched on). */
  sound?: boolean
  /** Moderator panel shown. */
  modpanel?: boolean
  /** Projector band shown on viewer links. */
  band?: boolean
}

export interface AppDeps {
  ctx: Ctx
  title: () => string
  role: () => Role
  onLocale: (l: Locale) => void
  onProfile: (() => void) | null
  prefs: Prefs
  savePrefs: (p: Prefs) => void
  /** Projector mode (viewer links, or the moderator's toggle): read-only, large, timer, QR. */
  projector: boolean
  /** The moderator switches projector mode on or off (null for other roles). */
  onProjector: ((on: boolean) => void) | null
  /** REST for snapshots, compare, restore as a copy and exports. */
  api: BoardApi
}

export class BoardApp {
  readonly el: HTMLElement
  readonly canvas: BoardCanvas
  readonly list: ListView
  private readonly presence: PresencePanel
  private readonly deps: AppDeps
  private readonly statusEl: HTMLElement
  private readonly statusText: HTMLElement
  private readonly fatalEl: HTMLElement
  private readonly zoomLevel: HTMLElement
  private readonly presenceBtn: HTMLButtonElement
  private readonly viewBtns: { canvas: HTMLButtonElement, list: HTMLButtonElement }
  private readonly phoneSelect: HTMLSelectElement
  private readonly titleEl: HTMLElement
  private readonly timerBar: TimerBar | null
  private readonly band: ProjectorBand | null
  private readonly modPanel: ModPanel | null
  private readonly modBtn: HTMLButtonElement | null
  private readonly logPanel: LogPanel
  private readonly logBtn: HTMLButtonElement
  private readonly voteBanner: VoteBanner
  private readonly noticeEl: HTMLElement
  private online = false
  private readonly cleanups: Array<() => void> = []

  constructor (deps: AppDeps) {
    this.deps = deps
    const { ctx } = deps
    this.canvas = new BoardCanvas(ctx)
    this.list = new ListView(ctx, (id) => {
      this.setView('canvas')
      this.canvas.focusNote(id)
    })
    this.presence = new PresencePanel(ctx)
    const readOnly = ctx.readOnly()
    const goto = (id: string): void => {
      this.setView('canvas')
      this.canvas.focusNote(id)
    }
    const sound = {
      sound: () => deps.prefs.sound === true,
      setSound: (on: boolean) => {
        deps.prefs.sound = on
        deps.savePrefs({ ...deps.prefs })
      }
    }
    this.timerBar = deps.projector ? null : new TimerBar(ctx, sound)
    this.band = deps.projector ? new ProjectorBand(ctx, sound) : null
    if (this.band && deps.role() === 'viewer' && deps.prefs.band === false) this.band.el.hidden = true
    this.modPanel = deps.role() === 'moderator' && !deps.projector
      ? new ModPanel(ctx, { onGoto: goto, onProjector: () => deps.onProjector?.(true) })
      : null
    this.logPanel = new LogPanel(ctx)
    this.voteBanner = new VoteBanner(ctx, goto)

    this.statusText = h('span', { class: 'status-text' })
    this.statusEl = h('p', { class: 'conn', attrs: { role: 'status', 'aria-label': t('status.label') } },
      h('span', { class: 'conn-dot', attrs: { 'aria-hidden': 'true' } }), this.statusText)
    this.titleEl = h('h1', { class: 'board-title', attrs: { dir: 'auto' } })
    const roleBadge = h('span', { class: `role-badge role-${deps.role()}`, text: t(`role.${deps.role()}`) })

    const btn = (label: string, onClick: () => void, opts: { cls?: string, text?: string, attrs?: Record<string, string> } = {}): HTMLButtonElement =>
      // symbol-only buttons get the label as their name; text buttons keep their visible text
      // as the name (WCAG 2.5.3) and show the longer label as a tooltip
      h('button', {
        class: `btn btn-small ${opts.cls ?? ''}`,
        text: opts.text ?? label,
        attrs: { type: 'button', 'aria-label': opts.text && opts.text.length <= 2 ? label : null, title: label, ...opts.attrs },
        on: { click: onClick }
      })

    this.viewBtns = {
      canvas: btn(t('toolbar.view.canvas'), () => this.setView('canvas'), { attrs: { 'aria-pressed': 'true' } }),
      list: btn(t('toolbar.view.list'), () => this.setView('list'), { attrs: { 'aria-pressed': 'false', 'aria-controls': 'listview' } })
    }
    this.zoomLevel = h('output', { class: 'zoom-level', attrs: { 'aria-live': 'off' } })
    const cursorsBox = h('input', { attrs: { type: 'checkbox', checked: deps.prefs.cursors, id: 'cursors-toggle' } })
    cursorsBox.addEventListener('change', () => {
      this.canvas.cursors.setVisible(cursorsBox.checked)
      deps.prefs.cursors = cursorsBox.checked
      deps.savePrefs({ ...deps.prefs })
    })
    this.canvas.cursors.setVisible(deps.prefs.cursors)
    this.presenceBtn = btn(t('toolbar.presence', { count: 1 }), () => this.togglePresence(), { attrs: { 'aria-expanded': 'false', 'aria-controls': 'presence' } })
    const langSel = h('select', { attrs: { 'aria-label': t('lang.switch'), id: 'ui-lang' } },
      ...LOCALES.map((l) => h('option', { text: t(`lang.${l}`), attrs: { value: l, selected: l === locale() } })))
    langSel.addEventListener('change', () => deps.onLocale(langSel.value === 'en' ? 'en' : 'de'))

    const toolbar = h('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': t('toolbar.label') } },
      h('div', { class: 'tool-group', attrs: { role: 'group', 'aria-label': t('toolbar.view.label') } }, this.viewBtns.canvas, this.viewBtns.list),
      h('div', { class: 'tool-group zoom-tools' },
        btn(t('toolbar.zoom.out'), () => this.canvas.pz.zoom(1 / 1.25), { text: '−' }),
        this.zoomLevel,
        btn(t('toolbar.zoom.in'), () => this.canvas.pz.zoom(1.25), { text: '+' }),
        btn(t('toolbar.zoom.fit.hint'), () => this.canvas.pz.fit(), { text: t('toolbar.zoom.fit'), attrs: { 'data-action': 'fit' } })),
      h('label', { class: 'tool-check' }, cursorsBox, t('toolbar.cursors')),
      this.presenceBtn,
      readOnly ? null : h('div', { class: 'tool-group' },
        btn(t('toolbar.undo'), () => ctx.actions.undo(), { text: '↶' }),
        btn(t('toolbar.redo'), () => ctx.actions.redo(), { text: '↷' })),
      langSel,
      deps.onProfile ? btn(t('join.change.label'), deps.onProfile, { text: t('join.change') }) : null,
      btn(t('toolbar.help'), () => this.openHelp(), { text: '?' }))
    this.logBtn = btn(t('toolbar.log'), () => this.toggleLog(), { attrs: { 'aria-expanded': 'false', 'aria-controls': 'log' } })
    toolbar.insertBefore(this.logBtn, langSel)
    toolbar.insertBefore(btn(t('toolbar.history.hint'), () => openHistory(this.followUp()), { text: t('toolbar.history'), attrs: { 'data-open': 'history', 'aria-haspopup': 'dialog' } }), langSel)
    toolbar.insertBefore(btn(t('toolbar.export.hint'), () => openExport({ api: deps.api, canvas: ctx.canvas, snapshot: null }), { text: t('toolbar.export'), attrs: { 'data-open': 'export', 'aria-haspopup': 'dialog' } }), langSel)
    this.modBtn = this.modPanel
      ? btn(t('toolbar.mod'), () => this.toggleMod(), { cls: 'btn-mod', attrs: { 'aria-expanded': 'true', 'aria-controls': 'modpanel' } })
      : null
    if (this.modBtn) toolbar.prepend(this.modBtn)
    if (deps.projector && deps.onProjector) {
      const off = deps.onProjector
      toolbar.prepend(btn(t('mod.projector.off'), () => off(false), { cls: 'btn-mod', attrs: { 'data-projector': 'off' } }))
    }
    const band = this.band
    const banner = readOnly && deps.role() === 'viewer' ? h('p', { class: 'banner', text: t('role.viewer.banner') }) : null
    // on a projector the band says enough; the read-only note shows without it
    if (banner && band) banner.hidden = !band.el.hidden
    if (band && deps.role() === 'viewer') {
      const bandBtn: HTMLButtonElement = btn(t('toolbar.band'), () => {
        band.el.hidden = !band.el.hidden
        if (banner) banner.hidden = !band.el.hidden
        bandBtn.setAttribute('aria-pressed', String(!band.el.hidden))
        deps.prefs.band = !band.el.hidden
        deps.savePrefs({ ...deps.prefs })
        requestAnimationFrame(() => this.canvas.pz.fit())
      }, { attrs: { 'aria-pressed': String(!band.el.hidden), 'aria-controls': 'projector-band' } })
      toolbar.insertBefore(bandBtn, langSel)
    }

    this.fatalEl = h('div', { class: 'fatal', hidden: true, attrs: { role: 'alert' } })
    this.noticeEl = h('div', { class: 'notice', attrs: { role: 'status' } })
    this.phoneSelect = h('select', { attrs: { 'aria-label': t('toolbar.field') } },
      ...ctx.canvas.orderedFields().map((f) => h('option', { text: `${f.id} ${f.label[locale()] || f.label.de}`, attrs: { value: f.id } })))
    this.phoneSelect.addEventListener('change', () => this.canvas.setPhoneField(this.phoneSelect.value))
    const phoneNav = h('nav', { class: 'phone-nav', attrs: { 'aria-label': t('toolbar.field') } },
      btn(t('toolbar.field.prev'), () => { this.phoneSelect.value = this.canvas.stepPhoneField(-1) }, { text: '‹' }),
      this.phoneSelect,
      btn(t('toolbar.field.next'), () => { this.phoneSelect.value = this.canvas.stepPhoneField(1) }, { text: '›' }))

    const header = h('header', { class: 'topbar' },
      h('a', { class: 'skip-link', text: t('app.skip'), attrs: { href: '#canvas' } }),
      this.modPanel ? h('a', { class: 'skip-link', text: t('app.skip.mod'), attrs: { href: '#modpanel' } }) : null,
      h('div', { class: 'title-row' },
        h('p', { class: 'brand' }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'sr-only', text: t('app.name') })),
        this.titleEl, roleBadge, this.statusEl),
      this.timerBar?.el ?? null,
      toolbar)
    const main = h('main', { class: 'board-main', id: 'main' }, this.canvas.el, this.list.el, this.modPanel?.el ?? null, this.band?.el ?? null)
    // on a phone the panel would cover the board: closed until opened there
    const phone = window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`).matches
    if (this.modPanel && (deps.prefs.modpanel === false || (phone && deps.prefs.modpanel !== true))) this.setModOpen(false, false)
    this.el = h('div', { class: `board-app ${readOnly ? 'readonly' : ''} ${deps.projector ? 'projector' : ''}` },
      header, banner, this.voteBanner.el, this.fatalEl, this.noticeEl, phoneNav, main, this.presence.el, this.logPanel.el, this.voteBanner.panel, ctx.toasts.el)

    this.canvas.pz.onChange((v) => setText(this.zoomLevel, t('toolbar.zoom.level', { percent: Math.round(v.scale * 100) })))
    const onKey = (e: KeyboardEvent): void => this.onGlobalKey(e)
    window.addEventListener('keydown', onKey)
    this.cleanups.push(() => window.removeEventListener('keydown', onKey))
    const mq = window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`)
    const onMq = (): void => this.setPhone(mq.matches)
    mq.addEventListener('change', onMq)
    this.cleanups.push(() => mq.removeEventListener('change', onMq))
    this.setPhone(mq.matches)
    this.updateTitle()
    if (deps.prefs.list) this.setView('list')
  }

  /** Call once the element is in the document. */
  start (view: View | null): void {
    this.canvas.render()
    this.canvas.renderPrivate()
    if (view) this.canvas.pz.set(view)
    else requestAnimationFrame(() => this.canvas.pz.fit())
    this.renderPresence()
    this.deps.ctx.fac.focus.reset()
    requestAnimationFrame(() => this.onControl())
  }

  destroy (): void {
    void closeAllModals()
    for (const c of this.cleanups) c()
    this.timerBar?.destroy()
    this.band?.destroy()
    this.modPanel?.destroy()
    this.el.remove()
  }

  /** `control` changed: locks, private writing, focus, votes, timer, log. */
  onControl (): void {
    this.canvas.renderControl()
    this.list.schedule()
    this.timerBar?.update()
    this.band?.update()
    this.modPanel?.update()
    this.logPanel.render()
    this.voteBanner.update()
    const jump = this.deps.ctx.fac.focus.update(readFocus(this.deps.ctx.board.control))
    if (jump) this.jumpTo(jump.field, jump.initial)
  }

  /** `meta` changed (title, settings). */
  onMeta (): void {
    this.updateTitle()
    this.modPanel?.update()
  }

  /** This person's dots changed. */
  onBallot (): void {
    this.canvas.renderVotes()
    this.voteBanner.update()
  }

  /** This person's private notes changed. */
  onPrivate (): void {
    this.canvas.renderPrivate()
    this.list.schedule()
  }

  /** Join code or board id known (hello). */
  onFacilitation (): void {
    this.band?.update()
    this.modPanel?.update()
  }

  /** Notes changed. */
  onNotes (): void {
    this.modPanel?.changed()
    this.voteBanner.update()
  }

  /** The moderator's focus: show the field; people can go back to where they were. */
  private jumpTo (field: string | null, initial: boolean): void {
    const { ctx } = this.deps
    const before = this.canvas.pz.view
    const f = field ? ctx.canvas.field(field) : undefined
    if (this.list.visible && !this.deps.projector) {
      if (f) ctx.toasts.show(t('focus.moved.list', { field: `${f.id} ${tx(f.label)}` }))
      return
    }
    this.canvas.showField(field, !initial)
    if (f && !initial && !this.deps.projector && !ctx.moderator()) {
      ctx.toasts.show(t('focus.moved', { field: `${f.id} ${tx(f.label)}` }), {
        action: { label: t('focus.back'), run: () => this.canvas.pz.animateTo(before) },
        ms: 12000
      })
    }
  }

  /** What the history, snapshot, compare and restore dialogs need from this page. */
  private followUp (): FollowUpDeps {
    return {
      ctx: this.deps.ctx,
      api: this.deps.api,
      title: this.deps.title,
      onRestored: (info, before) => this.onRestored(info, before),
      onMark: (diff, from) => this.markDiff(diff, from)
    }
  }

  /** A line under the header with buttons (restore done and undo, marks on the canvas). */
  private notice (text: string, actions: Array<{ label: string, key: string, run: () => void }> = []): void {
    const buttons = actions.map((a) => h('button', { class: 'btn btn-small', text: a.label, attrs: { type: 'button', 'data-notice': a.key }, on: { click: a.run } }))
    const close = h('button', { class: 'btn btn-small btn-ghost', text: '×', attrs: { type: 'button', 'aria-label': t('app.close'), 'data-notice': 'close' }, on: { click: () => this.clearNotice() } })
    this.noticeEl.replaceChildren(h('p', { class: 'notice-text', text }), ...buttons, close)
    // keyboard users land where the next step is (the dialogs that led here are closed)
    const next = buttons[0] ?? close
    next.focus()
  }

  private clearNotice (): void {
    const hadFocus = this.noticeEl.contains(document.activeElement)
    this.noticeEl.replaceChildren()
    this.canvas.markDiff(null)
    if (hadFocus) this.canvas.el.focus()
  }

  /** This moderator restored a snapshot in place: say so, and offer to go back. */
  private onRestored (info: SnapshotInfo, before: string): void {
    const { ctx } = this.deps
    const name = snapTitle(ctx.canvas, info)
    this.canvas.markDiff(null)
    this.notice(t('restore.done', { name }), [{
      label: t('restore.undo'),
      key: 'undo',
      run: () => {
        setText(this.noticeEl.querySelector('.notice-text') ?? this.noticeEl, t('restore.undo.busy'))
        ctx.fac.app.request('snapshot.restore', { sid: before })
          .then(() => this.notice(t('restore.undone', { name })))
          .catch((err: unknown) => this.notice(requestError('snapshot.restore', err), [{ label: t('restore.undo'), key: 'undo', run: () => this.onRestored(info, before) }]))
      }
    }])
  }

  /** Mark what changed since a snapshot on the live canvas. */
  private markDiff (diff: Diff, from: SnapshotInfo): void {
    const marks = new Map<string, DiffMark>()
    for (const n of diff.added) marks.set(n.id, 'added')
    for (const c of diff.changed) marks.set(c.id, 'changed')
    this.setView('canvas')
    this.canvas.markDiff(marks)
    this.notice(t('diff.marked', { name: snapTitle(this.deps.ctx.canvas, from), added: diff.added.length, changed: diff.changed.length }),
      [{ label: t('diff.unmark'), key: 'unmark', run: () => this.clearNotice() }])
  }

  /** Someone else restored the board to a snapshot. */
  onRemoteRestore (): void {
    if (!this.deps.ctx.moderator()) this.deps.ctx.toasts.show(t('restore.remote'), { ms: 12000 })
  }

  private toggleLog (): void {
    const show = this.logPanel.el.hidden
    this.logPanel.el.hidden = !show
    this.logBtn.setAttribute('aria-expanded', String(show))
    if (show) this.logPanel.render(true)
  }

  private toggleMod (): void {
    if (!this.modPanel) return
    this.setModOpen(this.modPanel.el.hidden !== false)
  }

  private setModOpen (open: boolean, save = true): void {
    if (!this.modPanel) return
    this.modPanel.el.hidden = !open
    this.modBtn?.setAttribute('aria-expanded', String(open))
    if (save && this.deps.prefs.modpanel !== open) {
      this.deps.prefs.modpanel = open
      this.deps.savePrefs({ ...this.deps.prefs })
    }
  }

  updateTitle (): void {
    setText(this.titleEl, this.deps.title())
    document.title = `${this.deps.title() || t('app.name')} – ${t('app.name')}`
  }

  renderPresence (): void {
    this.canvas.renderRemote()
    this.modPanel?.changed()
    setText(this.presenceBtn, t('toolbar.presence', { count: this.presence.count() }))
    if (!this.presence.el.hidden) this.presence.render(this.online)
  }

  setStatus (s: Status): void {
    this.online = s.connection === 'synced' || s.connection === 'syncing'
    this.statusEl.dataset.state = s.connection
    const long = s.connection === 'offline'
      ? t('status.offline')
      : s.connection === 'connecting'
        ? (s.transient ? transientText(s.transient.code) : t('status.connecting'))
        : s.connection === 'syncing' ? t('status.syncing') : t('status.synced')
    const short = s.connection === 'offline' ? t('status.offline.short') : s.connection === 'synced' ? t('status.synced.short') : long
    setText(this.statusText, short)
    this.statusEl.title = s.localReady ? `${long} · ${t('status.local')}` : long
    if (s.fatal) this.showFatal(s.fatal.code)
  }

  showFatal (code: number): void {
    const rotated = code === 4403 && this.deps.ctx.fac.linkRotated
    this.showFatalText(rotated ? t('error.rotated') : fatalText(code))
  }

  showFatalText (text: string): void {
    this.fatalEl.hidden = false
    this.fatalEl.replaceChildren(
      h('p', { text }),
      h('button', { class: 'btn btn-primary', text: t('app.reload'), attrs: { type: 'button' }, on: { click: () => window.location.reload() } }))
  }

  view (): View {
    return this.canvas.pz.view
  }

  private setPhone (on: boolean): void {
    document.body.classList.toggle('phone', on)
    this.canvas.pz.enabled = !on
    this.canvas.pz.apply()
    if (on) this.phoneSelect.value = this.canvas.currentPhoneField()
    else requestAnimationFrame(() => this.canvas.pz.fit())
  }

  private setView (v: 'canvas' | 'list'): void {
    const list = v === 'list'
    this.list.el.hidden = !list
    this.canvas.el.hidden = list
    this.viewBtns.canvas.setAttribute('aria-pressed', String(!list))
    this.viewBtns.list.setAttribute('aria-pressed', String(list))
    this.deps.prefs.list = list
    this.deps.savePrefs({ ...this.deps.prefs })
    if (list) {
      this.list.render()
      this.list.el.focus()
    }
  }

  private togglePresence (): void {
    const show = this.presence.el.hidden
    this.presence.el.hidden = !show
    this.presenceBtn.setAttribute('aria-expanded', String(show))
    if (show) this.presence.render(this.online)
  }

  private openHelp (): void {
    const dlg = helpDialog()
    document.body.append(dlg)
    dlg.showModal()
  }

  private onGlobalKey (e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey
    if (mod && !e.altKey && (e.key === 'z' || e.key === 'Z' || e.key === 'y')) {
      if (this.deps.ctx.readOnly()) return
      e.preventDefault()
      if (e.key === 'y' || e.shiftKey) this.deps.ctx.actions.redo()
      else this.deps.ctx.actions.undo()
      return
    }
    if (mod || e.altKey || isEditable(e.target) || document.querySelector('dialog[open]')) return
    const pz = this.canvas.pz
    switch (e.key) {
      case '+':
      case '=':
        pz.zoom(1.25)
        break
      case '-':
        pz.zoom(1 / 1.25)
        break
      case '0':
        pz.fit()
        break
      case 'l':
      case 'L':
        this.setView(this.list.visible ? 'canvas' : 'list')
        break
      case '?':
        this.openHelp()
        break
      default:
        return
    }
    e.preventDefault()
  }
}

function fatalText (code: number): string {
  switch (code) {
    case 4400: return t('error.4400')
    case 4401: return t('error.4401')
    case 4403: return t('error.4403')
    case 4404: return t('error.4404')
    case 4413: return t('error.4413')
    default: return t('error.other', { code })
  }
}

function transientText (code: number): string {
  switch (code) {
    case 4501: return t('transient.4501')
    case 4502: return t('transient.4502')
    case 4503: return t('transient.4503')
    default: return t('status.retry')
  }
}
