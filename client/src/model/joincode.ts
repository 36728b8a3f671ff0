// What people type to join: a short code from the projector (any case, with or without
// spaces and dashes) or a board link pasted with or without its scheme.

/** Join codes have 8 letters and digits; the server reads them the same way (P240). */
export const JOIN_CODE_LENGTH = 8
const MAX_INPUT = 2048
const BOARD_PATH = /^\/b\/([A-Za-z0-9_-]{6,64})\/?$/

/** The code in canonical form (`ABCD2345`), or null when `text` is not one. */
export function normalizeJoinCode(text: string): string | null {
  if (text.length > 64) return null
  const code = text.toUpperCase().replace(/[\s\-–—_.]/g, '')
  return /^[A-Z0-9]{8}$/.test(code) ? code : null
}

/** `ABCD2345` shown as `ABCD-2345`. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

export type JoinInput =
  | { kind: 'code'; code: string }
  | { kind: 'link'; href: string }
  | { kind: 'elsewhere'; host: string }
  | { kind: 'invalid' }

/**
 * Read the landing page's join field. `here` is this page's URL: links to this server open
 * (a link without its key opens the code prompt), links to another server are named.
 */
export function parseJoinInput(text: string, here: URL): JoinInput {
  const raw = text.trim()
  if (!raw || raw.length > MAX_INPUT) return { kind: 'invalid' }
  const code = normalizeJoinCode(raw)
  if (code) return { kind: 'code', code }
  const url = readUrl(raw, here)
  const m = url ? BOARD_PATH.exec(url.pathname) : null
  // only board addresses count: a mistyped code must not read as a host name
  if (!url || (!m?.[1] && url.pathname !== '/join')) return { kind: 'invalid' }
  if (url.host !== here.host) return { kind: 'elsewhere', host: url.host }
  if (!m?.[1]) return { kind: 'link', href: new URL('/join', here).href }
  const key = new URLSearchParams(url.hash.replace(/^#/, '')).get('k')
  // same origin as this page whatever scheme was typed: never downgrade to http
  const target = new URL(`/b/${m[1]}`, here)
  if (key) target.hash = `k=${key}`
  return { kind: 'link', href: target.href }
}

function readUrl(raw: string, here: URL): URL | null {
  if (/\s/.test(raw)) return null
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
    ? raw
    : raw.startsWith('/')
      ? `${here.origin}${raw}`
      : `${here.protocol}//${raw}`
  try {
    const url = new URL(withScheme)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}
