// A refused or failed app request, told in the person's language.
import { t } from '../i18n'
import { AppRequestError, refusalCode } from '../sync/appmsg'
import type { Op } from '../sync/appTypes'
import type { Toasts } from './toast'

/** A refused or failed request, told in the person's language (server details below). */
export function explainRefusal(toasts: Toasts, op: Op, err: unknown): void {
  const key = refusalCode(err)
  const detail =
    err instanceof AppRequestError && err.message && key !== 'offline'
      ? t('rejected.detail', { reason: err.message })
      : undefined
  toasts.show(t(`op.error.${key}`, { op }), { kind: 'error', detail })
}
