"""Refusals of the facilitation layer reach REST callers with a fitting HTTP status."""

from __future__ import annotations

import pytest

from server.routes.history import HTTP_STATUS, http_error
from server.sync.appmsg import AppError, ErrorCode


def test_p81_every_error_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ErrorCode.FORBIDDEN, 403),
        (ErrorCode.INVALID, 400),
        (ErrorCode.NOT_FOUND, 404),
        (ErrorCode.LIMIT, 429),
        (ErrorCode.CONFLICT, 409),
        (ErrorCode.LOCKED, 423),
    ],
)
def test_p81_app_error_maps_to_its_status_not_always_404(code: ErrorCode, status: int) -> None:
    error = http_error(AppError(code, "what to do next"))
    assert (error.status, error.message) == (status, "what to do next")
