"""Prometheus metrics, one registry per app so tests can build many apps."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def _le(bound: float) -> str:
    """A bucket's bound as Prometheus writes it: "1.0", "0.0005", "+Inf"."""
    return "+Inf" if bound == float("inf") else repr(float(bound))


class _Buckets:
    """A histogram's counts as plain numbers (see _HotPath)."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one: above every bound
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def family(self, name: str, documentation: str) -> HistogramMetricFamily:
        cumulative, running = [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            cumulative.append((_le(bound), float(running)))
        return HistogramMetricFamily(name, documentation, cumulative, sum_value=self.total)


class _HotPath(Collector):
    """What every update and every commit counts, as plain numbers turned into metric
    families only when /metrics is read. prometheus_client's Counter and Histogram take a
    lock and several calls per observation: about 18 calls per keystroke, measured at
    2-3 % of its server CPU (bench/README.md). Only the event loop's thread writes them."""

    def __init__(self) -> None:
        self.updates = 0
        self.update_bytes = 0
        self.commit_seconds = _Buckets(COMMIT_BUCKETS)
        self.batch_size = _Buckets(BATCH_BUCKETS)

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "cocanvas_updates", "Document updates accepted and stored", value=self.updates
        )
        yield CounterMetricFamily(
            "cocanvas_update_bytes",
            "Bytes of accepted document updates",
            value=self.update_bytes,
        )
        yield self.commit_seconds.family(
            "cocanvas_store_commit_seconds", "Time to commit one batch of writes"
        )
        yield self.batch_size.family("cocanvas_store_batch_size", "Writes per committed batch")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connections = Gauge(
            "cocanvas_connections", "Open websocket connections", ["role"], registry=r
        )
        self.rooms = Gauge("cocanvas_rooms_loaded", "Boards loaded in memory", registry=r)
        self.room_loads = Counter("cocanvas_room_loads", "Times a board was loaded", registry=r)
        self.room_unloads = Counter(
            "cocanvas_room_unloads", "Times a board was unloaded", registry=r
        )
        self._rooms_now = 0
        # with a relay (P328); zero on a single node
        self.boards_owned = Gauge(
            "cocanvas_boards_owned", "Boards whose lease this node holds", registry=r
        )
        self.relay_lag = Histogram(
            "cocanvas_relay_lag_seconds",
            "From another node's publish to its arrival here (wall clocks)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
            registry=r,
        )
        self.relay_catch_ups = Counter(
            "cocanvas_relay_catch_ups", "Times a board caught up from the store", registry=r
        )
        self.hot = _HotPath()
        r.register(self.hot)
        self.rejected = Counter(
            "cocanvas_updates_rejected_total", "Client changes refused and reverted", registry=r
        )
        self.closes = Counter(
            "cocanvas_connection_closes_total",
            "Connections closed by the server",
            ["code"],
            registry=r,
        )
        self.http_errors = Counter(
            "cocanvas_http_errors_total",
            "REST answers refused by the server (401 wrong token, 429 throttled ...)",
            ["status"],
            registry=r,
        )

        self.export_workers = Gauge(
            "cocanvas_export_workers", "Export worker processes alive", registry=r
        )
        self.export_running = Gauge(
            "cocanvas_export_running", "Exports rendering in a worker now", registry=r
        )
        self.export_queued = Gauge(
            "cocanvas_export_queued",
            "Exports admitted and not finished (rendering or waiting for a worker)",
            registry=r,
        )
        self.export_renders = Counter(
            "cocanvas_export_renders",
            "Renders ended, by outcome (ok, failed, timeout, cancelled)",
            ["outcome"],
            registry=r,
        )
        self.export_restarts = Counter(
            "cocanvas_export_worker_restarts",
            "Export workers killed and replaced, by reason (cancelled, timeout, crashed)",
            ["reason"],
            registry=r,
        )
        self.export_requests = Counter(
            "cocanvas_export_requests",
            "Export requests by how they were served (hit, shared, rendered, busy)",
            ["result"],
            registry=r,
        )
        self.export_cache_bytes = Gauge(
            "cocanvas_export_cache_bytes", "Bytes of exports held in the cache", registry=r
        )
        self.export_seconds = Histogram(
            "cocanvas_export_render_seconds",
            "Time one render took in its worker",
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
            registry=r,
        )

    def observe_commit(self, seconds: float, batch: int) -> None:
        hot = self.hot
        hot.commit_seconds.observe(seconds)
        hot.batch_size.observe(batch)

    def observe_update(self, size: int) -> None:
        hot = self.hot
        hot.updates += 1
        hot.update_bytes += size

    def count_rooms(self, loaded: int) -> None:
        """The number of loaded boards changed (one load or unload at a time)."""
        if loaded > self._rooms_now:
            self.room_loads.inc(loaded - self._rooms_now)
        elif loaded < self._rooms_now:
            self.room_unloads.inc(self._rooms_now - loaded)
        self._rooms_now = loaded
        self.rooms.set(loaded)

    def render(self) -> bytes:
        return generate_latest(self.registry)
