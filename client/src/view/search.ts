// Find and filter: a search bar (Ctrl/Cmd+F or "/") for words, colour and stakeholder group.
// Matching notes are outlined, the others dimmed, "N found" is announced; "next" brings the
// next match into view (on a phone: its field). Clearing or closing restores the board.
// On a phone the bar is one row: colour and group wait behind a "Filter" button.
import { t, tx } from '../i18n'
import type { Board } from '../model/board'
import type { Canvas } from '../model/canvas'
import { EMPTY_QUERY, NO_GROUP, type Searchable, type SearchQuery, search } from '../model/search'
import { TEXT_KEYS } from '../sync/vocab.gen'
import type { Ctx } from './actions'
import { h, setText } from './dom'
import { shortcutAllowed } from './keyGuard'

const BAR_ID = 'note-search'
const FILTERS_ID = 'note-search-filters'

/** Every note as its searchable text, colour as shown and the group its author showed. */
export function searchables(board: Board, canvas: Canvas): Searchable[] {
  return board.all().map((n) => {
    const parts = TEXT_KEYS.map((k) => board.text(n.id, k)?.toString() ?? '')
    parts.push(n.author ?? '', n.owner)
    return {
      id: n.id,
      text: parts.join('\n'),
      color: canvas.color(n.color).id,
      group: n.author === null ? null : n.group
    }
  })
}

export class NoteSearch {
  readonly el: HTMLElement
  /** The header button that opens and closes the bar. */
  readonly toggle: HTMLButtonElement
  private readonly ctx: Ctx
  private readonly root: () => HTMLElement | null
  private readonly goto: (noteId: string) => void
  private readonly input: HTMLInputElement
  private readonly color: HTMLSelectElement
  private readonly group: HTMLSelectElement
  private readonly found: HTMLElement
  private readonly filterBtn: HTMLButtonElement
  private readonly nextBtn: HTMLButtonElement
  private query: SearchQuery = EMPTY_QUERY
  private hits: string[] | null = null
  private hitSet = new Set<string>()
  private cursor = -1
  private observer: MutationObserver | null = null
  private frame = 0

  /** `root` holds the note elements (`[data-note]`) to mark; `goto` shows one note. */
  constructor(ctx: Ctx, root: () => HTMLElement | null, goto: (noteId: string) => void) {
    this.ctx = ctx
    this.root = root
    this.goto = goto
    this.toggle = h('button', {
      class: 'btn btn-small search-toggle',
      text: t('search.open'),
      attrs: {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': BAR_ID,
        'aria-keyshortcuts': 'Control+F Meta+F /',
        title: t('search.open.hint')
      },
      on: { click: () => (this.el.hidden ? this.open() : this.close()) }
    })
    this.input = h('input', {
      class: 'search-input',
      attrs: { type: 'search', 'aria-label': t('search.text'), placeholder: t('search.text'), enterkeyhint: 'search' }
    })
    const colors = ctx.canvas.def.note_colors
    this.color = h(
      'select',
      { class: 'search-color', attrs: { 'aria-label': t('search.color') } },
      h('option', { text: t('search.color.any'), attrs: { value: '' } }),
      ...colors.map((c) => h('option', { text: tx(c.label), attrs: { value: c.id } }))
    )
    const groups = ctx.board.readMeta()?.groups ?? []
    const groupIds = groups.length ? groups : ctx.canvas.def.groups.map((g) => g.id)
    this.group = h(
      'select',
      { class: 'search-group', attrs: { 'aria-label': t('search.group') } },
      h('option', { text: t('search.group.any'), attrs: { value: '' } }),
      ...groupIds.map((id) => {
        const g = ctx.canvas.group(id)
        return h('option', { text: g ? tx(g.label) : id, attrs: { value: id } })
      }),
      h('option', { text: t('group.anonymous'), attrs: { value: NO_GROUP } })
    )
    this.found = h('output', { class: 'search-found', attrs: { role: 'status', 'aria-live': 'polite' } })
    this.filterBtn = h('button', {
      class: 'btn btn-small search-filter',
      text: t('search.filter'),
      attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': FILTERS_ID },
      on: { click: () => this.showFilters(!this.el.classList.contains('filters-open')) }
    })
    this.nextBtn = h('button', {
      class: 'btn btn-small search-next',
      attrs: { type: 'button', disabled: true, 'aria-label': t('search.next') },
      on: { click: () => this.next() }
    })
    const clearBtn = h('button', {
      class: 'btn btn-small btn-ghost search-clear',
      text: t('search.clear'),
      attrs: { type: 'button' },
      on: { click: () => this.clear() }
    })
    const closeBtn = h('button', {
      class: 'btn btn-small btn-ghost search-close',
      text: '×',
      attrs: { type: 'button', 'aria-label': t('search.close') },
      on: { click: () => this.close() }
    })
    const filters = h(
      'div',
      { class: 'search-filters', id: FILTERS_ID, attrs: { role: 'group', 'aria-label': t('search.filters') } },
      this.color,
      this.group,
      clearBtn
    )
    this.el = h(
      'div',
      { class: 'search-bar', id: BAR_ID, hidden: true, attrs: { role: 'search', 'aria-label': t('search.label') } },
      this.input,
      this.filterBtn,
      filters,
      this.found,
      this.nextBtn,
      closeBtn
    )
    // the visible word; on a phone an arrow takes its place (the name stays "Next")
    this.nextBtn.append(
      h('span', { class: 'search-next-text', text: t('search.next'), attrs: { 'aria-hidden': 'true' } })
    )
    const onInput = (): void => this.read()
    this.input.addEventListener('input', onInput)
    this.color.addEventListener('change', onInput)
    this.group.addEventListener('change', onInput)
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.el.classList.contains('filters-open')) {
        e.preventDefault()
        this.showFilters(false)
        this.filterBtn.focus()
      } else if (e.key === 'Escape') {
        e.preventDefault()
        this.close()
      } else if (e.key === 'Enter' && e.target === this.input) {
        e.preventDefault()
        this.next()
      }
    })
  }

  /** Ctrl/Cmd+F anywhere on the board, or "/" where it types nothing: open the bar. */
  onKey(e: KeyboardEvent): void {
    const mod = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey
    const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey
    if (!(mod && (e.key === 'f' || e.key === 'F')) && !slash) return
    if (document.querySelector('dialog[open]')) return
    if (slash && !shortcutAllowed(e, (el) => !this.el.contains(el))) return
    e.preventDefault()
    this.open()
  }

  open(): void {
    this.el.hidden = false
    this.toggle.setAttribute('aria-expanded', 'true')
    this.input.focus()
    this.input.select()
  }

  close(): void {
    const hadFocus = this.el.contains(document.activeElement)
    this.clear()
    this.showFilters(false)
    this.el.hidden = true
    this.toggle.setAttribute('aria-expanded', 'false')
    if (hadFocus) this.toggle.focus()
  }

  clear(): void {
    this.input.value = ''
    this.color.value = ''
    this.group.value = ''
    this.read()
    if (!this.el.hidden) this.input.focus()
  }

  /** Notes changed: search again (new notes may match, edited ones may not). */
  refresh(): void {
    if (this.hits !== null) this.run()
  }

  destroy(): void {
    this.observer?.disconnect()
    cancelAnimationFrame(this.frame)
    this.query = EMPTY_QUERY
    this.hits = null
    this.mark()
  }

  private read(): void {
    this.query = {
      text: this.input.value,
      color: this.color.value || null,
      group: this.group.value || null
    }
    this.cursor = -1
    const active = (this.query.color ? 1 : 0) + (this.query.group ? 1 : 0)
    setText(this.filterBtn, active ? t('search.filter.on', { count: active }) : t('search.filter'))
    this.filterBtn.classList.toggle('active', active > 0)
    this.run()
  }

  private showFilters(on: boolean): void {
    this.el.classList.toggle('filters-open', on)
    this.filterBtn.setAttribute('aria-expanded', String(on))
    if (on) this.color.focus()
  }

  private run(): void {
    this.hits = search(this.query, searchables(this.ctx.board, this.ctx.canvas))
    this.hitSet = new Set(this.hits ?? [])
    setText(this.found, this.hits === null ? '' : t('search.found', { n: this.hits.length }))
    this.nextBtn.disabled = !this.hits?.length
    this.mark()
    this.watch()
  }

  private next(): void {
    if (!this.hits?.length) return
    this.cursor = (this.cursor + 1) % this.hits.length
    const id = this.hits[this.cursor]
    if (id) this.goto(id)
  }

  /** Outline hits and dim the rest; everything plain again without a query. */
  private mark(): void {
    const root = this.root()
    if (!root) return
    const on = this.hits !== null
    root.classList.toggle('searching', on)
    for (const el of root.querySelectorAll<HTMLElement>('[data-note]')) {
      const id = el.dataset.note ?? ''
      el.classList.toggle('search-hit', on && this.hitSet.has(id))
      el.classList.toggle('search-dim', on && !this.hitSet.has(id))
    }
    // a group with no hit is dimmed like its notes, not left as a bright empty-looking box
    for (const box of root.querySelectorAll<HTMLElement>('.note-group')) {
      const members = [...box.querySelectorAll<HTMLElement>('[data-note]')]
      box.classList.toggle('search-dim', on && !members.some((m) => this.hitSet.has(m.dataset.note ?? '')))
    }
  }

  /** Views rebuild note elements (list view, rows): mark new ones while a search is on. */
  private watch(): void {
    const root = this.root()
    if (!root || this.hits === null) {
      this.observer?.disconnect()
      this.observer = null
      return
    }
    if (this.observer) return
    this.observer = new MutationObserver(() => {
      cancelAnimationFrame(this.frame)
      this.frame = requestAnimationFrame(() => this.mark())
    })
    this.observer.observe(root, { childList: true, subtree: true })
  }
}
