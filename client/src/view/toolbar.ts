// The board toolbar: canvas or list, zoom, cursors, the panels' buttons, undo and redo,
// history, export, language, profile and help. Symbols where space is short, names for all.
import { LOCALES, locale, t } from '../i18n'
import type { AppDeps } from './app'
import type { BoardCanvas } from './canvas'
import { h, setText } from './dom'
import { openExport } from './exportmenu'

export type BoardView = 'canvas' | 'list'

export interface ButtonOpts {
  cls?: string
  text?: string
  attrs?: Record<string, string>
}

export function toolButton(label: string, onClick: () => void, opts: ButtonOpts = {}): HTMLButtonElement {
  // symbol-only buttons get the label as their name; text buttons keep their visible text
  // as the name (WCAG 2.5.3) and show the longer label as a tooltip
  return h('button', {
    class: `btn btn-small ${opts.cls ?? ''}`,
    text: opts.text ?? label,
    attrs: {
      type: 'button',
      'aria-label': opts.text && opts.text.length <= 2 ? label : null,
      title: label,
      ...opts.attrs
    },
    on: { click: onClick }
  })
}

/** The panels' toggle buttons; the toolbar only places them. */
export interface PanelButtons {
  mod: HTMLButtonElement | null
  presence: HTMLButtonElement
  log: HTMLButtonElement
  band: HTMLButtonElement | null
}

export interface ToolbarDeps {
  app: AppDeps
  canvas: BoardCanvas
  panels: PanelButtons
  setView: (v: BoardView) => void
  openHistory: () => void
  openHelp: () => void
}

export interface Toolbar {
  readonly el: HTMLElement
  /** Pressed state follows the view shown. */
  readonly viewBtns: Record<BoardView, HTMLButtonElement>
}

export function buildToolbar(deps: ToolbarDeps): Toolbar {
  const { app, canvas, panels } = deps
  const { ctx, prefs } = app
  const viewBtns = {
    canvas: toolButton(t('toolbar.view.canvas'), () => deps.setView('canvas'), { attrs: { 'aria-pressed': 'true' } }),
    list: toolButton(t('toolbar.view.list'), () => deps.setView('list'), {
      attrs: { 'aria-pressed': 'false', 'aria-controls': 'listview' }
    })
  }
  const zoomLevel = h('output', { class: 'zoom-level', attrs: { 'aria-live': 'off' } })
  canvas.pz.onChange((v) => setText(zoomLevel, t('toolbar.zoom.level', { percent: Math.round(v.scale * 100) })))
  const cursorsBox = h('input', { attrs: { type: 'checkbox', checked: prefs.cursors, id: 'cursors-toggle' } })
  cursorsBox.addEventListener('change', () => {
    canvas.cursors.setVisible(cursorsBox.checked)
    prefs.cursors = cursorsBox.checked
    app.savePrefs({ ...prefs })
  })
  canvas.cursors.setVisible(prefs.cursors)
  const langSel = h(
    'select',
    { attrs: { 'aria-label': t('lang.switch'), id: 'ui-lang' } },
    ...LOCALES.map((l) => h('option', { text: t(`lang.${l}`), attrs: { value: l, selected: l === locale() } }))
  )
  langSel.addEventListener('change', () => app.onLocale(langSel.value === 'en' ? 'en' : 'de'))
  const projectorOff = app.projector ? app.onProjector : null

  const el = h(
    'div',
    { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': t('toolbar.label') } },
    projectorOff
      ? toolButton(t('mod.projector.off'), () => projectorOff(false), {
          cls: 'btn-mod',
          attrs: { 'data-projector': 'off' }
        })
      : null,
    panels.mod,
    h(
      'div',
      { class: 'tool-group', attrs: { role: 'group', 'aria-label': t('toolbar.view.label') } },
      viewBtns.canvas,
      viewBtns.list
    ),
    h(
      'div',
      { class: 'tool-group zoom-tools' },
      toolButton(t('toolbar.zoom.out'), () => canvas.pz.zoom(1 / 1.25), { text: '−' }),
      zoomLevel,
      toolButton(t('toolbar.zoom.in'), () => canvas.pz.zoom(1.25), { text: '+' }),
      toolButton(t('toolbar.zoom.fit.hint'), () => canvas.pz.fit(), {
        text: t('toolbar.zoom.fit'),
        attrs: { 'data-action': 'fit' }
      })
    ),
    h('label', { class: 'tool-check' }, cursorsBox, t('toolbar.cursors')),
    panels.presence,
    ctx.readOnly()
      ? null
      : h(
          'div',
          { class: 'tool-group' },
          toolButton(t('toolbar.undo'), () => ctx.actions.undo(), { text: '↶' }),
          toolButton(t('toolbar.redo'), () => ctx.actions.redo(), { text: '↷' })
        ),
    panels.log,
    toolButton(t('toolbar.history.hint'), deps.openHistory, {
      text: t('toolbar.history'),
      attrs: { 'data-open': 'history', 'aria-haspopup': 'dialog' }
    }),
    toolButton(t('toolbar.export.hint'), () => openExport({ api: app.api, canvas: ctx.canvas, snapshot: null }), {
      text: t('toolbar.export'),
      attrs: { 'data-open': 'export', 'aria-haspopup': 'dialog' }
    }),
    panels.band,
    langSel,
    app.onProfile ? toolButton(t('join.change.label'), app.onProfile, { text: t('join.change') }) : null,
    toolButton(t('toolbar.help'), deps.openHelp, { text: '?' })
  )
  return { el, viewBtns }
}
