// DOM helpers: elements are built from parts, text only ever goes in via text nodes.

type Child = Node | string | number | null | undefined | false
type Handler = (ev: Event) => void

export interface Props {
  class?: string
  id?: string
  text?: string
  attrs?: Record<string, string | number | boolean | null | undefined>
  on?: Record<string, Handler>
  dataset?: Record<string, string>
  hidden?: boolean
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (props.class) el.className = props.class
  if (props.id) el.id = props.id
  if (props.text !== undefined) el.textContent = props.text
  if (props.hidden) el.hidden = true
  if (props.attrs) {
    for (const [k, v] of Object.entries(props.attrs)) setAttr(el, k, v)
  }
  if (props.dataset) Object.assign(el.dataset, props.dataset)
  if (props.on) {
    for (const [name, fn] of Object.entries(props.on)) el.addEventListener(name, fn)
  }
  append(el, ...children)
  return el
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c)
  }
}

export function setAttr(el: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (value === null || value === undefined || value === false) el.removeAttribute(name)
  else el.setAttribute(name, value === true ? '' : String(value))
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild)
}

const SVG_NS = 'http://www.w3.org/2000/svg'

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: SVGElement[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  for (const c of children) el.append(c)
  return el
}

let idCounter = 0
export function uid(prefix: string): string {
  idCounter += 1
  return `${prefix}-${idCounter}`
}

/** True for elements where keys type text (shortcuts must not fire there). */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type)
  }
  return false
}

/** Relative luminance contrast: pick black or white text for a background colour. */
export function textOn(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex)
  if (!m) return '#111111'
  const ch = [m[1], m[2], m[3]].map((x) => {
    const c = parseInt(x ?? '0', 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  const lum = 0.2126 * (ch[0] ?? 0) + 0.7152 * (ch[1] ?? 0) + 0.0722 * (ch[2] ?? 0)
  return lum > 0.179 ? '#111111' : '#ffffff'
}

export function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false
}
