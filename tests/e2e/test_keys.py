"""Safe keys on the board: a typo fix never deletes a note, Delete can be undone, someone
else's note is deleted only after asking, and letters typed after a missed click do
nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.live import LiveServer

from .support import add_note, join, note, note_text, notes_json, server_board

pytestmark = pytest.mark.e2e

QUIET_MS = 1500  # keyGuard.TYPING_QUIET_MS


def wait_quiet(page: Page) -> None:
    """Let the quiet time after typing pass (waits on the page's clock, not a sleep)."""
    start = page.evaluate("() => performance.now()")
    page.wait_for_function("t => performance.now() > t", arg=start + QUIET_MS + 100)


def has_note(page: Page, note_id: str) -> bool:
    return note_id in notes_json(page)


def test_escape_then_backspace_keeps_the_note(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Tippfehler")
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "administration")
    note_id = add_note(ada, "A1", "Radwegx")
    ada.keyboard.press("Escape")
    expect(note(ada, note_id)).to_be_focused()
    # the typo fix, at once and again after a pause: the note stays
    ada.keyboard.press("Backspace")
    assert has_note(ada, note_id)
    wait_quiet(ada)
    ada.keyboard.press("Backspace")
    assert has_note(ada, note_id)
    expect(ada.locator(".toast", has_text="Sie schreiben nicht mehr in der Notiz")).to_be_visible()
    # Enter goes back to writing, where Backspace fixes the typo
    ada.keyboard.press("Enter")
    expect(note_text(ada, note_id)).to_be_focused()
    ada.keyboard.press("End")
    ada.keyboard.press("Backspace")
    expect(note_text(ada, note_id)).to_have_value("Radweg")
    assert notes_json(ada)[note_id]["text"] == "Radweg"


def test_delete_shows_a_toast_and_undo_brings_the_note_back(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Rückgängig")
    ada, ben = (make_context().new_page() for _ in range(2))
    join(ada, board.links["participant"], "Ada", "administration")
    join(ben, board.links["participant"], "Ben", "civil-society")
    note_id = add_note(ada, "A1", "Schulwege sicherer machen")
    expect(note_text(ben, note_id)).to_have_value("Schulwege sicherer machen")
    note(ada, note_id).focus()
    wait_quiet(ada)
    ada.keyboard.press("Delete")
    expect(note(ada, note_id)).to_have_count(0)
    expect(note(ben, note_id)).to_have_count(0)
    toast = ada.locator(".toast", has_text="Notiz gelöscht")
    expect(toast).to_be_visible()
    # another edit comes first; undo still restores exactly the deleted note
    other = add_note(ada, "A2", "Neue Idee")
    toast.get_by_role("button", name="Rückgängig").click()
    for page in (ada, ben):
        expect(note_text(page, note_id)).to_have_value("Schulwege sicherer machen")
        expect(note_text(page, other)).to_have_value("Neue Idee")
    assert server_board(shared_server, board)["notes"][note_id]["text"] == (
        "Schulwege sicherer machen"
    )


def test_deleting_someone_elses_note_asks_first(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Fremde Notiz")
    ada, ben, mo = (make_context().new_page() for _ in range(3))
    join(ada, board.links["participant"], "Ada", "administration")
    join(ben, board.links["participant"], "Ben", "civil-society")
    join(mo, board.links["moderator"], "Mo")
    first = add_note(ada, "A1", "Bürgerbus")
    second = add_note(ada, "A2", "Tauschbörse")
    expect(note_text(ben, second)).to_have_value("Tauschbörse")

    note(ben, first).focus()
    wait_quiet(ben)
    ben.keyboard.press("Delete")
    dialog = ben.locator("dialog[open]")
    expect(dialog).to_contain_text("Ada")
    expect(dialog).to_contain_text("Bürgerbus")
    dialog.locator("[data-confirm=no]").click()
    expect(dialog).to_have_count(0)
    assert has_note(ben, first) and has_note(ada, first)

    note(ben, first).focus()
    ben.keyboard.press("Delete")
    ben.locator("dialog[open] [data-confirm=yes]").click()
    expect(note(ada, first)).to_have_count(0)
    ben.locator(".toast", has_text="Notiz gelöscht").get_by_role(
        "button", name="Rückgängig"
    ).click()
    expect(note_text(ada, first)).to_have_value("Bürgerbus")

    # the moderator tidies up without being asked, and can undo too
    expect(note_text(mo, second)).to_have_value("Tauschbörse")
    note(mo, second).focus()
    wait_quiet(mo)
    mo.keyboard.press("Delete")
    expect(mo.locator("dialog[open]")).to_have_count(0)
    expect(note(ada, second)).to_have_count(0)
    mo.locator(".toast", has_text="Notiz gelöscht").get_by_role("button", name="Rückgängig").click()
    expect(note_text(ada, second)).to_have_value("Tauschbörse")


def test_a_letter_typed_after_leaving_a_text_box_does_not_switch_views(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Danebengeklickt")
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "administration")
    add_note(ada, "A1", "Wir brauchen mehr Bän")
    # a missed click on the board, then the rest of the word
    box = ada.locator("[data-area='A4']").bounding_box()
    assert box is not None
    ada.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert ada.evaluate("() => document.activeElement?.tagName") != "TEXTAREA"
    ada.keyboard.type("ke los und nicht weniger")  # one "l" (list view), "n" (new note)
    listview = ada.locator("#listview")
    assert ada.evaluate("() => document.getElementById('listview').hidden") is True
    expect(listview).to_be_hidden()
    assert len(notes_json(ada)) == 1
    # the shortcut itself still works once nobody is typing
    wait_quiet(ada)
    ada.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    ada.keyboard.press("l")
    expect(listview).to_be_visible()


def test_a_private_note_survives_escape_then_backspace_and_delete_is_undoable(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Still schreiben")
    mo, ada = (make_context().new_page() for _ in range(2))
    join(mo, board.links["moderator"], "Mo")
    join(ada, board.links["participant"], "Ada", "administration")
    fields = mo.locator("#modpanel #mod-fields")
    if fields.get_attribute("open") is None:
        fields.locator("summary").click()
    fields.locator("[data-private='B1']").click()
    expect(ada.locator("#field-B1 .field-private")).to_be_visible()

    ada.locator("[data-add='B1']").click()
    ada.wait_for_function("() => document.activeElement?.closest('[data-private-note]')")
    ada.keyboard.type("Geheimx")
    ada.keyboard.press("Escape")
    ada.keyboard.press("Backspace")
    wait_quiet(ada)
    ada.keyboard.press("Backspace")
    mine = "() => window.cocanvas.privateNotes().map(n => n.text)"
    assert ada.evaluate(mine) == ["Geheimx"]
    expect(ada.locator(".toast", has_text="Sie schreiben nicht mehr in der Notiz")).to_be_visible()

    # Delete twice (the first one after Escape only warns), then undo
    ada.keyboard.press("Delete")
    ada.keyboard.press("Delete")
    expect(ada.locator("[data-private-note]")).to_have_count(0)
    ada.locator(".toast", has_text="Notiz gelöscht").get_by_role(
        "button", name="Rückgängig"
    ).click()
    expect(ada.locator("[data-private-note] textarea")).to_have_value("Geheimx")
    ada.wait_for_function(
        "() => window.cocanvas.privatePending() === 0 &&"
        " window.cocanvas.privateNotes().some(n => n.text === 'Geheimx')"
    )


def test_tabbing_through_the_board_pans_it_and_never_scrolls_it(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """Tab brings each control into view by panning: a scrolled viewport would put the
    board and its overview out of step until the page is reloaded."""
    board = shared_server.create_board(title="Nur Tastatur")
    page = make_context().new_page()
    join(page, board.links["participant"], "Ada", "administration")
    wait_quiet(page)  # the name was just typed: shortcuts wait for a pause
    page.locator(".viewport").focus()
    before = page.evaluate("() => document.querySelector('.board').style.transform")
    page.keyboard.press("1")  # part A, close up: the rest of the board is out of sight
    page.wait_for_function(
        "t => { const b = document.querySelector('.board'); return b.style.transform !== t }",
        arg=before,
    )
    for step in range(70):
        page.keyboard.press("Tab")
        # the pan may be animated: wait for it to end in sight
        try:
            page.wait_for_function(IN_SIGHT_UNSCROLLED, timeout=5000)
        except PlaywrightTimeoutError:
            where = page.evaluate(WHERE_FOCUS)
            raise AssertionError(f"Tab {step + 1}: not in sight, or scrolled: {where}") from None


IN_SIGHT_UNSCROLLED = """() => {
  const v = document.querySelector('.viewport'), a = document.activeElement
  if (v.scrollLeft !== 0 || v.scrollTop !== 0) return false
  if (!v.contains(a) || a === v) return true
  const r = a.getBoundingClientRect(), w = v.getBoundingClientRect()
  return r.right > w.left && r.left < w.right && r.bottom > w.top && r.top < w.bottom
}"""

WHERE_FOCUS = """() => {
  const v = document.querySelector('.viewport'), a = document.activeElement
  const r = a.getBoundingClientRect(), w = v.getBoundingClientRect()
  return { focus: a.outerHTML.slice(0, 120), scroll: [v.scrollLeft, v.scrollTop],
           box: [r.left, r.top, r.right, r.bottom], port: [w.left, w.top, w.right, w.bottom],
           transform: document.querySelector('.board').style.transform }
}"""
