// Snapshots in words: when, what kind, and a name (automatic labels are English data from
// the server, so they are told again in the reader's language).
import { targetLabel } from '../facilitation/timer'
import { locale, t } from '../i18n'
import type { Canvas } from '../model/canvas'
import type { SnapshotInfo } from '../sync/rest'

export function when(info: SnapshotInfo): string {
  return new Intl.DateTimeFormat(locale() === 'en' ? 'en-GB' : 'de-DE', {
    dateStyle: 'medium',
    timeStyle: 'medium'
  }).format(new Date(info.createdAt * 1000))
}

export function isoTime(info: SnapshotInfo): string {
  return new Date(info.createdAt * 1000).toISOString()
}

export function kindWords(info: SnapshotInfo): string {
  return t(`snap.kind.${info.kind}`)
}

/** The label people gave it, or a readable one for automatic snapshots ('' when none). */
export function label(canvas: Canvas, info: SnapshotInfo): string {
  // automatic snapshots carry data, not words: the timer target, or nothing
  if (info.kind === 'part-end' && info.label) {
    return t('snap.label.partEnd', { target: targetLabel(canvas, info.label, null) })
  }
  if (info.kind === 'before-restore') return ''
  return info.label
}

/** One line that names a snapshot: "Stand vom 12.05.2026, 14:03 („Ende Teil A“)". */
export function title(canvas: Canvas, info: SnapshotInfo): string {
  const l = label(canvas, info)
  return l
    ? t('snap.title.label', { when: when(info), label: l })
    : t('snap.title', { when: when(info), kind: kindWords(info) })
}

/** The same, starting with a capital letter (on its own: a heading, a list option). */
export function heading(canvas: Canvas, info: SnapshotInfo): string {
  const s = title(canvas, info)
  return s.charAt(0).toUpperCase() + s.slice(1)
}
