// The wiring of starting over (P117, sync/strays.ts): a device refused with 4510 again and
// again drops its copy of the board and loads it afresh, keeping every note's words.
import { readSession, readStored, storageKeys, writeSession } from './config'
import type { Facilitation } from './facilitation/session'
import { t } from './i18n'
import type { Board } from './model/board'
import type { connect } from './sync/provider'
import { isNoteWordsList, noteWords, Refusals, STARTOVER_CODE, strays } from './sync/strays'
import { CLOSE } from './sync/vocab.gen'
import type { Toasts } from './view/toast'

/**
 * P117: four 4510 refusals within a minute mean this device's copy of the board carries
 * edits under a client id the person it no longer knows it was holds. Keep every note's
 * words, drop the copy (`drop`: IndexedDB and the unload tail) and load the board afresh;
 * once the fresh board is in, park what it does not show as drafts.
 */
export function startOverWhenRefused(
  boardId: string,
  board: Board,
  conn: ReturnType<typeof connect>,
  fac: Facilitation,
  toasts: Toasts,
  drop: () => Promise<void>
): void {
  const key = storageKeys.startover(boardId)
  const kept = readStored(key, isNoteWordsList)
  if (kept) {
    const compare = (synced: boolean): void => {
      if (!synced) return
      conn.provider.off('sync', compare)
      const parked = strays(kept, board)
      if (parked.length) {
        fac.drafts.fromRejected({
          ev: 'rejected',
          code: STARTOVER_CODE,
          reason: '',
          params: {},
          notes: [],
          whole: false,
          parked
        })
        // an owner or due date changed offline goes back into its task with one button
        fac.drafts.attachKeys(parked.filter((p) => p.text === board.text(p.id, 'text')?.toString()))
      }
      try {
        localStorage.removeItem(key)
      } catch {
        // blocked storage: nothing was kept there either
      }
      if (parked.length) {
        toasts.show(t('startover.done'), {
          kind: 'error',
          ms: 30000,
          action: { label: t('drafts.open'), run: () => fac.drafts.requestOpen() }
        })
      }
    }
    conn.provider.on('sync', compare)
  }
  const refusals = new Refusals()
  const lastKey = `${key}-at`
  let leaving = false
  conn.provider.on('connection-close', (event) => {
    if (leaving || event?.code !== CLOSE.CLIENT_ID_IN_USE || !refusals.refused(Date.now())) return
    leaving = true
    conn.provider.disconnect() // the refused loop ends here
    const failed = (): void => toasts.show(t('startover.failed'), { kind: 'error', ms: 600000 })
    // a fresh copy refused again would reload in a loop: once in ten minutes at most
    if (Date.now() - Number(readSession(lastKey) ?? 0) < 600_000) return failed()
    const words = new Map([...(kept ?? []), ...noteWords(board)].map((n) => [n.id, n]))
    try {
      localStorage.setItem(key, JSON.stringify([...words.values()]))
    } catch {
      return failed() // nowhere to keep the words: keep this copy, never drop it
    }
    writeSession(lastKey, String(Date.now()))
    drop().then(() => window.location.reload(), failed)
  })
}
