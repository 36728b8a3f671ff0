"""Freed heap pages go back to the system (P225)."""

from __future__ import annotations

from pathlib import Path

from server import heap


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc")


def test_p225_give_back_returns_pages_freed_below_the_top_of_the_heap() -> None:
    # 64 KiB blocks come from the heap (below glibc's mmap threshold); the last one stays,
    # so the heap cannot shrink from its top and free() alone returns nothing
    blocks = [bytearray(b"x" * 65_536) for _ in range(800)]
    keep = blocks[-1]
    del blocks
    before = rss_kb()
    assert heap.give_back(), "malloc_trim released nothing (or this libc has none)"
    released = before - rss_kb()
    assert released > 20_000, f"only {released} KiB given back of about 51,000 KiB freed"
    assert keep[0] == ord("x")
