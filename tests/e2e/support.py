"""What a person does on the board, as small helpers for the e2e tests."""

from __future__ import annotations

from typing import Any, cast

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.live import Board, LiveServer


def join(
    page: Page,
    link: str,
    name: str | None,
    group: str | None = None,
    *,
    wait_synced: bool = True,
    show_all: bool = True,
) -> None:
    """Open a board link and answer the join dialog (name=None: anonymous).

    The board opens on its first part, large enough to read; most journeys reach across the
    whole board, so they start from "show all" unless `show_all` is False.
    """
    page.goto(link)
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    if name is None:
        dialog.locator("input[name=anonymous]").check()
    else:
        dialog.locator("input[name=name]").fill(name)
        if group is not None:
            dialog.locator(f"input[name=group][value='{group}']").check()
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    if wait_synced:
        expect_synced(page)
        if show_all:
            page.evaluate("() => window.cocanvas.showAll()")


def expect_synced(page: Page) -> None:
    expect(page.locator(".conn")).to_have_attribute("data-state", "synced")


def add_note(page: Page, field: str, text: str) -> str:
    """Click "+ Note" in a field, type the text, return the new note's id."""
    page.locator(f"[data-add='{field}']").click()
    note_id = focused_note(page)
    page.keyboard.type(text)
    return note_id


def focused_note(page: Page) -> str:
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('[data-note]')"
    )
    note_id = page.evaluate("() => document.activeElement.closest('[data-note]').dataset.note")
    assert isinstance(note_id, str)
    return note_id


def note(page: Page, note_id: str) -> Locator:
    return page.locator(f"[data-note='{note_id}']")


def note_text(page: Page, note_id: str) -> Locator:
    return page.locator(f"[data-note='{note_id}'] textarea").first


def notes_json(page: Page) -> dict[str, dict[str, Any]]:
    data = page.evaluate("() => window.cocanvas.notes()")
    return cast(dict[str, dict[str, Any]], data)


def server_board(server: LiveServer, board: Board) -> dict[str, Any]:
    """The server's replica, via a snapshot taken with the moderator link."""
    headers = {"authorization": f"Bearer {board.tokens['moderator']}"}
    r = httpx.post(
        f"{server.http}/api/boards/{board.id}/snapshots",
        json={"label": "e2e"},
        headers=headers,
        timeout=10,
    )
    r.raise_for_status()
    sid = r.json()["sid"]
    r = httpx.get(
        f"{server.http}/api/boards/{board.id}/snapshots/{sid}", headers=headers, timeout=10
    )
    r.raise_for_status()
    return cast(dict[str, Any], r.json()["board"])


def comparable(notes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Notes as plain data that compares equal across replicas (numbers normalised)."""
    out: dict[str, dict[str, Any]] = {}
    for note_id, data in notes.items():
        out[note_id] = {
            k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in data.items()
        }
    return out
