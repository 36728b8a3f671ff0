"""Budgets keyed by client address, board or token holder, in bounded memory (P161-P166).

Every budget is a token bucket: `burst` at once, refilled at `per_minute`. At most
`max_keys` keys are kept, the least recently used dropped first; a dropped key starts
again with a full bucket, so an attacker who wants to reset one address must bring
`max_keys` others (and the per-board budget still holds). A key whose bucket has refilled
is dropped too (P226): it holds nothing a new key would not.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .clientaddr import TrustedProxies
from .settings import Settings
from .sync.budget import HeldBytes

MAX_KEYS = 50_000
log = logging.getLogger(__name__)


class Buckets:
    """Token buckets by key; `take` spends one, `wait` only looks."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def _level(self, key: str, now: float) -> float:
        found = self._items.get(key)
        if found is None:
            return self.burst
        tokens, stamp = found
        return min(self.burst, tokens + (now - stamp) * self.rate)

    def _seconds_to_one(self, level: float) -> float:
        if level >= 1:
            return 0.0
        return math.inf if self.rate <= 0 else (1 - level) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until `take(key)` would succeed; 0 if it would now."""
        return self._seconds_to_one(self._level(key, self._clock()))

    def take(self, key: str) -> float:
        """Spend one unit: 0 if there was one, else the seconds to wait (nothing spent)."""
        now = self._clock()
        level = self._level(key, now)
        if level < 1:
            return self._seconds_to_one(level)
        self._items[key] = (level - 1, now)
        self._items.move_to_end(key)
        while len(self._items) > self.max_keys:
            self._items.popitem(last=False)
        self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        # a refilled bucket is the same as no entry (P226): drop such entries from the
        # least recently used end, or the table keeps every address of the week up to
        # max_keys (13 MB per table at 50,000 IPv6 addresses)
        for _ in range(16):  # a few per take: it shrinks faster than it grows, in bounded time
            oldest = next(iter(self._items), None)
            if oldest is None or self._level(oldest, now) < self.burst:
                return
            del self._items[oldest]


def retry_seconds(wait: float) -> int:
    """A whole number of seconds for Retry-After and close reasons, at least 1."""
    return max(1, math.ceil(min(wait, 86_400.0)))


@dataclass
class AuthThrottle:
    """Failed logins per client address and, for guessable join codes, per board (P161).

    A board's budget counts only join-code failures: link tokens carry 192 random bits
    and cannot be guessed, so an attack on one board can at worst stop people from
    typing its code for a while; everyone who opens a link still gets in.
    """

    by_address: Buckets
    by_board: Buckets

    def wait(self, client: str, board: str, is_code: bool) -> float:
        """Seconds this attempt must wait before it may be checked at all; 0: go ahead."""
        wait = self.by_address.wait(client)
        if is_code:
            wait = max(wait, self.by_board.wait(board))
        return wait

    def failed(self, client: str, board: str | None, is_code: bool) -> None:
        """Count a wrong credential (board None: the board does not exist)."""
        # logged once, when a budget runs out, so an attacker cannot flood the log
        if not self.by_address.take(client) and self.by_address.wait(client):
            log.warning("too many failed logins from %s; refusing it for a while", client)
        if is_code and board is not None:
            if not self.by_board.take(board) and self.by_board.wait(board):
                log.warning("board %s: too many wrong join codes; links still work", board)


class ConnectionCounter:
    """Open websockets per client address (P164); entries vanish at zero."""

    def __init__(self, per_address: int) -> None:
        self.per_address = per_address
        self._open: dict[str, int] = {}

    def count(self, client: str) -> int:
        return self._open.get(client, 0)

    def acquire(self, client: str) -> bool:
        """Count one more connection; False (nothing counted) when the cap is reached."""
        n = self._open.get(client, 0)
        if self.per_address > 0 and n >= self.per_address:
            return False
        self._open[client] = n + 1
        return True

    def release(self, client: str) -> None:
        n = self._open.get(client, 0) - 1
        if n > 0:
            self._open[client] = n
        else:
            self._open.pop(client, None)


class NewAuthors:
    """New participant identities per client address (P165). An author id already seen on
    the board (a reconnect, another tab) is free; the seen set is bounded like the buckets."""

    def __init__(self, buckets: Buckets, max_seen: int = MAX_KEYS) -> None:
        self.buckets = buckets
        self.max_seen = max_seen
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def admit(self, board: str, author_id: str, client: str) -> float:
        """0 if this author id may be used now, else the seconds to wait."""
        key = (board, author_id)
        if key in self._seen:
            self._seen.move_to_end(key)
            return 0.0
        wait = self.buckets.take(client)
        if wait:
            return wait
        self._seen[key] = None
        while len(self._seen) > self.max_seen:
            self._seen.popitem(last=False)
        return 0.0


@dataclass
class Guards:
    """Every address- and holder-keyed budget of one server process."""

    proxies: TrustedProxies
    auth: AuthThrottle
    connections: ConnectionCounter
    new_authors: NewAuthors
    create_by_address: Buckets
    create_by_token: Buckets
    held: HeldBytes  # updates waiting for ids, over every board (P115)

    @classmethod
    def from_settings(cls, settings: Settings) -> Guards:
        """Raises ValueError for a trusted proxy or forwarded header that does not parse."""
        limits = settings.limits
        return cls(
            proxies=TrustedProxies(settings.trusted_proxies, settings.forwarded_header),
            auth=AuthThrottle(
                Buckets(limits.auth_failures_per_minute, limits.auth_failure_burst),
                Buckets(limits.board_code_failures_per_minute, limits.board_code_failure_burst),
            ),
            connections=ConnectionCounter(limits.max_connections_per_address),
            new_authors=NewAuthors(Buckets(limits.new_authors_per_minute, limits.new_author_burst)),
            create_by_address=Buckets(settings.create_per_minute, settings.create_per_minute),
            create_by_token=Buckets(
                settings.create_token_per_minute, settings.create_token_per_minute
            ),
            held=HeldBytes(limits.max_held_bytes),
        )
