"""Every websocket close code the server uses, and the errors that map to them.

Codes 4400-4499 tell the stock y-websocket client (3.x) to stop reconnecting;
4500-4599 and the standard codes make it retry with backoff.
"""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    NORMAL = 1000
    GOING_AWAY = 1001
    # permanent: the client must not retry as it is
    BAD_MESSAGE = 4400
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    BOARD_NOT_FOUND = 4404
    MESSAGE_TOO_BIG = 4413
    TOO_MANY_REQUESTS = 4429  # failed logins: the reason says when to retry (P162)
    # transient: retry later
    SERVER_ERROR = 4500
    SHUTTING_DOWN = 4501
    SLOW_CONSUMER = 4502
    ROOM_FULL = 4503
    STORE_UNAVAILABLE = 4504
    IDLE_TIMEOUT = 4508
    TOO_MANY_CONNECTIONS = 4509  # from one client address (P164)
    CLIENT_ID_IN_USE = 4510  # another writer holds the update's client id (P117)


class SyncError(Exception):
    """An error that ends one connection with a close code and a reason."""

    code: CloseCode = CloseCode.SERVER_ERROR

    def __init__(self, reason: str, code: CloseCode | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if code is not None:
            self.code = code


class MalformedMessageError(SyncError):
    code = CloseCode.BAD_MESSAGE


class OutOfOrderError(MalformedMessageError):
    """An update that refers to ids the room does not have yet (P114): it may wait."""


class ClientIdInUseError(SyncError):
    """New structs under a Yjs client id another writer holds (P117)."""

    code = CloseCode.CLIENT_ID_IN_USE


class MessageTooBigError(SyncError):
    code = CloseCode.MESSAGE_TOO_BIG


class ForbiddenError(SyncError):
    code = CloseCode.FORBIDDEN


class StoreUnavailableError(SyncError):
    code = CloseCode.STORE_UNAVAILABLE


class SlowConsumerError(SyncError):
    code = CloseCode.SLOW_CONSUMER


class DocumentFaultError(MalformedMessageError):
    """Applying or judging an update raised; the room reloads its document from the store."""


def is_fault(exc: BaseException) -> bool:
    """Exceptions, and pyo3's PanicException (a BaseException) from a yrs panic."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
