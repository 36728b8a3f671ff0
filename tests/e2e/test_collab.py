"""Three people on one board: notes, shared typing and moves reach everyone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.live import LiveServer

from .support import add_note, comparable, join, note, note_text, notes_json

pytestmark = pytest.mark.e2e

SECOND = 1000  # ms: the promise for how fast a note reaches the others


def test_three_people_add_type_and_move_together(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Drei Personen")
    link = board.links["participant"]
    ada, ben, cem = (make_context().new_page() for _ in range(3))
    join(ada, link, "Ada", "administration")
    join(ben, link, "Ben", "civil-society")
    join(cem, link, None)
    pages = [ada, ben, cem]

    # each adds a note; it shows in the other two within a second
    written = {}
    for page, field, text in (
        (ada, "A1", "Von Ada"),
        (ben, "B1", "Von Ben"),
        (cem, "C1", "Von Cem"),
    ):
        note_id = add_note(page, field, text)
        written[note_id] = (field, text)
        for other in pages:
            expect(note_text(other, note_id)).to_have_value(text, timeout=SECOND)
            expect(other.locator(f"#field-{field} [data-note='{note_id}']")).to_have_count(1)
    ada_note = next(i for i, (f, _) in written.items() if f == "A1")
    expect(note(ben, ada_note).locator(".note-who")).to_have_text("Ada · Verwaltung")
    cem_note = next(i for i, (f, _) in written.items() if f == "C1")
    expect(note(ada, cem_note).locator(".note-who")).to_have_text("anonym")

    # two people type in the same note at once: one at the start, one at the end
    shared = add_note(ada, "A2", "Mitte")
    expect(note_text(ben, shared)).to_have_value("Mitte", timeout=SECOND)
    note_text(ada, shared).focus()
    ada.keyboard.press("Control+Home")
    note_text(ben, shared).focus()
    ben.keyboard.press("Control+End")
    front, back = "Anfang-", "-Ende"
    for i in range(max(len(front), len(back))):
        if i < len(front):
            ada.keyboard.type(front[i])
        if i < len(back):
            ben.keyboard.type(back[i])
    for page in pages:
        expect(note_text(page, shared)).to_have_value("Anfang-Mitte-Ende")

    # a move by one (menu and drag) moves the note for everyone
    note(ada, ada_note).focus()
    note(ada, ada_note).locator("select.note-move").select_option("B2")
    for page in pages:
        expect(page.locator(f"#field-B2 [data-note='{ada_note}']")).to_have_count(1, timeout=SECOND)
    bar = note(ben, ada_note).locator(".note-bar")
    target = ben.locator("[data-area='A4']")
    box = target.bounding_box()
    assert box is not None
    bar.hover()
    ben.mouse.down()
    ben.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5, steps=8)
    ben.mouse.up()
    for page in pages:
        expect(page.locator(f"#field-A4 [data-note='{ada_note}']")).to_have_count(1, timeout=SECOND)
    moved = notes_json(cem)[ada_note]
    assert moved["field"] == "A4"
    assert 0.15 < moved["x"] < 0.35
    assert 0.4 < moved["y"] < 0.6

    # every replica ends equal
    first = comparable(notes_json(ada))
    for page in (ben, cem):
        page.wait_for_function(
            "n => Object.keys(window.cocanvas.notes()).length === n", arg=len(first)
        )
        assert comparable(notes_json(page)) == first
