// A board's four links (participant, moderator, projector, viewer) with copy and open buttons: shown
// after creating a board, importing an archive, or restoring a snapshot as a new board.
import { t } from '../i18n'
import { ROLES, type Role } from '../sync/vocab.gen'
import { h, uid } from './dom'

export interface Links {
  moderator: string
  participant: string
  viewer: string
  projector: string
}
export type LinkRole = keyof Links
// the order people are offered the links; typed by role, so a new role must be placed here
const LINK_ORDER: Record<Role, number> = { participant: 0, moderator: 1, projector: 2, viewer: 3 }
export const LINK_ROLES: LinkRole[] = [...ROLES].sort((a, b) => LINK_ORDER[a] - LINK_ORDER[b])

export function linksList(links: Links): HTMLElement {
  return h(
    'ul',
    { class: 'links', attrs: { 'aria-label': t('landing.links') } },
    ...LINK_ROLES.map((role) => linkRow(role, links[role]))
  )
}

export function linkRow(role: LinkRole, url: string): HTMLElement {
  const name = t(`landing.link.${role}`)
  const inputId = uid('link')
  const input = h('input', {
    id: inputId,
    class: 'link-input',
    attrs: { readonly: true, value: url, 'data-role': role, spellcheck: 'false' }
  })
  const state = h('span', { class: 'copy-state', attrs: { 'aria-live': 'polite' } })
  const copy = h('button', {
    class: 'btn',
    text: t('landing.copy'),
    attrs: { type: 'button', 'aria-label': t('landing.copy.label', { role: name }), 'data-copy': role },
    on: {
      click: () => {
        copyText(url, input)
          .then((ok) => {
            state.textContent = ok ? t('landing.copied') : t('landing.copy.failed')
            setTimeout(() => {
              state.textContent = ''
            }, 4000)
          })
          .catch(() => {
            state.textContent = t('landing.copy.failed')
          })
      }
    }
  })
  const open = h('a', {
    class: 'btn btn-ghost',
    text: t('landing.open'),
    attrs: { href: url, 'aria-label': t('landing.open.label', { role: name }) }
  })
  return h(
    'li',
    { class: `link-row link-${role}` },
    h(
      'label',
      { class: 'link-name', attrs: { for: inputId } },
      h('strong', { text: name }),
      h('span', { class: 'hint', text: t(`landing.link.${role}.hint`) })
    ),
    h('div', { class: 'link-line' }, input, copy, open, state)
  )
}

async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    input.focus()
    input.select()
    return false
  }
}
