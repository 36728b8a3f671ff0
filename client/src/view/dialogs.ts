// Dialogs: joining (name and stakeholder group, or anonymous) and the keyboard help.
import { t, tx } from '../i18n'
import type { Canvas } from '../model/canvas'
import { h, uid } from './dom'

export interface Identity {
  name: string | null // null: anonymous
  group: string | null
}

export function isIdentity(v: unknown): v is Identity {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return (r.name === null || typeof r.name === 'string') && (r.group === null || typeof r.group === 'string')
}

export function joinDialog(opts: {
  title: string
  canvas: Canvas
  groups: string[]
  anonymousAllowed: boolean
  current: Identity | null
  cancellable: boolean
  onDone: (id: Identity) => void
}): HTMLDialogElement {
  const nameId = uid('name')
  const err = h('p', { class: 'form-error', attrs: { role: 'alert' } })
  const name = h('input', {
    id: nameId,
    attrs: {
      name: 'name',
      maxlength: 80,
      autocomplete: 'nickname',
      dir: 'auto',
      placeholder: t('join.name.placeholder'),
      value: opts.current?.name ?? ''
    }
  })
  const groupIds = opts.groups.length ? opts.groups : opts.canvas.def.groups.map((g) => g.id)
  const cur = opts.current?.group ?? ''
  const groups = h(
    'fieldset',
    { class: 'radios group-radios' },
    h('legend', { text: t('join.group') }),
    h(
      'label',
      { class: 'radio' },
      h('input', { attrs: { type: 'radio', name: 'group', value: '', checked: cur === '' } }),
      t('join.group.none')
    ),
    ...groupIds.map((gid) => {
      const g = opts.canvas.group(gid)
      const swatch = h('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } })
      if (g) swatch.style.background = g.color
      return h(
        'label',
        { class: 'radio' },
        h('input', { attrs: { type: 'radio', name: 'group', value: gid, checked: cur === gid } }),
        swatch,
        g ? tx(g.label) : gid
      )
    })
  )
  const anon = h('input', {
    attrs: { type: 'checkbox', name: 'anonymous', checked: opts.current !== null && opts.current.name === null }
  })
  const anonBox = opts.anonymousAllowed
    ? h(
        'div',
        { class: 'checkbox-row' },
        h('label', { class: 'radio' }, anon, t('join.anonymous')),
        h('p', { class: 'hint', text: t('join.anonymous.hint') })
      )
    : null
  const sync = (): void => {
    const off = anon.checked
    name.disabled = off
    for (const input of Array.from(groups.querySelectorAll('input'))) input.disabled = off
  }
  anon.addEventListener('change', sync)
  const form = h(
    'form',
    { class: 'join-form', attrs: { method: 'dialog' } },
    h('h2', { id: 'join-h', text: t('join.title', { title: opts.title }) }),
    h('p', { class: 'lead', text: t('join.lead') }),
    h('div', { class: 'form-row' }, h('label', { text: t('join.name'), attrs: { for: nameId } }), name),
    groups,
    anonBox,
    err,
    h(
      'div',
      { class: 'dialog-buttons' },
      opts.cancellable
        ? h('button', {
            class: 'btn btn-ghost',
            text: t('app.cancel'),
            attrs: { type: 'button', value: 'cancel' },
            on: { click: () => dlg.close() }
          })
        : null,
      h('button', { class: 'btn btn-primary', text: t('join.submit'), attrs: { type: 'submit' } })
    )
  )
  const dlg = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': 'join-h' } }, form)
  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    if (anon.checked) {
      opts.onDone({ name: null, group: null })
      dlg.close()
      return
    }
    const n = name.value.trim().slice(0, 80)
    if (!n) {
      err.textContent = t('join.name.required')
      name.focus()
      return
    }
    const g = new FormData(form).get('group')
    opts.onDone({ name: n, group: typeof g === 'string' && g ? g : null })
    dlg.close()
  })
  dlg.addEventListener('cancel', (ev) => {
    if (!opts.cancellable) ev.preventDefault()
  })
  dlg.addEventListener('close', () => dlg.remove())
  sync()
  return dlg
}

export function helpDialog(): HTMLDialogElement {
  const keys = [
    'help.tab',
    'help.add',
    'help.edit',
    'help.nudge',
    'help.field',
    'help.color',
    'help.delete',
    'help.undo',
    'help.zoom',
    'help.goto',
    'help.minimap',
    'help.list',
    'help.search',
    'help.select'
  ] as const
  const dlg = h(
    'dialog',
    { class: 'dialog', attrs: { 'aria-labelledby': 'help-h' } },
    h('h2', { id: 'help-h', text: t('help.title') }),
    h('ul', { class: 'help-list' }, ...keys.map((k) => h('li', { text: t(k) }))),
    h('p', { class: 'hint', text: t('help.pointer') }),
    h(
      'div',
      { class: 'dialog-buttons' },
      h('button', {
        class: 'btn btn-primary',
        text: t('app.close'),
        attrs: { type: 'button' },
        on: { click: () => dlg.close() }
      })
    )
  )
  dlg.addEventListener('close', () => dlg.remove())
  return dlg
}
