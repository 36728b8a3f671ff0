"""Find and filter notes (words, colour, group) with mouse, keyboard only and touch, and the
moderator's live counters per field with a moderator and three participants at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note
from .test_a11y import assert_no_serious_violations
from .test_workshop import add_private_note, open_section

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def marked(page: Page, cls: str) -> list[str]:
    ids: list[str] = page.locator(f".board-main [data-note].{cls}").evaluate_all(
        "els => els.map(e => e.dataset.note).sort()"
    )
    return ids


def counter(page: Page, field: str) -> Locator:
    """The counter on the field's heading in the canvas."""
    return page.locator(f"#canvas [data-counter='{field}']")


def listed(page: Page, field: str) -> Locator:
    """The counter beside the field's name in the moderator's field list."""
    return page.locator(f"#modpanel [data-field-row='{field}'] [data-counter]")


def test_search_by_words_colour_and_group_with_mouse_keyboard_and_touch(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Suchen")
    ada = make_context(bypass_csp=True).new_page()
    ben = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "youth")
    join(ben, board.links["participant"], "Ben", "administration")
    repair = add_note(ada, "A1", "Repair-Café im Quartier")
    ada.keyboard.press("Escape")
    works = add_note(ada, "A1", "Stadtwerke fragen")
    ada.keyboard.press("Escape")
    market = add_note(ben, "A2", "Café am Markt")
    ben.keyboard.press("Escape")
    note(ben, market).locator(".note-color").click()  # yellow -> orange
    expect(note(ada, market).locator("textarea").first).to_have_value("Café am Markt")
    ada.wait_for_function("(id) => window.cocanvas.notes()[id].color === 'orange'", arg=market)

    # mouse: words, then colour, then group; clearing restores the board
    ada.locator(".search-toggle").click()
    bar = ada.locator(".search-bar")
    found = bar.locator(".search-found")
    bar.locator(".search-input").fill("cafe")
    expect(found).to_have_text("2 gefunden")
    assert marked(ada, "search-hit") == sorted([repair, market])
    assert marked(ada, "search-dim") == [works]
    bar.locator(".search-color").select_option("orange")
    expect(found).to_have_text("1 gefunden")
    assert marked(ada, "search-hit") == [market]
    bar.locator(".search-color").select_option("")
    bar.locator(".search-input").fill("")
    bar.locator(".search-group").select_option(label="Verwaltung")
    expect(found).to_have_text("1 gefunden")
    assert marked(ada, "search-hit") == [market]
    # a note written now is searched too
    later = add_note(ben, "A3", "Verwaltung hilft")
    ben.keyboard.press("Escape")
    expect(found).to_have_text("2 gefunden")
    expect(note(ada, later)).to_have_class(re.compile(r"\bsearch-hit\b"))
    ada.evaluate("() => document.activeElement?.blur()")
    shot(ada, artifacts, "search-group-filter-1440x900.png")
    ada.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(ada)
    bar.get_by_role("button", name="Leeren").click()
    expect(found).to_have_text("")
    assert marked(ada, "search-hit") == [] and marked(ada, "search-dim") == []

    # keyboard only: "/" opens the bar, Enter goes to the match, Ctrl+F and Escape
    # (a letter right after writing is held back as typing; an arrow key shows intent)
    ben.locator(".viewport").focus()
    ben.keyboard.press("ArrowRight")
    ben.keyboard.press("/")
    expect(ben.locator(".search-input")).to_be_focused()
    ben.keyboard.type("stadtwerke")
    expect(ben.locator(".search-found")).to_have_text("1 gefunden")
    ben.keyboard.press("Enter")
    expect(note(ben, works)).to_be_focused()
    ben.keyboard.press("Control+f")
    expect(ben.locator(".search-input")).to_be_focused()
    expect(ben.locator(".search-input")).to_have_value("stadtwerke")
    ben.keyboard.press("Escape")
    expect(ben.locator(".search-bar")).to_be_hidden()
    expect(ben.locator(".search-toggle")).to_be_focused()
    assert marked(ben, "search-dim") == []

    # touch on a phone: tap to open, the match's field comes into view with "next"
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    phone.locator(".search-toggle").tap()
    phone.locator(".search-input").fill("markt")
    expect(phone.locator(".search-found")).to_have_text("1 gefunden")
    phone.locator(".search-next").tap()
    expect(phone.locator("#field-A2")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(phone.locator(".phone-nav select")).to_have_value("A2")
    expect(note(phone, market)).to_have_class(re.compile(r"\bsearch-hit\b"))
    phone.evaluate("() => document.activeElement?.blur()")
    shot(phone, artifacts, "phone-search-390x844.png")
    phone.locator(".search-close").tap()
    expect(phone.locator(".search-bar")).to_be_hidden()
    assert marked(phone, "search-hit") == []


def test_moderator_counters_follow_writers_and_voters_live(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Zähler")
    mod = make_context(bypass_csp=True).new_page()
    join(mod, board.links["moderator"], "Mo")
    people = [
        make_context().new_page(),
        make_context().new_page(),
        make_context(**PHONE).new_page(),
    ]
    for page, (name, group) in zip(
        people, [("Ada", "youth"), ("Ben", "administration"), ("Cem", "residents")], strict=True
    ):
        join(page, board.links["participant"], name, group)
    ada, ben, cem = people
    expect(counter(mod, "A1")).to_have_text("0 von 3 haben geschrieben")

    a1 = add_note(ada, "A1", "Erste Idee")
    expect(counter(mod, "A1")).to_have_text("1 von 3 hat geschrieben")
    add_note(ada, "A1", "Zweite Idee von Ada")  # the same person counts once
    b1 = add_note(ben, "A1", "Bens Idee")
    expect(counter(mod, "A1")).to_have_text("2 von 3 haben geschrieben")
    expect(listed(mod, "A1")).to_have_text("2 von 3 haben geschrieben")

    # private writing: the server counts what only the writer sees
    open_section(mod, "fields").locator("[data-private='B1']").click()
    expect(cem.locator("#field-B1 .field-private")).to_be_attached()
    cem.locator(".phone-nav select").select_option("B1")
    add_private_note(cem, "B1", "Nur für mich")
    expect(counter(mod, "B1")).to_have_text("1 von 3 hat geschrieben")
    assert "Nur für mich" not in mod.content()

    # voting: how many have cast a dot in the voted field
    vote = open_section(mod, "vote")
    vote.locator("input[name=vote-field][value=A1]").check()
    vote.locator("input[name=vote-dots]").fill("2")
    vote.locator("[data-vote-open]").click()
    expect(counter(mod, "A1")).to_have_text("0 von 3 haben abgestimmt")
    expect(counter(mod, "B1")).to_have_text("1 von 3 hat geschrieben")
    note(ada, b1).locator("[data-vote=cast]").click()
    expect(counter(mod, "A1")).to_have_text("1 von 3 hat abgestimmt")
    note(ben, a1).locator("[data-vote=cast]").click()
    expect(counter(mod, "A1")).to_have_text("2 von 3 haben abgestimmt")
    expect(listed(mod, "A1")).to_have_text("2 von 3 haben abgestimmt")
    mod.evaluate("() => document.activeElement?.blur()")
    shot(mod, artifacts, "moderator-counters-1440x900.png")
    mod.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    assert_no_serious_violations(mod)

    # someone leaves: the counts are of the people here
    cem.context.close()
    expect(counter(mod, "A1")).to_have_text("2 von 2 haben abgestimmt")
    expect(counter(mod, "B1")).to_have_text("0 von 2 haben geschrieben")
    expect(listed(mod, "B1")).to_have_text("0 von 2 haben geschrieben")
    # participants never see counters
    for page in (ada, ben):
        expect(page.locator(".field-counter")).to_have_count(0)
