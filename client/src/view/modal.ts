// Modal dialogs for the follow-up (history, snapshot, compare, export, confirmations):
// a native <dialog> opened with showModal (the page behind is inert, Esc closes), a
// heading that names it, a polite live region for progress and an assertive one for
// errors, focus kept inside while Tab cycles, and focus given back on close.
import { t } from '../i18n'
import { h, setText, uid } from './dom'

export interface Modal {
  readonly dlg: HTMLDialogElement
  readonly body: HTMLElement
  readonly heading: HTMLElement
  /** Say something politely (progress, done). */
  status: (text: string) => void
  /** Say what went wrong. */
  error: (text: string) => void
  close: () => void
  /** Runs once the dialog closed (Esc, the close button, or close()). */
  onClose: (fn: () => void) => void
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.closest('[hidden]') && !el.closest('[inert]') && el.getClientRects().length > 0
  )
}

/** Keep Tab and Shift+Tab inside `root` (the browser would otherwise go on to its own UI). */
export function trapFocus(root: HTMLElement): void {
  root.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return
    const all = focusables(root)
    const first = all[0]
    const last = all[all.length - 1]
    if (!first || !last) return
    // the active element may be outside the tab order (the heading focused on opening)
    const active = document.activeElement
    const inside = active instanceof Node && root.contains(active)
    const precedes = (el: HTMLElement): boolean =>
      inside && (el.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
    const follows = (el: HTMLElement): boolean =>
      inside && (active.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
    if (ev.shiftKey && !all.some(precedes)) {
      ev.preventDefault()
      last.focus()
    } else if (!ev.shiftKey && !all.some(follows)) {
      ev.preventDefault()
      first.focus()
    }
  })
}

export function openModal(opts: { title: string; cls?: string; describe?: string; closeLabel?: string }): Modal {
  const headingId = uid('modal-h')
  const heading = h('h2', { id: headingId, text: opts.title, attrs: { tabindex: -1, dir: 'auto' } })
  const statusEl = h('p', { class: 'modal-status', attrs: { role: 'status', 'aria-live': 'polite' } })
  const errorEl = h('p', { class: 'form-error modal-error', attrs: { role: 'alert' } })
  const body = h('div', { class: 'modal-body' })
  const closeBtn = h('button', {
    class: 'btn btn-small btn-ghost modal-close',
    text: '×',
    attrs: {
      type: 'button',
      'aria-label': opts.closeLabel ?? t('app.close'),
      title: opts.closeLabel ?? t('app.close'),
      'data-close': ''
    }
  })
  const head = h('div', { class: 'modal-head' }, heading, closeBtn)
  const dlg = h(
    'dialog',
    { class: `dialog modal ${opts.cls ?? ''}`, attrs: { 'aria-labelledby': headingId } },
    head,
    opts.describe ? h('p', { class: 'hint modal-lead', text: opts.describe }) : null,
    statusEl,
    errorEl,
    body
  )
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const closers: Array<() => void> = []
  closeBtn.addEventListener('click', () => dlg.close())
  dlg.addEventListener('close', () => {
    dlg.remove()
    for (const fn of closers) fn()
    // the close event comes a task after close(): focus that code or the person moved
    // meanwhile (to the note a dialog's button led to) stays where it went
    const now = document.activeElement
    const moved = now instanceof HTMLElement && now !== document.body && now !== opener && !dlg.contains(now)
    if (!moved && opener?.isConnected) opener.focus()
  })
  trapFocus(dlg)
  // the top layer: inside the topmost open dialog, or the page
  document.body.append(dlg)
  dlg.showModal()
  return {
    dlg,
    body,
    heading,
    status: (text) => {
      setText(errorEl, '')
      setText(statusEl, text)
    },
    error: (text) => {
      setText(statusEl, '')
      setText(errorEl, text)
    },
    close: () => {
      if (dlg.open) dlg.close()
    },
    onClose: (fn) => {
      closers.push(fn)
    }
  }
}

/** Ask before something with consequences; resolves true for "yes". */
export function confirmModal(opts: {
  title: string
  text: string[]
  yes: string
  no?: string
  danger?: boolean
}): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false
    const m = openModal({ title: opts.title, cls: 'modal-confirm' })
    for (const p of opts.text) m.body.append(h('p', { text: p, attrs: { dir: 'auto' } }))
    const no = h('button', {
      class: 'btn',
      text: opts.no ?? t('app.cancel'),
      attrs: { type: 'button', 'data-confirm': 'no' },
      on: { click: () => m.close() }
    })
    const yes = h('button', {
      class: `btn ${opts.danger ? 'btn-danger' : 'btn-primary'}`,
      text: opts.yes,
      attrs: { type: 'button', 'data-confirm': 'yes' },
      on: {
        click: () => {
          answer = true
          m.close()
        }
      }
    })
    m.body.append(h('div', { class: 'dialog-buttons' }, no, yes))
    m.onClose(() => resolve(answer))
    no.focus()
  })
}
