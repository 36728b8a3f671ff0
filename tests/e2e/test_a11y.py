"""Accessibility: axe-core finds nothing serious; a keyboard-only person can do the work."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import ROOT, LiveServer

from .support import add_note, join, note, note_text, notes_json

pytestmark = pytest.mark.e2e

AXE = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_no_serious_violations(page: Page) -> None:
    found = serious_violations(page)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


def serious_violations(page: Page) -> list[dict[str, Any]]:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `cd client && npm ci`", pytrace=False)
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        TAGS,
    )
    return found


def test_axe_landing_and_board_pages(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    # axe is injected as a script tag, which the pages' strict CSP would (rightly) refuse
    page = make_context(bypass_csp=True).new_page()
    page.goto(shared_server.http + "/")
    expect(page.locator("h1")).to_be_visible()
    assert_no_serious_violations(page)

    # the landing page after creating a board (links, copy buttons, QR code)
    page.goto(shared_server.http + "/")
    page.locator("input[name=title]").fill("Barrierefreiheit")
    page.locator(".create-form button[type=submit]").click()
    expect(page.locator(".qr")).to_be_visible()
    assert_no_serious_violations(page)
    participant = page.locator("input[data-role=participant]").input_value()

    # the board for a participant, with notes of every kind, in canvas and list view
    board_page = make_context(bypass_csp=True).new_page()
    join(board_page, participant, "Ada", "youth")
    add_note(board_page, "A1", "Gemeinsam entscheiden")
    add_note(board_page, "A3", "Repair-Café")
    add_note(board_page, "B4", "Stadtwerke")
    add_note(board_page, "C3", "Termin vereinbaren")
    board_page.keyboard.press("Escape")
    # checked at 100 % zoom: at "fit" the whole canvas is scaled down like a map
    board_page.evaluate("() => document.activeElement.blur()")
    board_page.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(board_page)
    board_page.locator(".toolbar button[aria-controls=listview]").click()
    expect(board_page.locator("#listview")).to_be_visible()
    assert_no_serious_violations(board_page)

    # the join dialog itself
    fresh = make_context(bypass_csp=True).new_page()
    fresh.goto(participant)
    expect(fresh.locator("dialog[open]")).to_be_visible()
    assert_no_serious_violations(fresh)


def test_keyboard_only_journey(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Tastatur")
    page = make_context().new_page()
    join(page, board.links["participant"], "Kai", "residents")

    # tab to the first field's "+ Note" button
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset?.add === 'A1'"):
            break
    else:
        pytest.fail("Tab never reached the A1 add button")
    focus_visible = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )
    assert focus_visible

    # add a note and type into it
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.tagName === 'TEXTAREA'")
    page.keyboard.type("Nur mit der Tastatur")
    note_id = page.evaluate("() => document.activeElement.closest('[data-note]').dataset.note")
    assert isinstance(note_id, str)
    expect(page.locator(f"#field-A1 [data-note='{note_id}']")).to_have_count(1)

    # leave the text, move the note to the next field, nudge it, keep the focus on it
    page.keyboard.press("Escape")
    expect(note(page, note_id)).to_be_focused()
    page.keyboard.press("PageDown")
    expect(page.locator(f"#field-A2 [data-note='{note_id}']")).to_have_count(1)
    expect(note(page, note_id)).to_be_focused()
    before = notes_json(page)[note_id]["x"]
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("([id, x]) => window.cocanvas.notes()[id].x > x", arg=[note_id, before])

    # delete it and bring it back with undo
    page.keyboard.press("Delete")
    expect(note(page, note_id)).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(note_text(page, note_id)).to_have_value("Nur mit der Tastatur")
    assert notes_json(page)[note_id]["field"] == "A2"

    # the same board in English, switched by the person (remembered on this device)
    page.locator("#ui-lang").select_option("en")
    expect(page.locator("#field-A1 .field-label")).to_have_text("Shared definition")
    expect(page.locator("[data-add='A2']")).to_have_text("+ Note")
    expect(note_text(page, note_id)).to_have_value("Nur mit der Tastatur")
    page.reload()
    expect(page.locator("#field-A1 .field-label")).to_have_text("Shared definition")


def test_axe_facilitation_views(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """The moderator panel, a participant during private writing and a vote, the projector."""
    board = shared_server.create_board(title="Moderation barrierefrei")
    mod = make_context(bypass_csp=True).new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    part = make_context(bypass_csp=True).new_page()
    join(part, board.links["participant"], "Ada", "youth")
    note_id = add_note(part, "B2", "Mission")
    expect(note_text(mod, note_id)).to_have_value("Mission")

    for section in mod.locator("#modpanel details").all():
        if section.get_attribute("open") is None:
            section.locator("summary").click()
    panel = mod.locator("#modpanel")
    panel.locator("[data-private='B1']").click()
    panel.locator("input[name=vote-field][value=B2]").check()
    panel.locator("[data-vote-open]").click()
    panel.locator("select[name=timer-target]").select_option("B")
    panel.locator("[data-timer=start]").click()
    expect(part.locator(".timerbar")).to_have_attribute("data-state", "running")
    # a field timer inside the part timer: both times are shown everywhere (P250)
    panel.locator("select[name=timer-target]").select_option("B2")
    panel.locator("[data-timer=start]").click()
    expect(part.locator(".timerbar .timer-outer-time")).to_be_visible()
    expect(note(part, note_id).locator("[data-vote=cast]")).to_be_visible()
    mod.locator(".toolbar button[aria-controls=log]").click()
    expect(mod.locator("#log li").first).to_be_visible()
    mod.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(mod)

    part.locator("[data-add='B1']").click()
    part.keyboard.type("nur für mich")
    part.keyboard.press("Escape")
    part.evaluate("() => document.activeElement.blur()")
    part.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(part)

    beamer = make_context(bypass_csp=True, viewport={"width": 1920, "height": 1080}).new_page()
    beamer.goto(board.links["projector"])
    expect(beamer.locator(".projector-band .qr")).to_be_visible()
    beamer.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(beamer)


def test_focus_moved_as_a_dialog_closes_stays_where_it_went(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """A dialog gives the focus back to what opened it when its close event comes, a task
    after close(): a note focused in between (as a dialog's button leading to a note does)
    must keep it, and typing must go into that note."""
    board = shared_server.create_board(title="Fokus nach dem Dialog")
    page = make_context().new_page()
    join(page, board.links["participant"], "Kai", "residents")
    note_id = add_note(page, "A1", "Erst")
    page.locator("[data-open='export']").click()
    expect(page.locator("dialog.modal-export")).to_be_visible()
    page.evaluate(
        """(id) => {
            document.querySelector('dialog.modal-export').close()
            document.querySelector(`[data-note="${id}"] textarea`).focus()
        }""",
        note_id,
    )
    expect(page.locator("dialog.modal-export")).to_have_count(0)
    page.wait_for_timeout(200)  # the close event has come and gone
    expect(note_text(page, note_id)).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" dann")
    expect(note_text(page, note_id)).to_have_value("Erst dann")

    # closed with nothing focused meanwhile, the focus goes back to the opener
    page.locator("[data-open='export']").click()
    page.keyboard.press("Escape")
    expect(page.locator("[data-open='export']")).to_be_focused()
