// Viewport math without DOM: where the board sits for "show all", for a readable view of a
// field or part, for a zoom around a point, and which part of the board is in sight.

/** Where the board is drawn: translate (x, y) in viewport px, then scale. */
export interface View {
  x: number
  y: number
  scale: number
}

/** A rectangle in board units (CSS px at zoom 1). */
export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

export interface Size {
  w: number
  h: number
}

/** Zooming out by hand stops here, unless "show all" needs less (see `minScale`). */
export const MIN_SCALE = 0.15
export const MAX_SCALE = 3
/** Never below this, however tall the board grows. */
export const FLOOR_SCALE = 0.02
/** Note text in the first view and when zooming to a field is at least this size (CSS px). */
export const READABLE_PX = 14

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

/** The scale at which `fontPx` text reads as `READABLE_PX`. */
export function readableScale(fontPx: number, minPx = READABLE_PX): number {
  return fontPx > 0 ? minPx / fontPx : 1
}

/** The scale at which `rect` fits into `port` with `pad` on each side. */
export function fitScale(rect: Size, port: Size, pad: number): number {
  if (rect.w <= 0 || rect.h <= 0) return 1
  return Math.max(FLOOR_SCALE, Math.min((port.w - pad * 2) / rect.w, (port.h - pad * 2) / rect.h))
}

/** The lowest scale allowed: low enough that "show all" always fits the whole board. */
export function minScale(board: Size, port: Size, pad: number): number {
  return Math.min(MIN_SCALE, fitScale(board, port, pad))
}

/** Show `rect` at `scale`: centred when it fits whole, else from its top-left corner at `pad`
 * (a centred part of something too big would hide where it begins). */
export function place(rect: Rect, port: Size, scale: number, pad: number): View {
  const fits = rect.w * scale <= port.w - pad * 2 + 1e-6 && rect.h * scale <= port.h - pad * 2 + 1e-6
  if (!fits) return { scale, x: pad - rect.x * scale, y: pad - rect.y * scale }
  return {
    scale,
    x: (port.w - rect.w * scale) / 2 - rect.x * scale,
    y: (port.h - rect.h * scale) / 2 - rect.y * scale
  }
}

/** The whole of `rect` in sight, as large as `maxScale` allows. */
export function fitRect(rect: Rect, port: Size, pad: number, maxScale = MAX_SCALE): View {
  return place(rect, port, Math.min(maxScale, fitScale(rect, port, pad)), pad)
}

/** `rect` as large as fits, but never smaller than `readable`: a field or part too big to be
 * read whole shows its top-left part at the readable scale, to be panned from there. */
export function readableRect(rect: Rect, port: Size, pad: number, readable: number, maxScale = 2, give = 1): View {
  const fit = fitScale(rect, port, pad)
  // `give` < 1: shown whole a little smaller rather than cut off at the right (a table
  // whose last column would sit off screen on a tablet); a table too tall for that still
  // shows every column, its rows panned down to
  const across = (port.w - pad * 2) / rect.w
  const least =
    fit >= readable * give
      ? Math.min(fit, readable)
      : across < readable && across >= readable * give
        ? across
        : readable
  const scale = Math.max(Math.min(least, maxScale), Math.min(maxScale, fit))
  return place(rect, port, scale, pad)
}

/** Where the overview lies over the port (port px): as it is now, and folded to its button
 * (null when it is folded already). */
export interface Cover {
  now: Rect
  folded: Rect | null
}

/** Whether `keep` (board units), shown by `v`, lies partly under `cover` (port px). */
export function under(keep: Rect, v: View, cover: Rect): boolean {
  const x = v.x + keep.x * v.scale
  const y = v.y + keep.y * v.scale
  const w = Math.min(x + keep.w * v.scale, cover.x + cover.w) - Math.max(x, cover.x)
  const h = Math.min(y + keep.h * v.scale, cover.y + cover.h) - Math.max(y, cover.y)
  return w > 1 && h > 1
}

/** Whether `rect` (board units), shown by `v`, lies wholly inside `room` (port px). */
function inside(rect: Rect, v: View, room: Size): boolean {
  const x = v.x + rect.x * v.scale
  const y = v.y + rect.y * v.scale
  return x >= -1 && y >= -1 && x + rect.w * v.scale <= room.w + 1 && y + rect.h * v.scale <= room.h + 1
}

/** The view `pick` gives for the port, unless it puts `keep` (or one of `also`) under the
 * overview: then the one `pick` gives for the room left of or above it (one that shows `keep`
 * whole first, then the larger); failing that, the same beside the overview folded to its
 * button (`fold`), where only `keep` counts; failing that too (`keep` is larger than the
 * view), the port's view, to be panned clear, with the overview folded if it hides one of
 * `also`. */
export function clearOf(
  keep: Rect,
  port: Size,
  cover: Cover | null,
  pick: (room: Size) => View,
  also: readonly Rect[] = []
): { view: View; fold: boolean } {
  const whole = pick(port)
  const beside = (c: Rect, clear: readonly Rect[]): View | null => {
    // one by one: their union would span the gaps between them, where the overview may lie
    const hides = (v: View): boolean => under(keep, v, c) || clear.some((r) => under(r, v, c))
    if (!hides(whole)) return whole
    let best: { v: View; whole: boolean } | null = null
    for (const room of [
      { w: c.x, h: port.h },
      { w: port.w, h: c.y }
    ]) {
      if (room.w <= 0 || room.h <= 0) continue
      const v = pick(room)
      if (hides(v)) continue
      const shown = inside(keep, v, room)
      if (best === null || (shown && !best.whole) || (shown === best.whole && v.scale > best.v.scale)) {
        best = { v, whole: shown }
      }
    }
    return best?.v ?? null
  }
  if (!cover) return { view: whole, fold: false }
  const now = beside(cover.now, also)
  if (now) return { view: now, fold: false }
  // folded, only `keep` counts: the button hides little of what else is in sight
  const folded = cover.folded ? beside(cover.folded, []) : null
  if (folded) return { view: folded, fold: true }
  // open it helps to pan across what is too large to show, unless it hides what must be read
  return { view: whole, fold: cover.folded !== null && also.some((r) => under(r, whole, cover.now)) }
}

/** Zoom by `factor` keeping the viewport point (px, py) where it is. */
export function zoomAt(v: View, factor: number, px: number, py: number, lo: number, hi: number): View {
  const scale = clamp(v.scale * factor, lo, hi)
  const k = scale / v.scale
  return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k }
}

/** The board point shown at viewport point (px, py). */
export function toBoard(v: View, px: number, py: number): { x: number; y: number } {
  return { x: (px - v.x) / v.scale, y: (py - v.y) / v.scale }
}

/** Move the view (same scale) so that board point (bx, by) is in the middle of `port`. */
export function centreOn(v: View, bx: number, by: number, port: Size): View {
  return { scale: v.scale, x: port.w / 2 - bx * v.scale, y: port.h / 2 - by * v.scale }
}

/** The part of the board in sight, in board units. */
export function visibleRect(v: View, port: Size): Rect {
  return { x: -v.x / v.scale, y: -v.y / v.scale, w: port.w / v.scale, h: port.h / v.scale }
}

/** The smallest rectangle holding all of `rects`. */
export function union(rects: Rect[]): Rect | null {
  if (rects.length === 0) return null
  const x = Math.min(...rects.map((r) => r.x))
  const y = Math.min(...rects.map((r) => r.y))
  const r = Math.max(...rects.map((q) => q.x + q.w))
  const b = Math.max(...rects.map((q) => q.y + q.h))
  return { x, y, w: r - x, h: b - y }
}
