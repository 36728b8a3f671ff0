"""The one list of app-message ops and who may send them (P44).

Part of the wire vocabulary (`vocabulary.py`): the browser client's
`client/src/sync/vocab.gen.ts` is generated from it, and `tests/unit/test_vocabulary.py`
fails when the two disagree.
"""

from __future__ import annotations

from .vocabulary import ROLES

ALL = ROLES
WRITERS = ("moderator", "participant")
MODERATOR = ("moderator",)

OPS: dict[str, tuple[str, ...]] = {
    "hello": ALL,
    "clock": ALL,
    "agenda.set": MODERATOR,
    "timer.start": MODERATOR,
    "timer.pause": MODERATOR,
    "timer.resume": MODERATOR,
    "timer.extend": MODERATOR,
    "timer.stop": MODERATOR,
    "lock.set": MODERATOR,
    "focus.set": MODERATOR,
    "view.set": MODERATOR,
    "projector.push": MODERATOR,
    "private.set": MODERATOR,
    "private.reveal": MODERATOR,
    "private.put": WRITERS,
    "private.delete": WRITERS,
    "late.put": WRITERS,
    "late.accept": MODERATOR,
    "late.dismiss": MODERATOR,
    "vote.open": MODERATOR,
    "vote.cast": WRITERS,
    "vote.retract": WRITERS,
    "vote.close": MODERATOR,
    "vote.cancel": MODERATOR,
    "snapshot.create": MODERATOR,
    "snapshot.restore": MODERATOR,
    "link.rotate": MODERATOR,
    "join.rotate": MODERATOR,
    "board.settings": MODERATOR,
    "decision.add": MODERATOR,
    "decision.edit": MODERATOR,
    "decision.delete": MODERATOR,
}
