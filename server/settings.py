"""Settings from the environment (COCANVAS_*) and the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Bounds on every input; defaults are documented in README.md."""

    max_message_bytes: int = 1_048_576  # one websocket frame
    max_app_message_bytes: int = 16_384
    messages_per_second: float = 100.0  # sustained, per connection
    message_burst: int = 400
    max_notes_per_board: int = 2_000
    max_note_chars: int = 5_000
    max_connections_per_board: int = 200
    max_awareness_bytes: int = 8_192
    send_queue_messages: int = 2_048  # per connection, before it is closed as too slow
    max_title_chars: int = 200
    violations_before_close: int = 20
    # byte budgets (PROTOCOL.md P122-P124); README.md says why these numbers
    max_board_bytes: int = 16_777_216  # stored state of one board
    update_bytes_per_second: int = 262_144  # document updates read per connection
    update_bytes_burst: int = 2_097_152
    awareness_bytes_per_second: int = 16_384  # presence read per connection
    awareness_bytes_burst: int = 65_536
    presence_interval_ms: int = 50  # presence changes leave together, at most this often
    max_held_bytes: int = 16_777_216  # updates waiting for ids, whole process (P115)
    # failed logins (P161): per client address, and join-code failures per board
    auth_failure_burst: int = 30  # a page opened with a wrong code costs 2 (REST + websocket)
    auth_failures_per_minute: float = 10.0
    board_code_failure_burst: int = 100
    board_code_failures_per_minute: float = 30.0
    max_connections_per_address: int = 150  # websockets; below the per-board cap (P164)
    new_author_burst: int = 120  # participant identities per address (P165)
    new_authors_per_minute: float = 60.0


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    store_url: str = ""  # empty: SQLite in data_dir
    pg_erase_full: bool = False  # VACUUM FULL after a deletion: no bytes left in table files
    relay_url: str = ""  # empty: single process
    allow_empty: bool = False  # start although the data directory held boards (P224)
    public_url: str = ""  # base for links; empty: derived from the request
    allowed_origins: tuple[str, ...] = ()  # empty: same origin only
    create_token: str = ""  # if set, POST /api/boards needs it as a Bearer token
    create_per_minute: int = 30  # boards one client address may create per minute
    create_token_per_minute: int = 120  # boards per minute for the create token's holders
    trusted_proxies: tuple[str, ...] = ()  # addresses/CIDRs whose forwarding header counts
    forwarded_header: str = "x-forwarded-for"  # or "forwarded" (RFC 7239)
    header_timeout_seconds: float = 10.0  # a request's headers must arrive within this
    ws_impl: str = "direct"  # the websocket protocol (P363, P365)
    event_loop: str = "uvloop"  # or "asyncio" (P363)
    max_open_connections: int = 4_000  # HTTP and websocket, whole process; beyond: 503
    export_workers: int = 1  # processes rendering exports
    export_queue_per_board: int = 2  # renders admitted per board (rendering or waiting)
    export_queue_total: int = 8  # renders admitted on the whole server
    export_seconds: float = 180.0  # one render's time limit; the worker is then killed
    export_cache_bytes: int = 33_554_432  # rendered files kept per board version
    keep_auto_snapshots: int = 100  # per board; manual and part-end snapshots are kept
    join_code_hours: float = 24.0  # a join code's lifetime; 0: until replaced by hand
    room_grace_seconds: float = 30.0
    compact_after_rows: int = 500
    compact_after_bytes: int = 1_048_576
    log_level: str = "info"
    sqlite_synchronous: str = "NORMAL"  # FULL also survives power loss, at a cost per commit
    retention_days: float = 0.0  # delete boards idle this long; 0: keep until deleted by hand
    retention_check_seconds: float = 3600.0  # how often idle boards are looked for
    canvas_dir: Path | None = None
    limits: Limits = field(default_factory=Limits)

    def with_overrides(self, **values: object) -> Settings:
        changes: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        return replace(self, **changes)


def _parse(raw: str, current: object) -> object:
    if isinstance(current, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, tuple):
        return tuple(s.strip() for s in raw.split(",") if s.strip())
    if isinstance(current, Path) or current is None:
        return Path(raw)
    return raw


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Read COCANVAS_<NAME> for each setting and COCANVAS_LIMIT_<NAME> for limits.

    Raises ValueError with the variable's name when a value does not parse.
    """
    env = dict(os.environ) if env is None else env
    base = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "limits":
            continue
        key = "COCANVAS_" + f.name.upper()
        if key in env:
            try:
                values[f.name] = _parse(env[key], getattr(base, f.name))
            except ValueError as exc:
                raise ValueError(f"{key}={env[key]!r}: {exc}") from exc
    limits: dict[str, Any] = {}
    for f in fields(Limits):
        key = "COCANVAS_LIMIT_" + f.name.upper()
        if key in env:
            try:
                limits[f.name] = _parse(env[key], getattr(base.limits, f.name))
            except ValueError as exc:
                raise ValueError(f"{key}={env[key]!r}: {exc}") from exc
    return replace(base, **values, limits=replace(base.limits, **limits))
