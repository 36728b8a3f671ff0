"""P241: which due dates a note may hold."""

from __future__ import annotations

import pytest

from server.sync.dates import due_problem


@pytest.mark.parametrize(
    "value", [None, "", "2000-01-01", "2026-05-12", "2028-02-29", "2100-12-31"]
)
def test_p241_real_days_in_range_and_empty_are_fine(value: object) -> None:
    assert due_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "92026-05-12",
        "1999-12-31",
        "2101-01-01",
        "2026-02-30",
        "2027-02-29",
        "2026-5-1",
        "12.05.2026",
        "2026-05-12T10:00",
        "２０２６-05-12",  # fullwidth digits match \d but are no ISO date
        20260512,
        True,
    ],
)
def test_p241_other_values_are_refused_with_the_range(value: object) -> None:
    problem = due_problem(value)
    assert problem is not None and "2000-01-01" in problem and "2100-12-31" in problem
