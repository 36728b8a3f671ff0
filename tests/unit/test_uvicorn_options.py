"""uvicorn options (P167): the open-file limit is lifted to fit the connection cap."""

from __future__ import annotations

import resource

from server.uvicorn_options import SPARE_FILES, raise_file_limit


def test_p167_the_soft_file_limit_is_raised_to_fit_the_connection_cap() -> None:
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        soft, hard = before
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(512, hard), hard))
        got = raise_file_limit(1000)
        expected = 1000 + SPARE_FILES
        if hard != resource.RLIM_INFINITY:
            expected = min(expected, hard)
        assert got == expected
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (expected, hard)
        # never lowered
        assert raise_file_limit(10) == expected
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)
