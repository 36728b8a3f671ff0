// The export menu (everyone): protocol, tables, images, calendar and archive of the live
// board or of a snapshot, with "without names" and the file's language. The file is
// fetched with the link token, then saved through an object URL and <a download> (the
// strict CSP allows that: a download is a navigation, not a fetch).
import { LOCALES, locale, t } from '../i18n'
import type { Canvas } from '../model/canvas'
import { type BoardApi, type Download, EXPORT_FORMATS, type ExportFormat, type SnapshotInfo } from '../sync/rest'
import { HEAVY_EXPORTS } from '../sync/vocab.gen'
import { h, uid } from './dom'
import { openModal } from './modal'
import { apiError } from './restore'
import { title as snapTitle } from './snapshotlabel'

/** Rendered in a process pool on the server: 1-3 s. */
const SLOW: ReadonlySet<ExportFormat> = new Set(HEAVY_EXPORTS)
const KEEP_URL_MS = 60_000

export interface ExportDeps {
  api: BoardApi
  canvas: Canvas
  /** The snapshot open in the history, offered as the source (else the live board). */
  snapshot: SnapshotInfo | null
}

/** Save a fetched file under its name (the object URL lives a minute, then is freed). */
export function saveFile(d: Download, host: HTMLElement): void {
  const url = URL.createObjectURL(d.blob)
  const a = h('a', { attrs: { href: url, download: d.filename }, hidden: true })
  host.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS)
}

export function openExport(deps: ExportDeps): void {
  const m = openModal({ title: t('export.title'), describe: t('export.lead'), cls: 'modal-wide modal-export' })
  m.dlg.dataset.dialog = 'export'
  let busy: AbortController | null = null

  // where from: the live board, or the snapshot open in the history
  let source: HTMLElement
  const snapRadio = h('input', { attrs: { type: 'radio', name: 'export-source', value: 'snapshot', checked: true } })
  if (deps.snapshot) {
    source = h(
      'fieldset',
      { class: 'radios' },
      h('legend', { text: t('export.source') }),
      h(
        'label',
        { class: 'radio' },
        snapRadio,
        h('span', {
          text: t('export.source.snapshot', { name: snapTitle(deps.canvas, deps.snapshot) }),
          attrs: { dir: 'auto' }
        })
      ),
      h(
        'label',
        { class: 'radio' },
        h('input', { attrs: { type: 'radio', name: 'export-source', value: 'live' } }),
        t('export.source.live')
      )
    )
  } else {
    source = h('p', { class: 'export-source', text: t('export.source.now') })
  }
  const anonHint = uid('anon-hint')
  const anon = h('input', { attrs: { type: 'checkbox', name: 'anonymize', 'aria-describedby': anonHint } })
  const langId = uid('export-lang')
  const lang = h(
    'select',
    { id: langId, attrs: { name: 'export-locale' } },
    ...LOCALES.map((l) => h('option', { text: t(`lang.${l}`), attrs: { value: l, selected: l === locale() } }))
  )
  const options = h(
    'div',
    { class: 'export-options' },
    source,
    h(
      'div',
      { class: 'checkbox-row' },
      h('label', { class: 'radio' }, anon, t('export.anonymize')),
      h('p', { class: 'hint', id: anonHint, text: t('export.anonymize.hint') })
    ),
    h('div', { class: 'form-row form-inline' }, h('label', { text: t('export.locale'), attrs: { for: langId } }), lang)
  )

  const progress = h(
    'div',
    { class: 'export-progress', hidden: true },
    h('progress', { attrs: { 'aria-label': t('export.progress') } }),
    h('button', {
      class: 'btn btn-small',
      text: t('app.cancel'),
      attrs: { type: 'button', 'data-export-cancel': '' },
      on: { click: () => busy?.abort() }
    })
  )

  const buttons = new Map<ExportFormat, HTMLButtonElement>()
  const list = h('ul', { class: 'export-list', attrs: { 'aria-label': t('export.formats') } })
  for (const fmt of EXPORT_FORMATS) {
    const hintId = uid('export-hint')
    const btn = h('button', {
      class: 'btn export-btn',
      text: t(`export.fmt.${fmt}`),
      attrs: { type: 'button', 'data-export': fmt, 'aria-describedby': hintId }
    })
    btn.addEventListener('click', () => {
      void run(fmt)
    })
    buttons.set(fmt, btn)
    list.append(
      h('li', { class: 'export-item' }, btn, h('span', { class: 'hint', id: hintId, text: t(`export.hint.${fmt}`) }))
    )
  }

  // the archive always holds every name and snapshot: not offered "without names"
  const syncArchive = (): void => {
    const archive = buttons.get('cocanvas')
    archive?.setAttribute('aria-disabled', String(anon.checked))
  }
  anon.addEventListener('change', syncArchive)
  syncArchive()

  const setBusy = (on: boolean): void => {
    progress.hidden = !on
    m.dlg.setAttribute('aria-busy', String(on))
    for (const [fmt, b] of buttons) b.setAttribute('aria-disabled', String(on || (fmt === 'cocanvas' && anon.checked)))
  }

  const run = async (fmt: ExportFormat): Promise<void> => {
    if (busy) return
    const name = t(`export.fmt.${fmt}`)
    if (fmt === 'cocanvas' && anon.checked) {
      m.error(t('export.archive.names'))
      return
    }
    const controller = new AbortController()
    busy = controller
    setBusy(true)
    m.status(t(SLOW.has(fmt) ? 'export.busy.slow' : 'export.busy', { format: name }))
    const fromSnapshot = deps.snapshot !== null && snapRadio.checked
    try {
      const file = await deps.api.export(
        fmt,
        {
          snapshot: fromSnapshot ? deps.snapshot?.sid : null,
          anonymize: anon.checked,
          locale: lang.value
        },
        controller.signal
      )
      saveFile(file, m.dlg)
      m.status(t('export.done', { format: name, file: file.filename }))
    } catch (err) {
      m.error(t('export.failed', { format: name, reason: apiError(err) }))
    } finally {
      busy = null
      setBusy(false)
    }
  }

  m.onClose(() => busy?.abort())
  m.body.append(options, progress, list)
  buttons.get('pdf')?.focus()
}
