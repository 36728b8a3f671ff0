// The canvas definition (fields, prompts, groups, colours) as typed data from canvas.gen.ts,
// which the build generates from canvas_schema: no field is hard-coded in the client.
import { CANVASES } from './canvas.gen'

export interface Texts {
  readonly de: string
  readonly en: string
}

export type FieldKind = 'notes' | 'diagram' | 'table' | 'formats' | 'actions'

export interface Tick {
  readonly id: string
  readonly at: number
  readonly label: Texts
}

export interface Axis {
  readonly label: Texts
  readonly ticks: readonly Tick[]
}

export interface Column {
  readonly id: string
  readonly label: Texts
}

export interface FieldDef {
  readonly id: string
  readonly part: string
  readonly kind: string
  readonly label: Texts
  readonly prompt: Texts
  readonly help: Texts
  readonly layout: { readonly col: number; readonly row: number; readonly colspan: number; readonly rowspan: number }
  readonly minutes: number
  readonly axes?: { readonly x: Axis; readonly y: Axis }
  readonly columns?: readonly Column[]
  readonly formats?: readonly string[]
}

export interface PartDef {
  readonly id: string
  readonly label: Texts
  readonly subtitle: Texts
  readonly minutes: number
  readonly fields: readonly string[]
}

export interface GroupDef {
  readonly id: string
  readonly label: Texts
  readonly color: string
}

export interface NoteColor {
  readonly id: string
  readonly value: string
  readonly label: Texts
}

export interface FormatCard {
  readonly id: string
  readonly title: Texts
  readonly aim: Texts
  readonly how: Texts
  readonly time_frame: Texts
  readonly example: Texts
  readonly dos: readonly Texts[]
  readonly donts: readonly Texts[]
}

export interface AgendaDef {
  readonly id: string
  readonly kind: string
  readonly part: string | null
  readonly minutes: number
  readonly label: Texts
}

export interface CanvasDef {
  readonly id: string
  readonly version: number
  readonly title: Texts
  readonly description: Texts
  readonly default_locale: string
  readonly grid: { readonly columns: number; readonly rows: number }
  readonly parts: readonly PartDef[]
  readonly fields: readonly FieldDef[]
  readonly groups: readonly GroupDef[]
  readonly note_colors: readonly NoteColor[]
  readonly formats: readonly FormatCard[]
  readonly agenda: readonly AgendaDef[]
}

const ALL: Readonly<Record<string, CanvasDef>> = CANVASES

export function canvasIds(): string[] {
  return Object.keys(ALL)
}

export function getCanvas(id: string): CanvasDef | null {
  return Object.hasOwn(ALL, id) ? (ALL[id] ?? null) : null
}

export function fieldKind(field: FieldDef): FieldKind {
  switch (field.kind) {
    case 'diagram':
    case 'table':
    case 'formats':
    case 'actions':
      return field.kind
    default:
      return 'notes'
  }
}

/** Which note kind a field holds: partner rows in tables, actions in action lists. */
export function noteKindFor(field: FieldDef): 'note' | 'partner' | 'action' {
  const kind = fieldKind(field)
  if (kind === 'table') return 'partner'
  if (kind === 'actions') return 'action'
  return 'note'
}

export class Canvas {
  readonly def: CanvasDef
  private readonly byId: Map<string, FieldDef>

  constructor(def: CanvasDef) {
    this.def = def
    this.byId = new Map(def.fields.map((f) => [f.id, f]))
  }

  get fields(): readonly FieldDef[] {
    return this.def.fields
  }

  field(id: string): FieldDef | undefined {
    return this.byId.get(id)
  }

  group(id: string | null | undefined): GroupDef | undefined {
    return id ? this.def.groups.find((g) => g.id === id) : undefined
  }

  color(id: string | null | undefined): NoteColor {
    const first = this.def.note_colors[0] ?? { id: 'yellow', value: '#fff4a3', label: { de: 'Gelb', en: 'Yellow' } }
    return this.def.note_colors.find((c) => c.id === id) ?? first
  }

  part(id: string | null | undefined): PartDef | undefined {
    return id ? this.def.parts.find((p) => p.id === id) : undefined
  }

  agendaItem(id: string | null | undefined): AgendaDef | undefined {
    return id ? this.def.agenda.find((a) => a.id === id) : undefined
  }

  format(id: string | null | undefined): FormatCard | undefined {
    return id ? this.def.formats.find((f) => f.id === id) : undefined
  }

  /** Fields in reading order: part by part, as the canvas lists them. */
  orderedFields(): FieldDef[] {
    const out: FieldDef[] = []
    for (const part of this.def.parts) {
      for (const id of part.fields) {
        const f = this.byId.get(id)
        if (f) out.push(f)
      }
    }
    return out
  }
}
