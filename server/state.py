"""What the routes share: settings, store, rooms, metrics (built by app.create_app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .export_queue import ExportQueue
from .metrics import Metrics
from .settings import Settings
from .store.base import DocStore
from .sync.rooms import Rooms


@dataclass
class AppState:
    settings: Settings
    store: DocStore
    rooms: Rooms
    metrics: Metrics
    static_dir: Path
    exports: ExportQueue | None = None
    ready: bool = False
    create_buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def canvas_dirs(self) -> tuple[Path, ...]:
        d = self.settings.canvas_dir
        return (d,) if d is not None else ()
