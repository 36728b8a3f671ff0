"""Nothing typed is lost: a lock hitting while someone types, and offline work into a field
locked meanwhile, end as drafts the author sees in their language (PROTOCOL.md P260-P264)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import LiveServer

from .support import add_note, expect_synced, join, note_text, notes_json, server_board

pytestmark = pytest.mark.e2e


# the element gets a click at its centre: nothing lies over it
UNCOVERED = """(el) => {
  const r = el.getBoundingClientRect()
  const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
  return at !== null && (at === el || el.contains(at))
}"""


def moderator(make_context: Callable[..., BrowserContext], link: str) -> Page:
    page = make_context().new_page()
    join(page, link, "Mo")
    return page


def lock(mod: Page, field: str) -> None:
    mod.locator(f"[data-lock='{field}']").click()


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def test_p262_lock_while_typing_keeps_the_words_as_a_draft_the_moderator_accepts(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Sperre beim Schreiben")
    mod = moderator(make_context, board.links["moderator"])
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "administration")
    note_id = add_note(ada, "C1", "Wir brauchen")
    expect(note_text(mod, note_id)).to_have_value("Wir brauchen")

    lock(mod, "C1")
    expect(ada.locator("#field-C1 .field-lock")).to_be_visible()
    note_text(ada, note_id).focus()
    ada.keyboard.press("End")
    ada.keyboard.type(" mehr Zeit")

    dialog = ada.locator("dialog.drafts-modal")
    expect(dialog).to_be_visible()
    draft = dialog.locator(".draft").first
    expect(draft.locator("textarea")).to_have_value("Wir brauchen mehr Zeit")
    expect(draft.locator(".draft-reason")).to_contain_text("C1")
    expect(draft.locator(".draft-reason")).to_contain_text("während Sie schrieben")
    expect(note_text(ada, note_id)).to_have_value("Wir brauchen")  # the field stays as locked
    shot(ada, artifacts, "drafts-lock-typing-1440x900.png")
    ada.set_viewport_size({"width": 390, "height": 844})
    shot(ada, artifacts, "drafts-lock-typing-390x844.png")
    ada.set_viewport_size({"width": 1440, "height": 900})

    draft.get_by_role("button", name="Als späte Notiz einreichen").click()
    expect(dialog.locator(".modal-status")).to_contain_text("Moderation")
    expect(dialog.locator(".draft")).to_have_count(0)

    late = mod.locator("[data-testid=late-open]")
    expect(late).to_have_text("Späte Notizen (1)")
    late.click()
    item = mod.locator("dialog.drafts-modal .late-note")
    expect(item).to_contain_text("Wir brauchen mehr Zeit")
    expect(item).to_contain_text("Ada")
    expect(item).to_contain_text("Ergänzt eine Notiz, die schon im Feld steht")
    shot(mod, artifacts, "drafts-late-notes-moderator-1440x900.png")
    item.get_by_role("button", name="Ins Feld aufnehmen").click()
    expect(mod.locator("dialog.drafts-modal .late-note")).to_have_count(0)

    # her note is completed, not written a second time
    expect(note_text(ada, note_id)).to_have_value("Wir brauchen mehr Zeit")
    expect(note_text(mod, note_id)).to_have_value("Wir brauchen mehr Zeit")
    assert [i for i, n in notes_json(mod).items() if n["field"] == "C1"] == [note_id]
    expect(ada.locator("#field-C1 .field-lock")).to_be_visible()

    # coming back to a note of a field she knows is locked is not "it was just locked"
    ada.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    ada.evaluate("() => document.activeElement.blur()")
    note_text(ada, note_id).focus()
    ada.keyboard.press("End")
    ada.keyboard.type("!")
    expect(ada.locator(".toast").last).to_contain_text("Das Feld C1 ")
    expect(ada.locator(".toast").last).to_contain_text("ist gesperrt. Schreiben Sie hier weiter")
    again = ada.locator("dialog.drafts-modal .draft").first
    expect(again.locator("textarea")).to_have_value("Wir brauchen mehr Zeit!")
    expect(again.locator(".draft-reason")).to_contain_text(
        "ist gesperrt: Ihr Text kam nicht ins Feld"
    )

    # in the note again: the field opens, she writes, it locks again while she writes on
    ada.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    mod.keyboard.press("Escape")  # the late notes' dialog
    expect(mod.locator("dialog.drafts-modal")).to_have_count(0)
    lock(mod, "C1")  # the same button opens the field again
    expect(ada.locator("#field-C1 .field-lock")).to_be_hidden()
    expect(note_text(ada, note_id)).to_be_editable()
    note_text(ada, note_id).click()
    ada.keyboard.press("End")
    ada.keyboard.type(" jetzt")
    expect(note_text(mod, note_id)).to_have_value("Wir brauchen mehr Zeit jetzt")
    lock(mod, "C1")
    expect(ada.locator("#field-C1 .field-lock")).to_be_visible()
    ada.keyboard.type("!")
    expect(ada.locator(".toast").last).to_contain_text("wurde gerade gesperrt")


def test_p260_offline_work_into_a_locked_field_parks_only_that_note_with_a_german_reason(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Funkloch und Sperre")
    mod = moderator(make_context, board.links["moderator"])
    away_ctx = make_context()
    away = away_ctx.new_page()
    join(away, board.links["participant"], "Ben", "science")
    first = add_note(away, "A1", "Start")
    expect(note_text(mod, first)).to_have_value("Start")

    away_ctx.set_offline(True)
    expect(away.locator(".conn")).to_have_attribute("data-state", "offline")
    lock(mod, "A1")
    expect(mod.locator("#field-A1 .field-lock")).to_be_visible()
    # offline, Ben does not know about the lock
    note_text(away, first).focus()
    away.keyboard.press("End")
    away.keyboard.type(" und offline ergänzt")
    open_one = add_note(away, "B1", "offen eins")
    open_two = add_note(away, "B2", "offen zwei")
    away.keyboard.press("Escape")

    away_ctx.set_offline(False)
    expect_synced(away)
    expect(note_text(mod, open_one)).to_have_value("offen eins")
    expect(note_text(mod, open_two)).to_have_value("offen zwei")
    expect(note_text(away, first)).to_have_value("Start")
    tray = away.locator("[data-testid=drafts-open]")
    expect(tray).to_have_text("Entwürfe (1)")
    # on a phone the refusal's toasts stay clear of the tray's button
    away.set_viewport_size({"width": 390, "height": 844})
    expect(away.locator(".toasts .toast").first).to_be_visible()
    assert tray.evaluate(UNCOVERED), "a toast covers the drafts button"
    shot(away, artifacts, "drafts-toasts-390x844.png")
    away.set_viewport_size({"width": 1440, "height": 900})
    tray.click()
    draft = away.locator("dialog.drafts-modal .draft")
    expect(draft).to_have_count(1)
    expect(draft.locator("textarea")).to_have_value("Start und offline ergänzt")
    reason = draft.locator(".draft-reason")
    expect(reason).to_contain_text("Das Feld A1 ")
    expect(reason).to_contain_text(
        "ist gerade von der Moderation gesperrt. Ihre Änderung dort wurde zurückgenommen."
    )
    shot(away, artifacts, "drafts-offline-parked-1440x900.png")
    away.set_viewport_size({"width": 390, "height": 844})
    shot(away, artifacts, "drafts-offline-parked-390x844.png")
    away.set_viewport_size({"width": 1440, "height": 900})

    # put it into an open field instead
    draft.locator("select").select_option("B3")
    draft.get_by_role("button", name="In dieses Feld legen").click()
    expect(away.locator("dialog.drafts-modal .draft")).to_have_count(0)
    away.wait_for_function(
        "() => Object.values(window.cocanvas.notes()).some("
        "n => n.field === 'B3' && n.text === 'Start und offline ergänzt')"
    )
    mod.wait_for_function(
        "() => Object.values(window.cocanvas.notes()).some("
        "n => n.field === 'B3' && n.text === 'Start und offline ergänzt')"
    )
    stored = server_board(shared_server, board)["notes"]
    assert {(n["field"], n["text"]) for n in stored.values()} == {
        ("A1", "Start"),
        ("B1", "offen eins"),
        ("B2", "offen zwei"),
        ("B3", "Start und offline ergänzt"),
    }
