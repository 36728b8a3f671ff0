"""The board's document behind one accessor (P375): keystrokes the room stored and sent
before pycrdt applied them wait here, and any read of the document applies them first."""

from __future__ import annotations

import logging
from typing import Any

from pycrdt import Doc

from .errors import is_fault
from .policy import TYPED

LATER_UPDATES = 64  # applied anyway once this many wait
LATER_BYTES = 65_536
log = logging.getLogger("server.sync.room")


class LaterDoc:
    def __init__(self, board_id: str, doc: Doc[Any]) -> None:
        self.board_id = board_id
        self._typed_later: list[bytes] = []
        self._typed_bytes = 0
        self._applying_later = False  # the document's observers skip this transaction
        self.doc = doc

    @property
    def doc(self) -> Doc[Any]:
        """The board's document, with every keystroke taken so far in it (P375)."""
        if self._typed_later:
            self._apply_later()
        return self._doc

    @doc.setter
    def doc(self, doc: Doc[Any]) -> None:
        self._doc = doc

    def _take_later(self, update: bytes) -> None:
        """P375: a keystroke is stored and sent now and applied with the next read of
        the document, or once 64 of them or 64 KiB wait."""
        self._typed_later.append(update)
        self._typed_bytes += len(update)
        self._drop_frames()
        if len(self._typed_later) >= LATER_UPDATES or self._typed_bytes >= LATER_BYTES:
            self._apply_later()

    def _apply_later(self) -> None:
        updates, self._typed_later = self._typed_later, []
        self._typed_bytes = 0
        self._applying_later = True
        try:
            with self._doc.transaction(origin=TYPED):
                for update in updates:
                    self._doc.apply_update(update)
        except BaseException as exc:
            if not is_fault(exc):
                raise
            # stored and sent already: the store has them, so the board is read again
            log.exception("board %s: keystrokes could not be applied; reloading", self.board_id)
            self._start_reload()
        finally:
            self._applying_later = False

    def _drop_frames(self) -> None:
        """Forget what was built from the document (the room keeps its join frames)."""

    def _start_reload(self) -> None:
        raise NotImplementedError
