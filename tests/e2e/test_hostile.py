"""Hostile note text is shown as text, nothing in it runs, and limits are explained."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note_text, notes_json

pytestmark = pytest.mark.e2e

HOSTILE = [
    '<img src=x onerror="window.__pwned = 1">',
    "</script><script>window.__pwned = 2</script>",
    '<svg onload="window.__pwned = 3"></svg><b>fett?</b> &amp; &lt;',
    "\u202eRTL-Override\u202c \u2067isolated\u2069 مرحبا بكم في ورشة العمل",
    '"><iframe src="javascript:window.__pwned=4"></iframe>',
]


def assert_nothing_ran(page: Page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(".board img, .board iframe, .board script, .board svg b").count() == 0


def test_hostile_text_is_only_text(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title='<img src=x onerror="window.__pwned=9">Titel')
    writer, reader = make_context().new_page(), make_context().new_page()
    join(writer, board.links["participant"], '<b onmouseover="window.__pwned=5">Mallory</b>')
    reader.goto(board.links["viewer"])
    expect(reader.locator(".conn")).to_have_attribute("data-state", "synced")

    ids = []
    for text in HOSTILE:
        note_id = add_note(writer, "A1", "")
        note_text(writer, note_id).fill(text)
        ids.append(note_id)
    long_text = ("Lorem ipsum dolor sit amet, ü ß مرحبا " * 200)[:4999] + "!"
    assert len(long_text) == 5000
    long_id = add_note(writer, "C1", "")
    note_text(writer, long_id).fill(long_text)

    for page in (writer, reader):
        for note_id, text in zip(ids, HOSTILE, strict=True):
            expect(note_text(page, note_id)).to_have_value(text)
        expect(note_text(page, long_id)).to_have_value(long_text)
        expect(page.locator(".board-title")).to_have_text(
            '<img src=x onerror="window.__pwned=9">Titel'
        )
        expect(page.locator(f"[data-note='{ids[0]}'] .note-who")).to_have_text(
            '<b onmouseover="window.__pwned=5">Mallory</b>'
        )
        # the list view renders the same text as text
        page.locator(".toolbar button[aria-controls=listview]").click()
        expect(page.locator(f"#listview [data-note='{ids[0]}'] .list-text")).to_have_text(
            HOSTILE[0]
        )
        expect(page.locator(f"#listview [data-note='{ids[3]}'] .list-text")).to_have_text(
            HOSTILE[3]
        )
        assert_nothing_ran(page)
        page.locator(".toolbar button[aria-controls=listview]").press("l")
    assert notes_json(reader)[ids[1]]["text"] == HOSTILE[1]
    assert reader.locator(f"[data-note='{ids[3]}'] textarea").get_attribute("dir") == "auto"

    # the note is full: one more character is not taken, and the person is told why
    area = note_text(writer, long_id)
    area.focus()
    writer.keyboard.press("Control+End")
    writer.keyboard.type("xyz")
    expect(area).to_have_value(long_text)
    expect(writer.locator(".toast").first).to_contain_text("höchstens 5000 Zeichen")

    # the viewer cannot edit at all
    expect(note_text(reader, ids[0])).not_to_be_editable()
    expect(reader.locator("[data-add='A1']")).to_be_hidden()


def test_refused_edit_is_explained(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Nur der Server")
    page = make_context().new_page()
    join(page, board.links["participant"], "Eve", "business")
    # a participant's client writes where only the server may (as a buggy client could)
    page.evaluate("() => window.cocanvas.doc.getMap('meta').set('title', 'Gekapert')")
    toast = page.locator(".toast-error")
    # worded from the refusal's code in the page's language, no internal names (P263)
    expect(toast).to_contain_text("ändert nur der Server")
    expect(toast).to_contain_text("zurückgenommen")
    expect(toast).not_to_contain_text("meta")
    # the server reverted it, and this replica converged back
    expect(page.locator(".board-title")).to_have_text("Nur der Server")
