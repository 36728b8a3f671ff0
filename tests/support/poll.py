"""Bounded polling of another process's state (a server we cannot subscribe to)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio


async def poll_until(
    check: Callable[[], Awaitable[bool]], seconds: float = 10.0, interval: float = 0.05
) -> None:
    """Call check() until it returns True; TimeoutError after `seconds`."""
    with anyio.fail_after(seconds):
        for _ in range(int(seconds / interval) + 2):
            if await check():
                return
            await anyio.sleep(interval)
    raise TimeoutError(f"condition not met within {seconds} s")
