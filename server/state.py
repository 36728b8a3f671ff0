"""What the routes share: settings, store, rooms, metrics (built by app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .export_queue import ExportQueue
from .metrics import Metrics
from .relay.base import Relay
from .settings import Settings
from .store.base import DocStore
from .sync.rooms import Rooms
from .throttle import Guards


@dataclass
class AppState:
    settings: Settings
    store: DocStore
    rooms: Rooms
    metrics: Metrics
    static_dir: Path
    guards: Guards
    exports: ExportQueue | None = None
    relay: Relay | None = None  # set when nodes share boards (P320)
    ready: bool = False

    @property
    def canvas_dirs(self) -> tuple[Path, ...]:
        d = self.settings.canvas_dir
        return (d,) if d is not None else ()
