// Landing page: "Meine Boards", the boards made or imported on this device, each with its
// links on demand and a button that forgets it here.
import { locale, t } from '../i18n'
import { deviceStorage, forgetBoard, type MyBoard, readMyBoards } from '../model/myboards'
import { h } from './dom'
import { LINK_ROLES, type LinkRole, linkRow } from './links'

// the rows are made when opened: the page holds each link once until someone asks
const linksOnDemand = (b: MyBoard, roles: LinkRole[]): HTMLElement => {
  const list = h('ul', { class: 'links' })
  const box = h('details', { class: 'myboard-links' }, h('summary', { text: t('myboards.links') }), list)
  box.addEventListener('toggle', () => {
    if (box.open && !list.firstChild) list.append(...roles.map((role) => linkRow(role, b.links[role] ?? '')))
  })
  return box
}

/** The list; `forgotten` draws the page again after a board is forgotten. */
export function myBoardsList(forgotten: () => void): HTMLElement {
  const list = readMyBoards(deviceStorage())
  const status = h('p', { id: 'myboards-status', class: 'hint', attrs: { role: 'status' } })
  const items = list.map((b) => {
    const title = b.title || b.id
    const open = b.links.moderator
    const roles = LINK_ROLES.filter((role) => b.links[role])
    const remove = h('button', {
      class: 'btn btn-ghost',
      text: t('myboards.remove'),
      attrs: { type: 'button', 'aria-label': t('myboards.remove.label', { title }), 'data-forget': b.id },
      on: {
        click: () => {
          forgetBoard(deviceStorage(), b.id)
          forgotten()
          const said = document.getElementById('myboards-status')
          if (said) said.textContent = t('myboards.removed', { title })
          document.getElementById('myboards-h')?.focus()
        }
      }
    })
    return h(
      'li',
      { class: 'myboard', attrs: { 'data-board': b.id } },
      h(
        'div',
        { class: 'myboard-head' },
        h('h3', { class: 'myboard-title', text: title, attrs: { dir: 'auto' } }),
        b.savedAt
          ? h('p', {
              class: 'hint myboard-date',
              text: t('myboards.date', {
                date: new Date(b.savedAt).toLocaleDateString(locale(), {
                  day: 'numeric',
                  month: 'long',
                  year: 'numeric'
                })
              })
            })
          : null,
        h(
          'div',
          { class: 'myboard-tools' },
          open
            ? h('a', {
                class: 'btn',
                text: t('myboards.open'),
                attrs: { href: open, 'aria-label': t('myboards.open.label', { title }) }
              })
            : null,
          remove
        )
      ),
      roles.length ? linksOnDemand(b, roles) : null
    )
  })
  return h(
    'section',
    { class: 'card my-boards', attrs: { 'aria-labelledby': 'myboards-h' } },
    h('h2', { id: 'myboards-h', text: t('myboards.title'), attrs: { tabindex: -1 } }),
    h('p', { class: 'hint', text: t('myboards.hint') }),
    items.length
      ? h('ul', { class: 'myboards-list' }, ...items)
      : h('p', { class: 'myboards-empty', text: t('myboards.empty') }),
    status
  )
}
