// Small building blocks of the moderator panel: sections, buttons that show they are busy,
// labelled inputs.
import { h, uid } from './dom'

export function section(id: string, title: string, open: boolean, ...children: Array<Node | null>): HTMLDetailsElement {
  const el = h(
    'details',
    { class: 'mod-section', id: `mod-${id}`, attrs: { open } },
    h('summary', {}, h('h3', { class: 'mod-section-title', text: title }))
  )
  for (const c of children) if (c) el.append(c)
  return el
}

export function button(
  text: string,
  onClick: () => unknown,
  attrs: Record<string, string | null> = {},
  cls = ''
): HTMLButtonElement {
  const b = h('button', { class: `btn btn-small ${cls}`, text, attrs: { type: 'button', ...attrs } })
  b.addEventListener('click', () => {
    if (b.getAttribute('aria-busy') === 'true') return
    const r = onClick()
    if (r instanceof Promise) {
      b.setAttribute('aria-busy', 'true')
      void r.finally(() => b.removeAttribute('aria-busy'))
    }
  })
  return b
}

export function labelled<E extends HTMLElement>(
  label: string,
  control: E,
  hint?: string
): { row: HTMLElement; control: E } {
  const id = control.id || uid('mod')
  control.id = id
  const row = h(
    'div',
    { class: 'mod-row' },
    h('label', { text: label, attrs: { for: id } }),
    control,
    hint ? h('span', { class: 'hint', text: hint }) : null
  )
  return { row, control }
}

export function checkbox(
  label: string,
  checked: boolean,
  attrs: Record<string, string> = {}
): { row: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { attrs: { type: 'checkbox', checked, ...attrs } })
  return { row: h('label', { class: 'mod-check' }, input, label), input }
}
