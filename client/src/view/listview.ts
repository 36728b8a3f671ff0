// All fields and notes in reading order, as plain headings and lists: what a screen reader
// user (or anyone reading back) gets. Rebuilt from the document while it is shown.
import { t, tn, tx } from '../i18n'
import { byOrder, byPosition } from '../model/board'
import { readVoting } from '../model/control'
import { groupable, groupsIn } from '../model/groups'
import type { Ctx } from './actions'
import { clear, h } from './dom'
import { whoLabel } from './noteParts'

export class ListView {
  readonly el: HTMLElement
  private readonly ctx: Ctx
  private readonly body: HTMLElement
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly onGoto: (noteId: string) => void

  constructor(ctx: Ctx, onGoto: (noteId: string) => void) {
    this.ctx = ctx
    this.onGoto = onGoto
    this.body = h('div', { class: 'list-body' })
    this.el = h(
      'section',
      { class: 'listview', id: 'listview', hidden: true, attrs: { 'aria-labelledby': 'list-h', tabindex: -1 } },
      h('h2', { id: 'list-h', text: t('list.title') }),
      h('p', { class: 'hint', text: t('list.lead') }),
      this.body
    )
  }

  get visible(): boolean {
    return !this.el.hidden
  }

  schedule(): void {
    if (!this.visible || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.render()
    }, 300)
  }

  render(): void {
    const { ctx } = this
    clear(this.body)
    const all = ctx.board.all()
    const locked = ctx.board.lockedFields()
    const priv = ctx.board.privateFields()
    const voting = readVoting(ctx.board.control)
    const results = voting.state === 'closed' ? (voting.results ?? {}) : null
    for (const part of ctx.canvas.def.parts) {
      const sec = h(
        'section',
        { class: 'list-part' },
        h('h3', { text: t('part.title', { id: part.id, label: tx(part.label), subtitle: tx(part.subtitle) }) })
      )
      for (const fid of part.fields) {
        const field = ctx.canvas.field(fid)
        if (!field) continue
        const rows = field.kind === 'table' || field.kind === 'actions'
        const notes = all.filter((n) => n.field === fid).sort(rows ? byOrder : byPosition)
        const state = [locked.has(fid) ? t('field.locked') : '', priv.has(fid) ? t('mod.fields.private') : ''].filter(
          Boolean
        )
        const fsec = h(
          'section',
          { class: 'list-field' },
          h('h4', { text: `${field.id} ${tx(field.label)}${state.length ? ` (${state.join(', ')})` : ''}` }),
          h('p', { class: 'list-prompt', text: tx(field.prompt) })
        )
        const mine = ctx.fac.privateNotes.inField(fid)
        if (mine.length) {
          fsec.append(
            h('p', {
              class: 'list-extra',
              text: `${t('private.list', { field: field.id })} – ${t('private.only.you')}`
            }),
            h(
              'ul',
              { class: 'list-notes' },
              ...mine.map((n) =>
                h(
                  'li',
                  { class: 'list-note', attrs: { 'data-private-note': n.id } },
                  h('p', { class: 'list-text', text: n.text, attrs: { dir: 'auto' } })
                )
              )
            )
          )
        }
        if (notes.length === 0) {
          fsec.append(h('p', { class: 'hint', text: t('field.empty') }))
        } else {
          const ol = h('ol', { class: 'list-notes' })
          const headings = new Map<string, string>()
          if (groupable(ctx.canvas, fid)) {
            for (const g of groupsIn(ctx.board, fid)) for (const m of g.members) headings.set(m, g.heading)
          }
          for (const n of notes) {
            const text = ctx.board.text(n.id, 'text')?.toString() ?? ''
            const li = h(
              'li',
              { class: 'list-note', attrs: { 'data-note': n.id } },
              h('p', { class: 'list-text', text, attrs: { dir: 'auto' } })
            )
            const extra: string[] = []
            if (field.kind === 'table') {
              const cols = field.columns ?? []
              const keys = ['resources', 'competences', 'tasks'] as const
              keys.forEach((k, i) => {
                const v = ctx.board.text(n.id, k)?.toString() ?? ''
                if (v) extra.push(`${tx(cols[i + 1]?.label) || k}: ${v}`)
              })
            } else if (field.kind === 'actions') {
              const cols = field.columns ?? []
              if (n.owner) extra.push(`${tx(cols[1]?.label)} ${n.owner}`)
              if (n.due) extra.push(`${tx(cols[2]?.label)} ${n.due}`)
              extra.push(n.done ? t('actions.done.yes') : t('actions.done.no'))
            } else if (n.format) {
              const card = ctx.canvas.format(n.format)
              if (card) extra.push(`${t('note.format')}: ${tx(card.title)}`)
            }
            const heading = headings.get(n.id)
            if (heading !== undefined) extra.push(t('list.group', { heading: heading || t('group.default') }))
            if (field.kind === 'diagram' && field.axes) {
              extra.push(t('note.position', { x: Math.round(n.x * 100), y: Math.round(n.y * 100) }))
            }
            if (results && voting.fields.includes(fid)) extra.push(tn('vote.result.count', results[n.id]?.total ?? 0))
            for (const e of extra) li.append(h('p', { class: 'list-extra', text: e, attrs: { dir: 'auto' } }))
            li.append(h('p', { class: 'list-who', text: t('list.note.by', { who: whoLabel(ctx, n) }) }))
            li.append(
              h('button', {
                class: 'btn btn-small btn-ghost',
                text: t('list.goto'),
                attrs: { type: 'button' },
                on: { click: () => this.onGoto(n.id) }
              })
            )
            ol.append(li)
          }
          fsec.append(ol)
        }
        sec.append(fsec)
      }
      this.body.append(sec)
    }
  }
}
