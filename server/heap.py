"""Give freed heap memory back to the operating system (glibc's malloc_trim).

CPython, SQLite and yrs allocate through malloc. After a board unloads, its megabytes
are free but sit in the middle of malloc's arenas, which glibc returns to the system
only from their top; so RSS stays at its high-water mark and creeps up with
fragmentation over a long day (P225). malloc_trim walks every arena and releases the
free pages inside it too. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def _load_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_trim = _load_trim()


def give_back() -> bool:
    """Release free heap pages to the system; True if anything was released.

    Costs a walk over malloc's arenas (measured: 1.6 ms after freeing 25 MB of a 58 MB
    process, 0.03 ms when nothing was free): call it after an unload, not per message."""
    if _trim is None:
        return False
    return bool(_trim(0))
