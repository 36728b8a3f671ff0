"""Metrics derived from what the server reports to them."""

from __future__ import annotations

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
