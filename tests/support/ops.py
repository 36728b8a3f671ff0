"""Small helpers for tests that send app-message ops over a real connection."""

from __future__ import annotations

from typing import Any

from tests.support.pyclient import PyClient


def control(c: PyClient) -> dict[str, Any]:
    """The `control` root as this client sees it."""
    view: dict[str, Any] = c.view()["control"]
    return view


async def ok(c: PyClient, op: str, **args: Any) -> dict[str, Any]:
    """Send an op and assert it succeeded; returns the reply."""
    reply = await c.request(op, **args)
    assert reply["ok"], reply
    return reply


async def refused(c: PyClient, op: str, code: str, **args: Any) -> dict[str, Any]:
    """Send an op and assert it was refused with `code`; returns the error."""
    reply = await c.request(op, **args)
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == code, reply
    error: dict[str, Any] = reply["error"]
    return error
