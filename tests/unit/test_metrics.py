"""Metrics derived from what the server reports to them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from server.metrics import Metrics


def sample(metrics: Metrics, name: str) -> float:
    for line in metrics.render().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


def test_loads_and_unloads_are_counted_from_the_number_of_loaded_boards() -> None:
    metrics = Metrics()
    for loaded in (1, 2, 1, 2, 1, 0):  # what Rooms reports after each load or unload
        metrics.count_rooms(loaded)
    assert sample(metrics, "cocanvas_room_loads_total") == 3
    assert sample(metrics, "cocanvas_room_unloads_total") == 3
    assert sample(metrics, "cocanvas_rooms_loaded") == 0


def samples(metrics: Metrics) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            out[(sample.name, sample.labels.get("le", ""))] = sample.value
    return out


def test_updates_and_commits_are_counted_as_prometheus_counters_and_histograms() -> None:
    metrics = Metrics()
    for size in (40, 60, 100):
        metrics.observe_update(size)
    # a bucket holds what is at most its bound ("le"), as prometheus_client's Histogram
    for seconds, writes in ((0.0005, 1), (0.0007, 2), (0.03, 3), (2.0, 600)):
        metrics.observe_commit(seconds, writes)
    got = samples(metrics)
    assert got[("cocanvas_updates_total", "")] == 3
    assert got[("cocanvas_update_bytes_total", "")] == 200
    commit = "cocanvas_store_commit_seconds"
    assert got[(f"{commit}_bucket", "0.0005")] == 1
    assert got[(f"{commit}_bucket", "0.001")] == 2
    assert got[(f"{commit}_bucket", "0.025")] == 2
    assert got[(f"{commit}_bucket", "0.05")] == 3
    assert got[(f"{commit}_bucket", "1.0")] == 3
    assert got[(f"{commit}_bucket", "+Inf")] == got[(f"{commit}_count", "")] == 4
    assert abs(got[(f"{commit}_sum", "")] - 2.0312) < 1e-9
    batch = "cocanvas_store_batch_size"
    assert got[(f"{batch}_bucket", "1.0")] == 1
    assert got[(f"{batch}_bucket", "2.0")] == 2
    assert got[(f"{batch}_bucket", "4.0")] == 3
    assert got[(f"{batch}_bucket", "512.0")] == 3
    assert got[(f"{batch}_bucket", "+Inf")] == 4
    assert got[(f"{batch}_sum", "")] == 606
