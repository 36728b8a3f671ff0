// What changed between two snapshots, or a snapshot and now: added, removed and changed
// notes as lists (field, text, who), each change with its keys and before -> after. With
// "now" the added and changed notes can be marked on the live canvas.
import { t, tx } from '../i18n'
import type { Canvas } from '../model/canvas'
import type { ChangedNote, Diff, SnapshotInfo } from '../sync/rest'
import { h, uid } from './dom'
import { openModal } from './modal'
import { apiError, closeAllModals, type FollowUpDeps } from './restore'
import { title as snapTitle } from './snapshotlabel'

/** Bookkeeping keys that change with every edit: not worth a line of their own. */
const QUIET = new Set(['updated_at', 'order', 'author_id', 'created_at'])
const TEXT_MAX = 300

type KeyWord =
  | 'text'
  | 'field'
  | 'position'
  | 'color'
  | 'group'
  | 'author'
  | 'kind'
  | 'resources'
  | 'competences'
  | 'tasks'
  | 'owner'
  | 'due'
  | 'done'
  | 'format'
const KEY_WORDS: readonly KeyWord[] = [
  'text',
  'field',
  'position',
  'color',
  'group',
  'author',
  'kind',
  'resources',
  'competences',
  'tasks',
  'owner',
  'due',
  'done',
  'format'
]

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
}

function clip(s: string): string {
  return s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX)}…` : s
}

function fieldName(canvas: Canvas, id: unknown): string {
  const f = typeof id === 'string' ? canvas.field(id) : undefined
  return f ? `${f.id} ${tx(f.label)}` : str(id) || '?'
}

function who(canvas: Canvas, n: Record<string, unknown>): string {
  const author = typeof n.author === 'string' && n.author ? n.author : null
  if (!author) return t('note.anonymous')
  const g = canvas.group(typeof n.group === 'string' ? n.group : null)
  return g ? `${author} · ${tx(g.label)}` : author
}

/** One value of a note key as people read it. */
function valueWords(canvas: Canvas, key: string, n: Record<string, unknown>): string {
  switch (key) {
    case 'position': {
      const x = typeof n.x === 'number' ? Math.round(n.x * 100) : '?'
      const y = typeof n.y === 'number' ? Math.round(n.y * 100) : '?'
      return t('note.position', { x, y })
    }
    case 'field':
      return fieldName(canvas, n.field)
    case 'color':
      return tx(canvas.color(str(n.color)).label)
    case 'group': {
      const g = canvas.group(str(n.group))
      return g ? tx(g.label) : t('note.nogroup')
    }
    case 'author':
      return str(n.author) || t('note.anonymous')
    case 'done':
      return n.done === true ? t('actions.done.yes') : t('actions.done.no')
    case 'format': {
      const card = canvas.format(str(n.format))
      return card ? tx(card.title) : t('note.format.none')
    }
    default:
      return clip(str(n[key]))
  }
}

/** A note key in the reader's language; unknown keys as they are. */
export function keyWords(key: string): string {
  return (KEY_WORDS as readonly string[]).includes(key) ? t(`diff.key.${key as KeyWord}`) : key
}

/** The changed keys people care about, x and y joined as "position". */
export function shownKeys(c: ChangedNote): string[] {
  const out: string[] = []
  for (const k of c.keys) {
    if (QUIET.has(k)) continue
    const key = k === 'x' || k === 'y' ? 'position' : k
    if (!out.includes(key)) out.push(key)
  }
  return out
}

function noteLine(canvas: Canvas, n: Record<string, unknown>): HTMLElement[] {
  const text = clip(str(n.text))
  return [
    h('span', { class: 'diff-field', text: `${fieldName(canvas, n.field)}: ` }),
    h('span', {
      class: 'diff-text',
      text: text ? t('diff.quoted', { text }) : t('diff.notext'),
      attrs: { dir: 'auto' }
    }),
    h('span', { class: 'diff-who', text: ` – ${who(canvas, n)}` })
  ]
}

function section(kind: 'added' | 'removed' | 'changed', count: number, items: HTMLElement[]): HTMLElement {
  const id = uid(`diff-${kind}`)
  return h(
    'section',
    { class: `diff-section diff-${kind}`, attrs: { 'aria-labelledby': id } },
    h('h3', { id, text: t(`diff.${kind}`, { count }) }),
    count === 0 ? h('p', { class: 'hint', text: t('diff.none') }) : h('ul', { class: 'diff-list' }, ...items)
  )
}

/** The comparison as lists; `diff` from the server, names from the canvas. */
export function renderDiff(canvas: Canvas, diff: Diff): HTMLElement {
  const added = diff.added.map((n) =>
    h('li', { class: 'diff-item', dataset: { diffNote: n.id, diff: 'added' } }, ...noteLine(canvas, n))
  )
  const removed = diff.removed.map((n) =>
    h('li', { class: 'diff-item', dataset: { diffNote: n.id, diff: 'removed' } }, ...noteLine(canvas, n))
  )
  const changed = diff.changed.map((c) => {
    const keys = shownKeys(c)
    const dl = h('dl', { class: 'diff-keys' })
    for (const key of keys) {
      dl.append(
        h('dt', { text: keyWords(key) }),
        h(
          'dd',
          {},
          h('span', { class: 'sr-only', text: `${t('diff.before')}: ` }),
          h('del', { text: valueWords(canvas, key, c.before) || '–', attrs: { dir: 'auto' } }),
          h('span', { class: 'diff-arrow', text: ' → ', attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'sr-only', text: `, ${t('diff.after')}: ` }),
          h('ins', { text: valueWords(canvas, key, c.after) || '–', attrs: { dir: 'auto' } })
        )
      )
    }
    return h(
      'li',
      { class: 'diff-item', dataset: { diffNote: c.id, diff: 'changed', keys: keys.join(' ') } },
      h('p', { class: 'diff-head' }, ...noteLine(canvas, c.after)),
      h('p', {
        class: 'diff-changed-keys',
        text: t('diff.keys', { keys: keys.map(keyWords).join(', ') || t('diff.key.other') })
      }),
      dl
    )
  })
  return h(
    'div',
    { class: 'diff' },
    section('added', added.length, added),
    section('removed', removed.length, removed),
    section('changed', changed.length, changed)
  )
}

/** Compare `from` with `to` (null: the board now) in a dialog. */
export function openCompare(deps: FollowUpDeps, from: SnapshotInfo, to: SnapshotInfo | null): void {
  const { canvas } = deps.ctx
  const fromName = snapTitle(canvas, from)
  const toName = to ? snapTitle(canvas, to) : t('diff.now')
  const m = openModal({
    title: t('diff.title'),
    describe: t('diff.lead', { from: fromName, to: toName }),
    cls: 'modal-wide modal-compare'
  })
  m.dlg.dataset.dialog = 'compare'
  m.dlg.setAttribute('aria-busy', 'true')
  m.status(t('diff.busy'))
  deps.api
    .compare(from.sid, to?.sid ?? null)
    .then((diff) => {
      m.dlg.removeAttribute('aria-busy')
      m.status(
        t('diff.summary', { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length })
      )
      m.body.append(renderDiff(canvas, diff))
      if (to === null && diff.added.length + diff.changed.length > 0) {
        m.body.append(
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', {
              class: 'btn',
              text: t('diff.mark'),
              attrs: { type: 'button', 'data-diff-mark': '' },
              on: {
                click: () => {
                  void closeAllModals().then(() => deps.onMark(diff, from))
                }
              }
            })
          )
        )
      }
    })
    .catch((err: unknown) => {
      m.dlg.removeAttribute('aria-busy')
      m.error(apiError(err))
    })
}
