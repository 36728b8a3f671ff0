"""Who may write new structs under a Yjs client id (PROTOCOL.md P117).

Yjs does not authenticate client ids, and structs written ahead under another writer's
id take that writer's next ids: its own edits then arrive as duplicates and vanish. So
a room gives each client id it sees new structs under to one writer: the person (their
author id, after hello) or, for a client that never said who it is, its connection
while it lasts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from .connection import Connection
from .errors import ClientIdInUseError
from .precheck import Parsed

log = logging.getLogger("server.sync.room")

# a Yjs client writes under one id per connection (another after a clash)
CLIENT_IDS_PER_CONNECTION = 16

Holder = str | Connection


class ClientIds:
    def __init__(self) -> None:
        self.holders: dict[int, Holder] = {}  # client id -> an author id, or a connection
        self._held: dict[Holder, set[int]] = {}  # the other way round

    def check(
        self,
        conn: Connection,
        parsed: Parsed,
        knows: Callable[[int, int], bool],
        server: int,
        conns: Collection[Connection],
    ) -> None:
        """Refuse new structs of `parsed` under an id someone else, or the server
        (`server`), holds; otherwise take the ids it names first. Claims count only
        once the whole update passes; a connection claims at most
        CLIENT_IDS_PER_CONNECTION ids. `knows(client, clock)`: the room has that id."""
        me: Holder = conn.author_id or conn.proven_author or conn
        claims: list[int] = []
        for client, end in parsed.end_clocks.items():
            holder = self.holders.get(client)
            if holder == me or knows(client, end - 1):
                continue  # its own id, or nothing new under it (a duplicate)
            if client == server:
                raise ClientIdInUseError("update refused (P117: the server's client id)")
            if holder is None or _let_go(holder, conn, conns):
                claims.append(client)
                continue
            log.warning("%r wrote under client id %d, which another writer holds", conn, client)
            raise ClientIdInUseError(
                "update refused (P117: another writer holds this client id); reconnecting"
            )
        if not claims:
            return
        if conn.claimed_ids + len(claims) > CLIENT_IDS_PER_CONNECTION:
            raise ClientIdInUseError(
                "update refused (P117: too many client ids on one connection); reconnecting"
            )
        conn.claimed_ids += len(claims)
        mine = self._held.setdefault(me, set())
        for client in claims:
            before = self.holders.get(client)
            if before is not None:
                self._held.get(before, set()).discard(client)
            self.holders[client] = me
            mine.add(client)

    def release(self, conn: Connection) -> None:
        """A connection ended; the ids it held without a person are free."""
        for client in self._held.pop(conn, ()):
            if self.holders.get(client) is conn:
                del self.holders[client]


def _let_go(holder: Holder, conn: Connection, conns: Collection[Connection]) -> bool:
    """Whether a connection-held id may pass to `conn`: its holder ended, or said hello
    since as the same person. A person's ids are never let go."""
    if isinstance(holder, str):
        return False
    return (
        holder.closing
        or holder not in conns
        or (holder.author_id is not None and holder.author_id == conn.author_id)
    )
