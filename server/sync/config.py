"""RoomConfig: the limits and rules one room enforces, built by the app from Settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .budget import HeldBytes
from .policy import Rules


@dataclass(frozen=True)
class RoomConfig:
    max_message_bytes: int
    max_app_message_bytes: int
    messages_per_second: float
    message_burst: int
    max_connections: int
    send_queue_messages: int
    max_awareness_bytes: int
    violations_before_close: int
    compact_after_rows: int
    compact_after_bytes: int
    rules: Rules
    # (board, author_id, client address key) -> seconds to wait; 0 admits (P165)
    admit_author: Callable[[str, str, str], float] | None = None
    # byte budgets (P122-P124); defaults as in server.settings.Limits
    max_board_bytes: int = 16_777_216
    update_bytes_per_second: int = 262_144
    update_bytes_burst: int = 2_097_152
    awareness_bytes_per_second: int = 16_384
    awareness_bytes_burst: int = 65_536
    presence_interval_ms: int = 50
    # P115: shared by every room of the process; None: each connection's own bound only
    held: HeldBytes | None = None
