"""Playwright (sync API) on Debian's Chromium against the real server.

The server fixtures serve `server/static`, the client build output: build it first with
`cd client && npm ci && node build.mjs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.support.live import ROOT

# Debian's Chromium headless shell (package chromium-headless-shell): the same Blink as
# the browser, without the browser's own windows, tab strip and their renderer, which in
# `--headless=new` cost the tests more CPU than the pages did (the browser tests take a
# third less time). CHROMIUM_PATH=/usr/bin/chromium runs the full browser instead.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium-headless-shell")
CHROMIUM_ARGS = [
    *([] if "headless-shell" in Path(CHROMIUM).name else ["--headless=new"]),
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the same patience for assertions as for actions (make_context): both browser workers
# share two cores with their servers, and a page may take longer than Playwright's 5 s
expect.set_options(timeout=10_000)
STATIC = ROOT / "server" / "static"
ARTIFACTS = ROOT / "test-artifacts"


def _unavailable(message: str) -> None:
    """In CI a missing browser or build is a failure; on a laptop the tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # keeps pytest-playwright's own --headed/--slowmo handling and adds Debian's Chromium
    if not Path(CHROMIUM).exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y "
            "chromium-headless-shell` or point CHROMIUM_PATH at a Chromium binary"
        )
    if not (STATIC / "board.html").is_file():
        _unavailable(
            "the browser client is not built (server/static/board.html is missing): "
            "run `cd client && npm ci && node build.mjs`"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def make_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for isolated browser contexts (one per person); all are closed afterwards."""
    made: list[BrowserContext] = []
    errors: list[str] = []

    def make(**kwargs: Any) -> BrowserContext:
        options: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}, "locale": "de-DE"}
        options.update(kwargs)
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(10_000)
        ctx.on("weberror", lambda err: errors.append(str(err.error)))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots for people to look at; the folder keeps itself out of git."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    return ARTIFACTS
