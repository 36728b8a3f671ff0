// Board page: what a bad link or join code does. The REST answer tells the role early and
// explains a bad link before the socket does; a closed socket explains it otherwise.
import type { BoardLocation } from './config'
import { t } from './i18n'
import { normalizeJoinCode } from './model/joincode'
import { deviceStorage, rememberBoard } from './model/myboards'
import type { Role } from './sync/appTypes'
import type { SyncConnection } from './sync/provider'
import { ApiError, boardInfo } from './sync/rest'
import { CLOSE } from './sync/vocab.gen'
import { showError, showJoinCode } from './view/errorpage'
import { setJoinUrl } from './view/projector'

/** What access needs of the board page. */
export interface AccessHooks {
  role: () => Role | null
  setRole: (role: Role) => void
  /** The current link token (the moderator may rotate it). */
  token: () => string
  /** True once the board is shown: a later close is the status line's business. */
  shown: () => boolean
}

/** Ask the REST API about the link and watch the socket for a refusal of it. */
export function watchAccess(root: HTMLElement, where: BoardLocation, conn: SyncConnection, hooks: AccessHooks): void {
  const { boardId } = where
  // a mistyped or expired code: ask again, saying why. The REST answer and the socket's
  // close can come in either order; whichever is first asks, the other changes nothing.
  const typedCode = normalizeJoinCode(where.token) !== null
  let askedAgain = false
  function askCodeAgain(problem: string): void {
    if (askedAgain) return
    askedAgain = true
    conn.destroy()
    window.history.replaceState(null, '', window.location.pathname)
    showJoinCode(root, problem)
  }

  // the REST call tells the role early (and explains bad links) before the socket does
  boardInfo(boardId, where.token)
    .then((info) => {
      if (info.role !== null && hooks.role() !== info.role) hooks.setRole(info.role)
      if (info.joinUrl !== null) setJoinUrl(info.joinUrl)
      if (info.role === 'moderator') {
        // "Meine Boards" on the landing page: also boards whose moderator link was opened here
        const created = info.createdAt !== null ? info.createdAt * 1000 : Date.now()
        const link = `${window.location.origin}/b/${boardId}#k=${hooks.token()}`
        rememberBoard(deviceStorage(), { id: boardId, title: info.title, savedAt: created, links: { moderator: link } })
      }
    })
    .catch((err: unknown) => {
      if (!(err instanceof ApiError)) return
      if (typedCode && (err.status === 401 || err.status === 429)) {
        askCodeAgain(t(err.status === 401 ? 'joincode.wrong' : 'landing.join.ratelimit'))
        return
      }
      if (askedAgain) return
      if (err.status === 401 || err.status === 404) {
        conn.destroy()
        showError(root, t(err.status === 401 ? 'error.4401' : 'error.4404'))
      }
      // otherwise offline or a passing failure: go on with what this device remembers
    })

  conn.status.subscribe((s) => {
    if (s.fatal && !hooks.shown()) {
      if (typedCode && s.fatal.code === CLOSE.UNAUTHORIZED) {
        askCodeAgain(t('joincode.wrong'))
        return
      }
      if (typedCode && s.fatal.code === CLOSE.TOO_MANY_REQUESTS) {
        askCodeAgain(t('landing.join.ratelimit'))
        return
      }
      if (askedAgain) return
      showError(
        root,
        t(
          s.fatal.code === CLOSE.UNAUTHORIZED
            ? 'error.4401'
            : s.fatal.code === CLOSE.BOARD_NOT_FOUND
              ? 'error.4404'
              : 'error.4403'
        ),
        true
      )
    }
  })
}
