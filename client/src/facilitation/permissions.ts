// What a role may do, from the generated op table (the server enforces the same table).
import { allowed, type Role } from '../sync/appTypes'

export interface Permissions {
  /** Moderator controls: timer, locks, focus, private writing, votes, links, settings. */
  moderate: boolean
  /** Add, edit and move notes (subject to locks). */
  write: boolean
  vote: boolean
  writePrivate: boolean
}

export function permissionsFor(role: Role | null, projector = false): Permissions {
  if (projector) return { moderate: false, write: false, vote: false, writePrivate: false }
  return {
    moderate: allowed(role, 'timer.start') && allowed(role, 'lock.set'),
    write: role === 'moderator' || role === 'participant',
    vote: allowed(role, 'vote.cast'),
    writePrivate: allowed(role, 'private.put')
  }
}
