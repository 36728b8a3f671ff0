"""A moderator's change that loses to a participant's refused one is told in the browser
(PROTOCOL.md P266): the moderator recolours a note while offline, a participant's client
with the highest client id writes the same key meanwhile and is refused; when the
moderator is back, Yjs keeps the refused (deleted) write, and the moderator is told."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import pytest
from playwright.sync_api import BrowserContext, expect
from pycrdt import Doc

from tests.support.live import LiveServer
from tests.support.pyclient import PyClient

from .support import add_note, expect_synced, join, note, notes_json
from .test_drafts import moderator

pytestmark = pytest.mark.e2e

HIGHEST_CLIENT_ID = 2**32 - 1  # above any browser's: its write stands in Yjs' order


def refused_colour(server: LiveServer, board_id: str, token: str, note_id: str) -> None:
    """A participant's colour of 40 characters (at most 32), written as the browser
    writes one (with `updated_at`) from a replica that never saw the moderator's
    change, and refused."""
    write_keys(server, board_id, token, note_id, {"color": "x" * 40}, refused=True)


def write_keys(
    server: LiveServer,
    board_id: str,
    token: str,
    note_id: str,
    values: dict[str, str],
    *,
    refused: bool,
) -> None:
    """Write `values` into a note as the browser writes a key (with `updated_at`), from
    the highest client id and a replica that never saw the other side's change."""

    async def write() -> None:
        doc: Doc[Any] = Doc(client_id=HIGHEST_CLIENT_ID)
        async with PyClient.connect(server.ws, board_id, token, doc=doc) as client:
            await client.synced.wait()
            await client.wait_for(lambda: note_id in client.notes)
            await client.request("clock")
            with client.doc.transaction():
                for key, value in values.items():
                    client.notes[note_id][key] = value
                client.notes[note_id]["updated_at"] = time.time() * 1000
            await client.flush()
            if refused:
                await client.wait_for(
                    lambda: any(m.get("ev") == "rejected" for m in client.app_messages)
                )
            else:
                await client.request("clock")  # answered after the update was judged
                assert not any(m.get("ev") == "rejected" for m in client.app_messages)

    # Playwright's sync API runs an event loop in this thread: the client gets its own
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, write).result(timeout=30)


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)], ids=["laptop", "phone"])
def test_p266_a_moderator_whose_colour_was_overtaken_is_told(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    artifacts: Path,
    width: int,
    height: int,
) -> None:
    board = shared_server.create_board(title="Gleichzeitig")
    ben = make_context().new_page()
    join(ben, board.links["participant"], "Ben", "science")
    note_id = add_note(ben, "A1", "Markt am Samstag")
    ben.keyboard.press("Escape")
    mod = moderator(make_context, board.links["moderator"])
    mod.set_viewport_size({"width": width, "height": height})
    mod.wait_for_function("(id) => window.cocanvas.notes()[id] !== undefined", arg=note_id)

    mod.context.set_offline(True)
    expect(mod.locator(".conn")).to_have_attribute("data-state", "offline")
    note(mod, note_id).locator("textarea").first.click()  # its edit controls show
    note(mod, note_id).locator(".note-color").click()  # yellow -> orange, offline
    mod.wait_for_function("(id) => window.cocanvas.notes()[id].color === 'orange'", arg=note_id)
    refused_colour(shared_server, board.id, board.tokens["participant"], note_id)
    mod.context.set_offline(False)
    expect_synced(mod)

    told = mod.locator(".toasts .toast", has_text="ohne Ihre Änderung zu sehen")
    expect(told).to_be_visible()
    expect(told).to_contain_text("Ihre Änderung wurde dabei überschrieben")
    expect(told).not_to_contain_text("nicht angenommen")  # nothing was refused
    # the note shows what Yjs kept: the colour before, everywhere
    for page in (mod, ben):
        page.wait_for_function(
            "(id) => window.cocanvas.notes()[id].color === 'yellow'", arg=note_id
        )
    mod.screenshot(path=str(artifacts / f"overtaken-moderator-{width}x{height}.png"))


def test_p266_an_overtaken_owner_comes_back_as_a_draft(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """Yjs keeps one owner: the words that lost are gone from every copy, so the
    moderator's device remembers them and parks them once the server says so."""
    board = shared_server.create_board(title="Wer macht es?")
    ben = make_context().new_page()
    join(ben, board.links["participant"], "Ben", "science")
    note_id = add_note(ben, "C3", "Bänke aufstellen")
    ben.keyboard.press("Escape")
    mod = moderator(make_context, board.links["moderator"])
    mod.wait_for_function("(id) => window.cocanvas.notes()[id] !== undefined", arg=note_id)

    mod.context.set_offline(True)
    expect(mod.locator(".conn")).to_have_attribute("data-state", "offline")
    owner = note(mod, note_id).locator("[data-cell=owner]")
    owner.fill("Ordnungsamt")
    owner.press("Tab")
    mod.wait_for_function(
        "(id) => window.cocanvas.notes()[id].owner === 'Ordnungsamt'", arg=note_id
    )
    write_keys(
        shared_server,
        board.id,
        board.tokens["participant"],
        note_id,
        {"owner": "Grünflächenamt"},
        refused=False,
    )
    mod.context.set_offline(False)
    expect_synced(mod)

    expect(mod.locator(".toasts .toast", has_text="ohne Ihre Änderung zu sehen")).to_be_visible()
    for page in (mod, ben):
        page.wait_for_function(
            "(id) => window.cocanvas.notes()[id].owner === 'Grünflächenamt'", arg=note_id
        )
    tray = mod.locator("[data-testid=drafts-open]")
    expect(tray).to_have_text("Entwürfe (1)")
    tray.click()
    draft = mod.locator("dialog.drafts-modal .draft")
    expect(draft).to_have_count(1)
    expect(draft.locator("textarea")).to_have_value(re.compile(r"^[^\n]+: Ordnungsamt$"))
    expect(draft).to_contain_text("Zur Notiz „Bänke aufstellen“")
    # its words go back into that task, not into a task of their own
    expect(draft.get_by_role("button", name="Als späte Notiz einreichen")).to_have_count(0)
    mod.screenshot(path=str(artifacts / "overtaken-owner-draft-1440x900.png"))
    draft.get_by_role("button", name="Wieder eintragen").click()
    expect(mod.locator("dialog.drafts-modal .draft")).to_have_count(0)
    for page in (mod, ben):
        page.wait_for_function(
            "(id) => window.cocanvas.notes()[id].owner === 'Ordnungsamt'", arg=note_id
        )
    assert len(notes_json(ben)) == 1
