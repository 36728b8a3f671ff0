// The board page: header with title, connection state and tools; the canvas or the list
// view; panels; messages. Rebuilt whole when the language or the role changes.
import { type Locale, t, tx } from '../i18n'
import { readFocus } from '../model/control'
import type { Role } from '../sync/appTypes'
import type { BoardApi } from '../sync/rest'
import type { Status } from '../sync/status'
import type { Ctx } from './actions'
import { BoardPanels } from './BoardPanels'
import { onBoardKey } from './boardKeys'
import { ConnectionStatus } from './ConnectionStatus'
import { BoardCanvas } from './canvas'
import { FieldCounters, headingSlot, rowSlot } from './counters'
import { helpDialog } from './dialogs'
import { h, setText } from './dom'
import { DraftTray } from './drafts'
import { FocusPrompt, typingInNote } from './focusprompt'
import { openHistory } from './history'
import { watchTyping } from './keyGuard'
import { ListView } from './listview'
import { Minimap } from './minimap'
import { NoticeLine } from './NoticeLine'
import { PhoneNav } from './PhoneNav'
import type { View } from './panzoom'
import { PhoneHeader } from './phoneheader'
import { ProjectorStage } from './pushview'
import { closeAllModals } from './restore'
import { NoteSearch } from './search'
import { TimerBar } from './timerbar'
import { type BoardView, buildToolbar } from './toolbar'
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
  /** The overview (minimap) folded away. */
  minimapClosed?: boolean
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
  /** A screen for the room (the projector link, the moderator's projector mode): no
   * toolbar, no cursors, the stage instead of the canvas (P290). */
  screen: boolean
  /** The moderator switches projector mode on or off (null for other roles). */
  onProjector: ((on: boolean) => void) | null
  /** REST for snapshots, compare, restore as a copy and exports. */
  api: BoardApi
}

export class BoardApp {
  readonly el: HTMLElement
  readonly canvas: BoardCanvas
  readonly list: ListView
  private readonly deps: AppDeps
  private readonly conn: ConnectionStatus
  private readonly viewBtns: Record<BoardView, HTMLButtonElement>
  private readonly titleEl: HTMLElement
  private readonly timerBar: TimerBar | null
  private readonly stage: ProjectorStage | null
  private readonly panels: BoardPanels
  private readonly voteBanner: VoteBanner
  private readonly notice: NoticeLine
  private readonly phoneNav: PhoneNav
  private readonly search: NoteSearch
  private readonly counters: FieldCounters | null
  private readonly focusPrompt: FocusPrompt
  private readonly minimap: Minimap | null
  private readonly cleanups: Array<() => void> = []

  constructor(deps: AppDeps) {
    this.deps = deps
    const { ctx } = deps
    const goto = (id: string): void => {
      this.setView('canvas')
      this.canvas.focusNote(id)
      this.phoneNav.sync() // on a phone the note's field is shown now
    }
    this.canvas = new BoardCanvas(ctx)
    this.list = new ListView(ctx, goto)
    const sound = {
      sound: () => deps.prefs.sound === true,
      setSound: (on: boolean) => {
        deps.prefs.sound = on
        deps.savePrefs({ ...deps.prefs })
      }
    }
    this.timerBar = deps.projector ? null : new TimerBar(ctx, sound)
    this.panels = new BoardPanels({
      app: deps,
      sound,
      onGoto: goto,
      fit: () => this.canvas.pz.fit(),
      online: () => this.conn.online
    })
    this.voteBanner = new VoteBanner(ctx, goto, deps.projector)
    this.conn = new ConnectionStatus(() => ctx.fac.linkRotated)
    this.titleEl = h('h1', { class: 'board-title', attrs: { dir: 'auto' } })
    const roleBadge = h('span', { class: `role-badge role-${deps.role()}`, text: t(`role.${deps.role()}`) })
    this.notice = new NoticeLine(deps, this.canvas, () => this.setView('canvas'))
    const toolbar = buildToolbar({
      app: deps,
      canvas: this.canvas,
      panels: this.panels.buttons,
      setView: (v) => this.setView(v),
      openHistory: () => openHistory(this.notice.followUp()),
      openHelp: () => this.openHelp()
    })
    this.viewBtns = toolbar.viewBtns
    // a projector (P290): no toolbar, no one's cursor, the stage for pushes and the focus
    this.stage = deps.screen ? new ProjectorStage(ctx, sound, () => this.onStage()) : null
    if (deps.screen) {
      this.canvas.cursors.setEnabled(false)
      // the stage shows instead: the canvas at projector size is unreadable (P290)
      this.canvas.el.hidden = true
      this.canvas.el.inert = true
    }
    const phoneNav = new PhoneNav(ctx, this.canvas)
    this.phoneNav = phoneNav
    this.search = new NoteSearch(ctx, () => main, goto)
    this.focusPrompt = new FocusPrompt(ctx, (field) => this.showFocus(field))
    this.minimap = deps.projector
      ? null
      : new Minimap({
          canvas: this.canvas,
          model: ctx.canvas,
          open: deps.prefs.minimapClosed !== true,
          onToggle: (open) => {
            deps.prefs.minimapClosed = !open
            deps.savePrefs({ ...deps.prefs })
          }
        })
    if (this.minimap) {
      const minimap = this.minimap
      this.canvas.el.append(minimap.el)
      this.canvas.pz.covers = () => [minimap.el.getBoundingClientRect()]
      // folded for a view that it would cover, it stays open in the person's settings
      this.canvas.pz.overview = { cover: (port) => minimap.cover(port), fold: () => minimap.setOpen(false) }
      this.cleanups.push(() => minimap.destroy())
    }
    const tray = deps.projector ? null : new DraftTray(ctx)
    if (tray) this.cleanups.push(() => tray.destroy())
    const { mod, band, banner, presence, log } = this.panels
    this.counters =
      mod && !deps.projector ? new FieldCounters(ctx, [headingSlot(this.canvas.content), rowSlot(mod.el)]) : null

    const header = h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'skip-link', text: t('app.skip'), attrs: { href: '#canvas' } }),
      mod ? h('a', { class: 'skip-link', text: t('app.skip.mod'), attrs: { href: '#modpanel' } }) : null,
      h(
        'div',
        { class: 'title-row' },
        h(
          'p',
          { class: 'brand' },
          h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'sr-only', text: t('app.name') })
        ),
        this.titleEl,
        roleBadge,
        this.conn.el,
        deps.projector ? null : this.search.toggle
      ),
      this.timerBar?.el ?? null,
      deps.screen ? null : toolbar.el,
      deps.screen ? null : this.search.el
    )
    // folded on a phone the strip shows its first line: the focus offer goes first
    const phone = new PhoneHeader(header, toolbar.el, [this.focusPrompt.el, banner, this.voteBanner.el, this.notice.el])
    if (!deps.screen) header.querySelector('.title-row')?.append(phone.menu)
    const main = h(
      'main',
      { class: 'board-main', id: 'main' },
      this.stage?.el ?? null,
      this.canvas.el,
      this.list.el,
      mod?.el ?? null,
      band?.el ?? null
    )
    this.el = h(
      'div',
      { class: `board-app ${ctx.readOnly() ? 'readonly' : ''} ${deps.projector ? 'projector' : ''}` },
      header,
      this.conn.fatal,
      phone.banners,
      phoneNav.el,
      main,
      presence.el,
      log.el,
      this.voteBanner.panel,
      tray?.el ?? null,
      ctx.toasts.el
    )

    const keys = {
      ctx,
      pz: this.canvas.pz,
      showPart: (i: number) => {
        const part = ctx.canvas.def.parts[i]
        if (part) this.canvas.showPart(part.id)
      },
      toggleMinimap: () => {
        const m = this.minimap
        if (!m) return
        m.setOpen(!m.isOpen())
        deps.prefs.minimapClosed = !m.isOpen()
        deps.savePrefs({ ...deps.prefs })
      },
      toggleList: () => this.setView(this.list.visible ? 'canvas' : 'list'),
      openHelp: () => this.openHelp()
    }
    const onKey = (e: KeyboardEvent): void => {
      if (!deps.projector) this.search.onKey(e)
      if (!e.defaultPrevented) onBoardKey(keys, e)
    }
    window.addEventListener('keydown', onKey)
    this.cleanups.push(() => window.removeEventListener('keydown', onKey))
    this.cleanups.push(phoneNav.watch())
    this.cleanups.push(watchTyping(document))
    this.updateTitle()
    if (deps.prefs.list && !deps.screen) this.setView('list')
  }

  /** Call once the element is in the document. */
  start(view: View | null): void {
    this.canvas.render()
    this.canvas.renderPrivate()
    const { ctx, projector } = this.deps
    if (view) this.canvas.pz.set(view)
    else if (projector) requestAnimationFrame(() => this.canvas.pz.fit())
    // people open the board where the work is, with notes large enough to read
    else requestAnimationFrame(() => this.canvas.home(readFocus(ctx.board.control)?.field ?? null))
    this.renderPresence()
    this.deps.ctx.fac.focus.reset()
    requestAnimationFrame(() => this.onControl())
  }

  destroy(): void {
    void closeAllModals()
    for (const c of this.cleanups) c()
    this.search.destroy()
    this.counters?.destroy()
    this.timerBar?.destroy()
    this.stage?.destroy()
    this.panels.destroy()
    this.el.remove()
  }

  /** `control` changed: locks, private writing, focus, votes, timer, log. */
  onControl(): void {
    this.canvas.renderControl()
    this.list.schedule()
    this.timerBar?.update()
    this.panels.band?.update()
    this.stage?.update()
    this.panels.mod?.update()
    this.panels.log.render()
    this.voteBanner.update()
    this.counters?.render()
    const jump = this.deps.ctx.fac.focus.update(readFocus(this.deps.ctx.board.control))
    if (jump) this.jumpTo(jump.field, jump.initial)
  }

  /** `meta` changed (title, settings). */
  onMeta(): void {
    this.updateTitle()
    this.panels.mod?.update()
  }

  /** This person's dots changed. */
  onBallot(): void {
    this.canvas.renderVotes()
    this.voteBanner.update()
  }

  /** This person's private notes changed. */
  onPrivate(): void {
    this.canvas.renderPrivate()
    this.list.schedule()
  }

  /** Join code or board id known (hello). */
  onFacilitation(): void {
    this.panels.band?.update()
    this.panels.mod?.update()
  }

  /** Notes changed. */
  onNotes(): void {
    this.stage?.notesChanged()
    this.minimap?.notesChanged()
    this.panels.mod?.changed()
    this.search.refresh()
    this.voteBanner.update()
  }

  /** Someone else restored the board to a snapshot. */
  onRemoteRestore(): void {
    if (!this.deps.ctx.moderator()) this.deps.ctx.toasts.show(t('restore.remote'), { ms: 12000 })
  }

  updateTitle(): void {
    setText(this.titleEl, this.deps.title())
    document.title = `${this.deps.title() || t('app.name')} – ${t('app.name')}`
  }

  renderPresence(): void {
    this.canvas.renderRemote()
    this.panels.renderPresence()
  }

  setStatus(s: Status): void {
    this.conn.set(s)
  }

  view(): View {
    return this.canvas.pz.view
  }

  /** The projector's stage changed: the join band hides while a push fills the screen. */
  private onStage(): void {
    const stage = this.stage?.stage
    if (this.panels.band && stage) this.panels.band.el.hidden = stage.kind !== 'overview' && stage.pushed
  }

  /** The moderator's focus: show the field; people can go back to where they were. */
  private jumpTo(field: string | null, initial: boolean): void {
    const { ctx } = this.deps
    const before = this.canvas.pz.view
    const f = field ? ctx.canvas.field(field) : undefined
    if (this.list.visible && !this.deps.projector) {
      if (f) ctx.toasts.show(t('focus.moved.list', { field: `${f.id} ${tx(f.label)}` }))
      return
    }
    if (!initial && !this.deps.projector && typingInNote()) {
      // never take the keyboard (and, on a phone, the note) away from someone writing
      this.focusPrompt.offer(field)
      return
    }
    this.focusPrompt.hide()
    this.showFocus(field, !initial)
    if (f && !initial && !this.deps.projector && !ctx.moderator()) {
      ctx.toasts.show(t('focus.moved', { field: `${f.id} ${tx(f.label)}` }), {
        action: { label: t('focus.back'), run: () => this.canvas.pz.animateTo(before) },
        ms: 12000
      })
    }
  }

  private showFocus(field: string | null, animate = true): void {
    this.canvas.showField(field, animate)
    this.phoneNav.sync()
  }

  private setView(v: BoardView): void {
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

  private openHelp(): void {
    const dlg = helpDialog()
    document.body.append(dlg)
    dlg.showModal()
  }
}
