"""The group's decisions in the browser: the moderator records one from the log panel, by
keyboard, linked to the selected note; every participant's log shows it as a decision
(PROTOCOL.md P230)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note_text

pytestmark = pytest.mark.e2e

NOTE = "Monatliche Treffen im Quartier"
FIRST = "Wir treffen uns ab Mai monatlich."
SECOND = "Ein Beirat aus allen Gruppen begleitet die Umsetzung."


def open_log(page: Page) -> None:
    page.locator("[aria-controls=log]").click()
    expect(page.locator("#log")).to_be_visible()


def test_p230_moderator_records_a_decision_participant_sees_it(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    artifacts: Path,
) -> None:
    board = shared_server.create_board(title="Beschlüsse")
    mod = make_context(viewport={"width": 1400, "height": 900}).new_page()
    ada = make_context(viewport={"width": 1400, "height": 900}).new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    join(ada, board.links["participant"], "Ada", "civil-society")
    a2 = add_note(mod, "A2", NOTE)  # the note now has the focus: it is the selected note
    expect(note_text(ada, a2)).to_have_value(NOTE)

    open_log(mod)
    form = mod.locator("#log form.decision-form")
    expect(form).to_be_visible()
    link = form.locator(".decision-link")
    expect(link).to_contain_text(NOTE)
    link.locator("input[type=checkbox]").check()
    text = form.get_by_label("Beschluss festhalten")
    text.fill(FIRST)
    text.press("Control+Enter")
    expect(form.locator(".decision-status")).to_have_text("Beschluss eingetragen.")
    expect(text).to_have_value("")

    # a second one by keyboard only: text, field chosen, Tab to the button, Enter
    text.fill(SECOND)
    form.get_by_label("Feld (optional)").select_option("C1")
    form.locator("button[type=submit]").focus()
    mod.keyboard.press("Enter")
    expect(mod.locator("#log .log-decision")).to_have_count(2)

    open_log(ada)
    expect(ada.locator("#log form.decision-form")).to_be_hidden()
    entries = ada.locator("#log .log-decision")
    expect(entries).to_have_count(2)
    newest, oldest = entries.nth(0), entries.nth(1)
    expect(oldest.locator(".log-badge")).to_have_text("Beschluss")
    expect(oldest).to_contain_text(FIRST)
    expect(oldest).to_contain_text(f"zur Notiz „{NOTE}“")
    expect(oldest).to_contain_text("Mo (Moderation)")
    expect(newest).to_contain_text(SECOND)
    expect(newest).to_contain_text("zu C1")
    expect(ada.locator("#log .log-withdraw")).to_have_count(0)  # participants cannot
    ada.locator("#log").screenshot(path=str(artifacts / "decisions-participant-log.png"))

    # the moderator withdraws a typo: gone from the list, still on record in the log
    mod.locator("#log .log-decision", has_text=SECOND).locator(".log-withdraw").click()
    expect(ada.locator("#log .log-decision-delete")).to_contain_text(f"zurückgenommen: {SECOND}")
    expect(ada.locator("#log .log-decision")).to_have_count(2)
    withdrawn = ada.locator("#log .log-decision-superseded")
    expect(withdrawn).to_contain_text(SECOND)
    expect(withdrawn).to_contain_text("später geändert oder zurückgenommen")
    mod.locator("#log").screenshot(path=str(artifacts / "decisions-moderator-log.png"))
