// The facilitation state of this page, kept across rebuilds of the view: the server clock,
// this person's ballot and private notes, the join code, focus following, and typed
// requests for the moderator's commands. No DOM: views subscribe to the signals.
import type { LogEntry } from '../model/control'
import type { AppChannel } from '../sync/AppChannel'
import type { AppEvent } from '../sync/appEvents'
import type { HelloReply, LateNote, Op, OpArgs, OpReplies, Role } from '../sync/appTypes'
import { ServerClock } from './clock'
import { LiveCounts } from './counters'
import { type DraftStorage, Drafts } from './drafts'
import { FocusFollower } from './focus'
import { type Permissions, permissionsFor } from './permissions'
import { PrivateNotes } from './private'
import { type RecentStorage, RecentWrites } from './recent'
import { Signal } from './signal'
import { Ballot } from './voting'

export class Facilitation {
  readonly app: AppChannel
  readonly clock = new ServerClock()
  readonly ballot = new Ballot()
  /** Writers and voters per field (moderators only, P293). */
  readonly counts = new LiveCounts()
  readonly privateNotes: PrivateNotes
  readonly focus: FocusFollower
  /** Words this person could not place, kept on this device (P262). */
  readonly drafts: Drafts
  /** What this person last wrote into notes' plain-string keys, for P266. */
  readonly recent: RecentWrites
  /** A note's plain-string keys as they stand now; null: gone (set by the composition root). */
  noteWords: (note: string) => Record<string, string> | null = () => null
  /** Whether a key's value written at an item id lost to an unseen write (set likewise). */
  keyOvertaken: (note: string, key: string, at: [number, number] | null) => boolean = () => true
  /** Late notes waiting for the moderator's decision (moderators only, P264). */
  lateNotes: LateNote[] = []
  readonly lateChanged = new Signal()
  /** The server handed refused words back: `n` drafts are new or grew. */
  onParked: (n: number) => void = () => {}
  /** Join code, board id or the link-rotated notice changed. */
  readonly changed = new Signal()
  /** The moderator restored a snapshot in place (a new `snapshot.restore` log entry). */
  readonly restored = new Signal()
  /** The short participant join code ("ABCD-2345") when the server shares it with us
   * (moderators and projector links only). */
  joinCode: string | null = null
  /** When the join code stops working (server epoch ms); null: never or unknown. */
  joinCodeExpiresAt: number | null = null
  boardId: string
  /** The moderator replaced the link this page uses: the next close is expected. */
  linkRotated = false
  /** The moderator replaced the link of this page's own role (set by the composition root). */
  onOwnToken: (token: string) => void = () => {}
  /** Ask the server for hello again (set by the composition root). */
  rehello: () => void = () => {}
  /** A request failed: views explain it (set by the view layer). */
  onError: (op: Op, err: unknown) => void = () => {}
  private role: Role | null = null
  private projector = false
  private logSeen: number | null = null

  constructor(
    app: AppChannel,
    boardId: string,
    drafts: DraftStorage = { read: () => [], write: () => {} },
    recent: RecentStorage = { read: () => [], write: () => {} }
  ) {
    this.app = app
    this.boardId = boardId
    this.drafts = new Drafts(drafts)
    this.recent = new RecentWrites(recent)
    this.privateNotes = new PrivateNotes(app)
    this.privateNotes.onError = (err) => this.onError('private.put', err)
    this.focus = new FocusFollower(() => this.isProjector())
    app.onEvent((ev) => this.onEvent(ev))
  }

  setRole(role: Role | null): void {
    this.role = role
  }

  setProjector(on: boolean): void {
    this.projector = on
  }

  isProjector(): boolean {
    return this.projector || this.role === 'viewer' || this.role === 'projector'
  }

  permissions(): Permissions {
    return permissionsFor(this.role, this.projector)
  }

  onHello(reply: HelloReply): void {
    this.role = reply.role
    this.setJoinCode(reply.join_code ?? null, reply.join_code_expires_at ?? null)
    if (typeof reply.board === 'string') this.boardId = reply.board
    if (Array.isArray(reply.private_notes)) this.privateNotes.replace(reply.private_notes)
    if (reply.vote) this.ballot.set(reply.vote)
    if (reply.late_notes) this.setLate(reply.late_notes)
    this.changed.emit()
    // samples of earlier connections stay: the clocks' difference does not change with them
    this.clock
      .sync(() => this.app.request('clock', {}))
      .catch(() => {
        // dropped connection: the next hello measures again
      })
  }

  /**
   * Feed the decision log after each change. The join code comes with hello and the
   * `join.code` event; when the moderator replaced the participant link or changed whether
   * the code is shown, ask again as well (an older server sends no event).
   */
  noticeLog(entries: LogEntry[]): void {
    const last = entries.at(-1)?.at ?? 0
    const seen = this.logSeen
    this.logSeen = Math.max(seen ?? 0, last)
    if (seen === null || last <= seen) return
    if (entries.some((e) => e.at > seen && e.op === 'snapshot.restore')) this.restored.emit()
    const refresh = entries.some(
      (e) =>
        e.at > seen &&
        ((e.op === 'link.rotate' && e.details.role === 'participant') ||
          (e.op === 'board.settings' && 'show_join_code' in e.details))
    )
    if (refresh) this.rehello()
  }

  setJoinCode(code: string | null, expiresAt: number | null): void {
    this.joinCode = code
    this.joinCodeExpiresAt = code ? expiresAt : null
  }

  /** Send a request; a refusal reaches `onError` and resolves to null. */
  async run<K extends Op>(op: K, args: OpArgs[K]): Promise<OpReplies[K] | null> {
    try {
      return await this.app.request(op, args)
    } catch (err) {
      this.onError(op, err)
      return null
    }
  }

  /** Hand a draft in as a late note; the draft goes only once the server holds it. */
  async handIn(draftId: string, field: string): Promise<boolean> {
    const d = this.drafts.get(draftId)
    if (!d) return false
    // a draft of a note of theirs may continue it: accepting then completes that note
    const reply = await this.run('late.put', d.note ? { field, text: d.text, note: d.note } : { field, text: d.text })
    if (reply) this.drafts.remove(draftId)
    return reply !== null
  }

  decideLate(id: string, accept: boolean): void {
    void this.run(accept ? 'late.accept' : 'late.dismiss', { note: id })
  }

  private setLate(notes: LateNote[]): void {
    this.lateNotes = notes
    this.lateChanged.emit()
  }

  castVote(note: string): void {
    void this.run('vote.cast', { note }).then((state) => {
      if (state) this.ballot.set(state)
    })
  }

  retractVote(note: string): void {
    void this.run('vote.retract', { note }).then((state) => {
      if (state) this.ballot.set(state)
    })
  }

  private onEvent(ev: AppEvent): void {
    switch (ev.ev) {
      case 'counts':
        this.counts.set(ev)
        break
      case 'private.notes':
        this.privateNotes.replace(ev.notes)
        break
      case 'vote.state': {
        const { ev: _ev, ...state } = ev
        this.ballot.set(state)
        break
      }
      case 'link.rotated':
        this.linkRotated = true
        this.changed.emit()
        break
      case 'join.code':
        this.setJoinCode(ev.join_code, ev.join_code_expires_at)
        this.changed.emit()
        break
      case 'late.notes':
        this.setLate(ev.notes)
        break
      case 'rejected': {
        const n =
          this.drafts.fromRejected(ev) +
          this.drafts.fromOvertaken(ev, (note) =>
            this.recent.lost(note, this.noteWords(note), (key, at) => this.keyOvertaken(note, key, at))
          )
        if (n) this.onParked(n)
        break
      }
    }
  }
}
