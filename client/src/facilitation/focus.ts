// "Bring everyone here": the moderator's focus (`control.focus`) moves each view once per new
// `seq`; people can step back out. With `follow`, projector views also go there when they
// open and return to the overview when the focus is released.
import type { FocusState } from '../model/control'

export interface FocusJump {
  /** The field to show, or null for the whole canvas. */
  field: string | null
  follow: boolean
  /** True for the first reading after the page opened (not a new command). */
  initial: boolean
}

export class FocusFollower {
  private primed = false
  private seq: number | null = null
  private readonly projector: () => boolean

  constructor(projector: () => boolean) {
    this.projector = projector
  }

  /** Feed every change of `control.focus`; returns where to go, or null to stay. */
  update(focus: FocusState | null): FocusJump | null {
    const first = !this.primed
    this.primed = true
    if (focus === null) return null
    if (!first && focus.seq === this.seq) return null
    this.seq = focus.seq
    if (first) {
      // opening the page is no command: only a following projector goes where the focus is
      return this.projector() && focus.follow ? { field: focus.field, follow: true, initial: true } : null
    }
    if (focus.field === null && !(this.projector() && focus.follow)) return null
    return { field: focus.field, follow: focus.follow, initial: false }
  }

  /** The page was rebuilt (language, role): the next reading counts as the first again. */
  reset(): void {
    this.primed = false
    this.seq = null
  }
}
