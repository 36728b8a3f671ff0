// Who writes: the public author id and the colour a person shows in, both computed here.
import type { Canvas } from './canvas'

/** The public author id is sha256("board:pid")[:16], as the server computes it (works offline). */
export async function authorIdFor(boardId: string, pid: string): Promise<string | null> {
  if (!crypto.subtle) return null
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${boardId}:${pid}`))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 16)
}

/** The group's colour, else one of a few picked steadily from `seed`. */
export function userColor(canvas: Canvas, group: string | null | undefined, seed: string): string {
  const g = canvas.group(group)
  if (g) return g.color
  const palette = ['#3b5b92', '#7a4a9e', '#2f6f4f', '#9c4a1a', '#8a2846', '#2c6e7f']
  let n = 0
  for (const ch of seed) n = (n * 31 + ch.charCodeAt(0)) >>> 0
  return palette[n % palette.length] ?? '#3b5b92'
}
