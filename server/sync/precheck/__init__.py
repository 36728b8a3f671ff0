"""Bounded, iterative reader of untrusted Yjs v1 updates, run before pycrdt sees the bytes.

pycrdt/yrs and yjs decode and walk nested values recursively, so depth alone can crash the
server or every browser (PROTOCOL.md P100-P112). This module reads the whole update with
loops only, checks every count against the bytes left, caps the work per update, and
refuses what the board never uses. Like `errors`, it needs nothing but the standard library.

Usage::

    index = TypeIndex.lazy(doc.get_state, doc.get_update)  # once per loaded room
    check_client_update(update, index)                    # raises a SyncError
    index.record(integrated_update)                       # after every applied transaction
"""

from .check import check_client_update as check_client_update
from .check import check_update as check_update
from .index import TypeIndex as TypeIndex
from .limits import ARCHIVE as ARCHIVE
from .limits import CLIENT as CLIENT
from .limits import MAX_CLIENT_WORK as MAX_CLIENT_WORK
from .limits import MAX_CLOCK as MAX_CLOCK
from .limits import MAX_SAFE as MAX_SAFE
from .limits import RECORD as RECORD
from .limits import STRING as STRING
from .limits import Parsed as Parsed
from .limits import Profile as Profile
from .limits import UpdateRefusedError as UpdateRefusedError
from .parse import parse_update as parse_update
from .parse import read_state_vector as read_state_vector
