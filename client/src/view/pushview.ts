// The projector's stage (P290, P291): what the moderator pushed (the timer, a field or the
// vote results) over the whole screen, else the focused field or an overview of the fields
// beside the join band, in type sized for the screen: as large as the notes allow, never
// under the floor.
import { currentPart, targetLabel } from '../facilitation/timer'
import { resultRows } from '../facilitation/voting'
import { t, tn, tx } from '../i18n'
import type { NoteData } from '../model/board'
import { readAgenda, readFocus, readLocks, readOuterTimer, readTimer, readVoting } from '../model/control'
import { fittingSize, readPush, type Stage, stageFor, stageTextPx } from '../model/projection'
import type { Ctx } from './actions'
import { layoutDiagram } from './diagramLayout'
import { clear, h, textOn } from './dom'
import { axes } from './fields'
import { groupColor, whoLabel } from './noteParts'
import { joinKey, joinLine } from './projector'
import { TimerBar, type TimerBarOptions } from './timerbar'

/** Ways to make many notes fit, tried in turn once the type is at its floor. */
const SQUEEZES = [
  ['narrow'],
  ['narrow', 'lines-4'],
  // less room between and inside the notes before a line of text and the names go
  ['narrow', 'lines-4', 'tight'],
  ['narrow', 'lines-3'],
  ['narrow', 'lines-2']
]

/** Results shown at most: the rest are below the fold of any projector. */
const MAX_RESULTS = 12

export class ProjectorStage {
  readonly el: HTMLElement
  /** The stage in force. */
  stage: Stage = { kind: 'overview' }
  private readonly ctx: Ctx
  private readonly sound: Omit<TimerBarOptions, 'large'>
  private readonly onStage: (stage: Stage) => void
  private timer: TimerBar | null = null
  /** The timer in a pushed field's or results' footer: the band with its own is covered. */
  private footTimer: TimerBar | null = null
  private shown = ''
  private joinShown = ''
  private frame = 0

  constructor(ctx: Ctx, sound: Omit<TimerBarOptions, 'large'>, onStage: (stage: Stage) => void) {
    this.ctx = ctx
    this.sound = sound
    this.onStage = onStage
    this.el = h('section', {
      class: 'projector-stage',
      attrs: { 'data-stage': this.stage.kind }
    })
    window.addEventListener('resize', this.onResize)
  }

  private readonly onResize = (): void => this.schedule(true)

  /** `control` changed: a push, a focus, votes. */
  update(): void {
    const { board, canvas } = this.ctx
    const next = stageFor(readPush(board.control), readFocus(board.control), (id) => canvas.field(id) !== undefined)
    const key = JSON.stringify(next)
    if (key !== JSON.stringify(this.stage)) {
      this.stage = next
      this.el.classList.toggle('pushed', next.kind !== 'overview' && next.pushed)
      this.el.dataset.stage = next.kind
      this.onStage(next)
    }
    // the overview marks the current part (the timer and the agenda decide) and locked
    // fields; a pushed stage's footer shows the join code, which the moderator may renew
    const join = next.kind !== 'overview' && next.pushed ? joinKey(this.ctx.fac.joinCode) : ''
    this.schedule(key !== this.shown || next.kind === 'overview' || join !== this.joinShown)
  }

  /** Notes changed: a shown field or the results follow. */
  notesChanged(): void {
    if (this.stage.kind !== 'timer') this.schedule(true)
  }

  destroy(): void {
    window.removeEventListener('resize', this.onResize)
    cancelAnimationFrame(this.frame)
    this.timer?.destroy()
    this.footTimer?.destroy()
    this.el.remove()
  }

  private schedule(rebuild: boolean): void {
    if (!rebuild) {
      this.timer?.update()
      this.footTimer?.update()
      return
    }
    cancelAnimationFrame(this.frame)
    this.frame = requestAnimationFrame(() => this.render())
  }

  private render(): void {
    this.shown = JSON.stringify(this.stage)
    this.timer?.destroy()
    this.timer = null
    this.footTimer?.destroy()
    this.footTimer = null
    this.joinShown = ''
    clear(this.el)
    const s = this.stage
    if (s.kind === 'overview') this.el.append(this.overviewStage())
    else if (s.kind === 'timer') this.el.append(this.timerStage())
    else if (s.kind === 'field') this.el.append(this.fieldStage(s.field))
    else this.el.append(this.resultsStage())
    if (s.kind !== 'overview' && s.pushed) this.el.append(this.footer(s.kind !== 'timer'))
    this.fit()
  }

  /** A push covers the join band: its footer keeps the time (unless the timer is the push)
   * and how to join in view. The band's timer plays the end signal; this one stays silent. */
  private footer(withTimer: boolean): HTMLElement {
    const code = this.ctx.fac.joinCode
    this.joinShown = joinKey(code)
    if (withTimer) {
      this.footTimer = new TimerBar(this.ctx, { sound: () => false, setSound: () => {} })
      this.footTimer.el.classList.add('timerbar-footer')
    }
    return h('footer', { class: 'stage-footer' }, this.footTimer?.el ?? null, joinLine(code))
  }

  /**
   * Type as large as everything allows, from half again the screen's size down to it, never
   * smaller (P291); when even that overflows, narrower columns, then notes cut to their
   * first lines (four, three, two).
   */
  private fit(): void {
    const floor = stageTextPx(window.innerWidth, window.innerHeight)
    this.el.classList.remove(...SQUEEZES.flat())
    const diagram = this.el.querySelector<HTMLElement>('.stage-diagram')
    if (diagram) {
      // the diagram scales to the stage; its notes cut their text to the lines that fit
      this.el.style.setProperty('--stage-px', `${floor}px`)
      const note = diagram.querySelector<HTMLElement>('.stage-note')
      const text = note?.querySelector<HTMLElement>('.stage-note-text')
      if (note && text) {
        const line = Number.parseFloat(getComputedStyle(text).lineHeight) || floor * 1.15
        const pad = note.offsetHeight - note.clientHeight + floor * 0.4
        diagram.style.setProperty('--lines', String(Math.max(1, Math.floor((note.offsetHeight - pad) / line))))
      }
      return
    }
    const fits = (px: number): boolean => {
      this.el.style.setProperty('--stage-px', `${px}px`)
      return this.el.scrollHeight <= this.el.clientHeight + 1
    }
    this.el.classList.remove(...SQUEEZES.flat())
    const px = fittingSize(Math.round(floor * 1.5), floor, fits)
    this.el.style.setProperty('--stage-px', `${px}px`)
    for (const squeeze of SQUEEZES) {
      if (fits(px)) return
      this.el.classList.remove(...SQUEEZES.flat())
      this.el.classList.add(...squeeze)
    }
  }

  private timerStage(): HTMLElement {
    const { canvas, board } = this.ctx
    const c = board.control
    this.timer = new TimerBar(this.ctx, { ...this.sound, large: true })
    this.timer.el.classList.add('timerbar-stage')
    return h(
      'div',
      { class: 'stage-timer' },
      h('h2', {
        class: 'stage-title',
        text: targetLabel(canvas, readTimer(c).target, readAgenda(c)) || t('push.timer.title')
      }),
      this.timer.el
    )
  }

  /** Every field with its number of notes, the current part's marked: readable, unlike the
   * whole canvas at this size. */
  private overviewStage(): HTMLElement {
    const { board, canvas } = this.ctx
    const c = board.control
    const current = currentPart(canvas, readTimer(c), readAgenda(c), readOuterTimer(c))
    const locked = readLocks(c)
    const counts = new Map<string, number>()
    for (const n of board.all()) counts.set(n.field, (counts.get(n.field) ?? 0) + 1)
    return h(
      'div',
      { class: 'stage-overview' },
      h('h2', { class: 'stage-title', text: t('push.overview.title') }),
      h('p', { class: 'stage-prompt', text: t('push.overview.hint') }),
      h(
        'ol',
        { class: 'stage-tiles' },
        ...canvas.def.parts.flatMap((part) =>
          part.fields.map((id) => {
            const f = canvas.field(id)
            const closed = locked.has(id)
            return h(
              'li',
              {
                class: `stage-tile part-${part.id}${part.id === current ? ' current' : ''}${closed ? ' locked' : ''}`,
                attrs: { 'data-tile': id }
              },
              h('span', { class: 'stage-tile-title', text: f ? `${f.id} ${tx(f.label)}` : id }),
              h('span', { class: 'stage-tile-count', text: tn('push.field.notes', counts.get(id) ?? 0) }),
              closed ? h('span', { class: 'stage-tile-locked', text: t('push.field.locked') }) : null
            )
          })
        )
      )
    )
  }

  private fieldStage(fieldId: string): HTMLElement {
    const { board, canvas } = this.ctx
    const field = canvas.field(fieldId)
    const notes = board.inField(fieldId)
    const label = tn('push.field.notes', notes.length)
    const cards = notes.map((n) => this.card(n))
    let body: HTMLElement
    if (field?.kind === 'diagram' && field.axes) {
      // the notes where they stand on the board, none hidden under another (diagramLayout)
      const list = h('ol', { class: 'stage-diagram-notes', attrs: { 'aria-label': label } }, ...cards)
      layoutDiagram(notes.map((n, i) => ({ el: cards[i] as HTMLElement, x: n.x, y: n.y })))
      body = h('div', { class: 'stage-diagram-wrap' }, h('div', { class: 'stage-diagram' }, axes(field), list))
    } else if (notes.length) {
      body = h('ol', { class: 'stage-notes', attrs: { 'aria-label': label } }, ...cards)
    } else {
      body = h('p', { class: 'stage-empty', text: t('push.field.empty') })
    }
    return h(
      'div',
      { class: 'stage-field' },
      h('h2', { class: 'stage-title', text: field ? `${field.id} ${tx(field.label)}` : fieldId }),
      field ? h('p', { class: 'stage-prompt', text: tx(field.prompt) }) : null,
      body
    )
  }

  private card(n: NoteData): HTMLElement {
    const { board, canvas } = this.ctx
    const bg = canvas.color(n.color).value
    const card = h(
      'li',
      { class: 'stage-note', attrs: { 'data-stage-note': n.id } },
      h('p', {
        class: 'stage-note-text',
        text: board.text(n.id, 'text')?.toString() ?? '',
        attrs: { dir: 'auto' }
      }),
      ...this.details(n).map((line) => h('p', { class: 'stage-note-extra', text: line, attrs: { dir: 'auto' } })),
      // the author and their group, as on the board; the group's colour is the top edge
      n.author ? h('p', { class: 'stage-note-who', text: whoLabel(this.ctx, n), attrs: { dir: 'auto' } }) : null
    )
    card.style.setProperty('--note-group', groupColor(this.ctx, n))
    card.style.setProperty('--note-bg', bg)
    card.style.setProperty('--note-ink', textOn(bg))
    return card
  }

  /** The partner table's and the action list's other columns, one line each. */
  private details(n: NoteData): string[] {
    const field = this.ctx.canvas.field(n.field)
    const cols = field?.columns ?? []
    const out: string[] = []
    if (field?.kind === 'table') {
      const keys = ['resources', 'competences', 'tasks'] as const
      keys.forEach((k, i) => {
        const v = this.ctx.board.text(n.id, k)?.toString() ?? ''
        if (v) out.push(`${tx(cols[i + 1]?.label) || k}: ${v}`)
      })
    } else if (field?.kind === 'actions') {
      if (n.owner) out.push(`${tx(cols[1]?.label)} ${n.owner}`)
      if (n.due) out.push(`${tx(cols[2]?.label)} ${n.due}`)
    }
    return out
  }

  private resultsStage(): HTMLElement {
    const { board, canvas } = this.ctx
    const voting = readVoting(board.control)
    const title = h('h2', { class: 'stage-title', text: t('push.results.title') })
    if (voting.state !== 'closed') {
      return h('div', { class: 'stage-results' }, title, h('p', { class: 'stage-empty', text: t('push.results.none') }))
    }
    const rows = resultRows(board, voting)
      .filter((r) => r.total > 0)
      .slice(0, MAX_RESULTS)
    if (!rows.length) {
      return h(
        'div',
        { class: 'stage-results' },
        title,
        h('p', { class: 'stage-empty', text: t('push.results.empty') })
      )
    }
    return h(
      'div',
      { class: 'stage-results' },
      title,
      h(
        'ol',
        { class: 'stage-ranking' },
        ...rows.map((r) => {
          const f = canvas.field(r.field)
          return h(
            'li',
            { class: 'stage-rank', attrs: { 'data-stage-note': r.id } },
            h('span', { class: 'stage-dots', text: tn('push.results.dots', r.total) }),
            h('span', { class: 'stage-note-text', text: r.text, attrs: { dir: 'auto' } }),
            h('span', { class: 'stage-rank-field', text: f ? f.id : r.field })
          )
        })
      )
    )
  }
}
