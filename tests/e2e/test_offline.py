"""A Wi-Fi drop: people keep writing, a reload offline shows the work, and everything merges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.live import LiveServer

from .support import (
    add_note,
    comparable,
    expect_synced,
    join,
    note_text,
    notes_json,
    server_board,
)

pytestmark = pytest.mark.e2e


def test_offline_edits_merge_without_loss_or_duplicates(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Funkloch")
    link = board.links["participant"]
    away_ctx = make_context()
    away, here = away_ctx.new_page(), make_context().new_page()
    join(away, link, "Ada", "administration")
    join(here, link, "Ben", "science")
    # the service worker must control the page before the network goes, for the reload
    away.wait_for_function("() => navigator.serviceWorker.controller !== null")

    shared = add_note(away, "A1", "gemeinsam")
    expect(note_text(here, shared)).to_have_value("gemeinsam")

    away_ctx.set_offline(True)
    expect(away.locator(".conn")).to_have_attribute("data-state", "offline")

    # both sides keep working on the same note and on new ones
    offline_note = add_note(away, "A4", "offline geschrieben")
    note_text(away, shared).focus()
    away.keyboard.press("Control+End")
    away.keyboard.type(" + Ada")
    online_note = add_note(here, "B1", "online geschrieben")
    note_text(here, shared).focus()
    here.keyboard.press("Control+Home")
    here.keyboard.type("Ben: ")
    expect(note_text(away, shared)).to_have_value("gemeinsam + Ada")
    expect(note_text(here, shared)).to_have_value("Ben: gemeinsam")
    assert offline_note not in server_board(shared_server, board)["notes"]

    # a reload while offline shows the work from this device
    away.reload()
    expect(away.locator(".conn")).to_have_attribute("data-state", "offline")
    expect(note_text(away, offline_note)).to_have_value("offline geschrieben")
    expect(note_text(away, shared)).to_have_value("gemeinsam + Ada")
    after_reload = add_note(away, "C2", "nach dem Neuladen")

    away_ctx.set_offline(False)
    expect_synced(away)
    merged = "Ben: gemeinsam + Ada"
    for page in (away, here):
        expect(note_text(page, shared)).to_have_value(merged)
        for note_id, text in (
            (offline_note, "offline geschrieben"),
            (online_note, "online geschrieben"),
            (after_reload, "nach dem Neuladen"),
        ):
            expect(note_text(page, note_id)).to_have_value(text)

    a, b = comparable(notes_json(away)), comparable(notes_json(here))
    assert a == b
    assert set(a) == {shared, offline_note, online_note, after_reload}
    texts = sorted(n["text"] for n in a.values())
    assert texts == sorted(
        [merged, "offline geschrieben", "online geschrieben", "nach dem Neuladen"]
    )
    assert comparable(server_board(shared_server, board)["notes"]) == a


def test_a_keystroke_right_before_an_offline_reload_is_kept(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """A reload right after typing may cut off IndexedDB's write; the page keeps the rest."""
    board = shared_server.create_board(title="Sofort neu laden")
    ctx = make_context()
    page = ctx.new_page()
    join(page, board.links["participant"], "Ada", "administration")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    shared = add_note(page, "A1", "Start")
    ctx.set_offline(True)
    expect(page.locator(".conn")).to_have_attribute("data-state", "offline")
    # a phone says it in words too, not only with a red dot
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".conn .status-text")).to_be_visible()
    page.screenshot(path=str(artifacts / "offline-phone-390x844.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    typed = "Start"
    for ch in "abcdefghijkl":
        note_text(page, shared).focus()
        page.keyboard.press("Control+End")
        page.keyboard.type(ch)
        typed += ch
        page.reload()
        expect(note_text(page, shared)).to_have_value(typed)


def test_offline_work_of_a_device_that_forgot_who_it_was_comes_back_as_drafts(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """P117: its pid gone, its IndexedDB kept, a device writes under a Yjs client id its
    former identity holds, and every reconnect is refused (4510). It starts over from the
    server and parks what the board does not show as drafts, instead of retrying forever."""
    board = shared_server.create_board(title="Vergessene Sitzung")
    link = board.links["participant"]
    ctx = make_context()
    away, here = ctx.new_page(), make_context().new_page()
    join(away, link, "Ada", "administration")
    join(here, link, "Ben", "science")
    away.wait_for_function("() => navigator.serviceWorker.controller !== null")
    shared = add_note(away, "A1", "gemeinsam")
    bens = add_note(here, "B1", "von Ben")
    expect(note_text(here, shared)).to_have_value("gemeinsam")
    expect(note_text(away, bens)).to_have_value("von Ben")

    ctx.set_offline(True)
    expect(away.locator(".conn")).to_have_attribute("data-state", "offline")
    # meanwhile Ben changes his note: Ada's copy of it is old, and not hers to keep
    note_text(here, bens).focus()
    here.keyboard.press("Control+End")
    here.keyboard.type(", ergänzt")
    offline_note = add_note(away, "A4", "offline geschrieben")
    note_text(away, shared).focus()
    away.keyboard.press("Control+End")
    away.keyboard.type(" und ergänzt")
    away.keyboard.press("Escape")
    # the browser forgets this board's pid (and so who Ada was); IndexedDB stays
    away.evaluate(
        "() => Object.keys(localStorage).filter(k => k.endsWith(':pid'))"
        ".forEach(k => localStorage.removeItem(k))"
    )
    away.reload()
    expect(note_text(away, offline_note)).to_have_value("offline geschrieben")
    sockets: list[object] = []
    away.on("websocket", lambda ws: sockets.append(ws))
    ctx.set_offline(False)

    # the page starts over from the board and keeps the words as drafts
    tray = away.locator("[data-testid=drafts-open]")
    expect(tray).to_have_text("Entwürfe (2)", timeout=15_000)
    expect_synced(away)
    expect(note_text(away, shared)).to_have_value("gemeinsam")
    expect(note_text(away, bens)).to_have_value("von Ben, ergänzt")
    expect(away.locator(f"[data-note='{offline_note}']")).to_have_count(0)
    tray.click()
    drafts = away.locator("dialog.drafts-modal .draft textarea")
    expect(drafts).to_have_count(2)
    assert sorted(drafts.evaluate_all("els => els.map(e => e.value)")) == [
        "gemeinsam und ergänzt",
        "offline geschrieben",
    ]
    expect(away.locator("dialog.drafts-modal .draft-reason").first).to_contain_text(
        "nicht mehr übertragen"
    )
    away.screenshot(path=str(artifacts / "startover-drafts-1440x900.png"))
    # the changed note's words go back into that note, not into a second one beside it
    changed = away.locator("dialog.drafts-modal .draft").filter(has=away.locator(".drafts-intro"))
    expect(changed).to_have_count(1)
    expect(changed.locator(".drafts-intro")).to_contain_text("Zur Notiz „gemeinsam“")
    expect(changed.locator("textarea")).to_have_value("gemeinsam und ergänzt")
    changed.get_by_role("button", name="Wieder eintragen").click()
    expect(note_text(here, shared)).to_have_value("gemeinsam und ergänzt")
    expect(drafts).to_have_count(1)
    away.keyboard.press("Escape")
    expect(away.locator("dialog.drafts-modal")).to_have_count(0)
    assert [n["text"] for n in notes_json(here).values()].count("gemeinsam und ergänzt") == 1
    # and it stays connected: no loop of refused reconnects
    opened = len(sockets)
    away.wait_for_timeout(3_000)
    assert len(sockets) == opened, f"{len(sockets) - opened} reconnects in 3 s"
    assert opened <= 8, f"{opened} connections before the page started over"
    expect(away.locator(".conn")).to_have_attribute("data-state", "synced")
    # a new note from this device now reaches everyone
    fresh = add_note(away, "B2", "wieder verbunden")
    expect(note_text(here, fresh)).to_have_value("wieder verbunden")
