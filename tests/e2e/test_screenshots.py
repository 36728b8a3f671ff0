"""Screenshots of a filled board at desktop, phone and projector sizes, for people to look at.

Saved under test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note_text

pytestmark = pytest.mark.e2e

CONTENT = {
    "A1": ["Gemeinsam denken, entwickeln, umsetzen", "Geteilte Verantwortung statt Anhörung"],
    "A2": ["Smart-City-Strategie 2030, Kap. 4", "Leitlinien Bürgerbeteiligung"],
    "A4": [
        "Offene Sensordaten für alle",
        "Lernen, wie Verwaltung und Initiativen zusammenarbeiten",
    ],
    "B1": ["Klimaanpassung", "Mobilität im Quartier"],
    "B2": ["Mit Civic Tech die Hitzevorsorge im Quartier verbessern"],
    "B3": ["Civic-Tech-Partnerschaft passt am besten"],
    "C1": ["Budget für den Betrieb klären", "Datenschutz früh einbinden"],
    "C2": ["Ehrgeizig, aber machbar"],
}
DIAGRAM = [("Gieß den Kiez", 0.2, 0.8), ("Luftdaten-Sensoren", 0.75, 0.55), ("FabLab", 0.85, 0.9)]


def fill_board(page: Page) -> None:
    for field, texts in CONTENT.items():
        for text in texts:
            add_note(page, field, text)
    area = page.locator("[data-area='A3']")
    for text, x, y in DIAGRAM:
        box = area.bounding_box()  # again each time: focusing a note may pan the view
        assert box is not None
        page.mouse.dblclick(box["x"] + x * box["width"], box["y"] + (1 - y) * box["height"])
        page.wait_for_function("() => document.activeElement?.tagName === 'TEXTAREA'")
        page.keyboard.type(text)
    for actor in ("Stadtwerke", "Repair-Café e. V."):
        add_note(page, "B4", actor)
        page.keyboard.press("Tab")
        page.keyboard.type("Räume, Daten")
    for what in ("Gespräch mit dem Tiefbauamt", "Steckbrief für den Stadtrat"):
        add_note(page, "C3", what)
        page.keyboard.press("Tab")
        page.keyboard.type("Ada")
    page.keyboard.press("Escape")
    page.locator("[data-action=fit]").click()


def shot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("() => document.activeElement?.blur()")
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def test_screenshots_desktop_phone_projector(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Ko-Kreation Musterstadt")
    desk = make_context(viewport={"width": 1440, "height": 900}).new_page()
    join(desk, board.links["participant"], "Ada", "administration")
    fill_board(desk)
    shot(desk, artifacts, "board-desktop-1440x900.png")
    # the toolbar's list button ("l" waits while someone has just been typing)
    desk.locator(".toolbar button[aria-controls=listview]").press("l")
    expect(desk.locator("#listview")).to_be_visible()
    shot(desk, artifacts, "board-list-1440x900.png")

    phone = make_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    join(phone, board.links["participant"], "Ben", "youth")
    expect(phone.locator(".phone-nav")).to_be_visible()
    expect(phone.locator("#field-A1")).to_be_visible()
    expect(phone.locator("#field-A2")).to_be_hidden()
    shot(phone, artifacts, "board-phone-390x844-A1.png")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_be_visible()
    shot(phone, artifacts, "board-phone-390x844-A3.png")
    phone.locator(".phone-nav select").select_option("B4")
    note_id = add_note(phone, "B4", "Jugendparlament")
    expect(note_text(desk, note_id)).to_have_value("Jugendparlament")
    shot(phone, artifacts, "board-phone-390x844-B4.png")

    # the projector link shows the room an overview of the fields beside the join band
    # (P290); a viewer link at the same size shows the whole canvas
    beamer = make_context(viewport={"width": 1920, "height": 1080}).new_page()
    beamer.goto(board.links["projector"])
    expect(beamer.locator(".conn")).to_have_attribute("data-state", "synced")
    expect(beamer.locator(".projector-stage[data-stage=overview] .stage-tile")).to_have_count(11)
    expect(beamer.locator(".projector-band .join-code")).to_be_visible()
    shot(beamer, artifacts, "board-projector-1920x1080.png")
    beamer = make_context(viewport={"width": 1920, "height": 1080}).new_page()
    beamer.goto(board.links["viewer"])
    expect(beamer.locator(".conn")).to_have_attribute("data-state", "synced")
    expect(beamer.locator(f"[data-note='{note_id}']")).to_have_count(1)
    beamer.locator("[data-action=fit]").click()
    # at "fit" the whole canvas is inside the window
    inside = beamer.evaluate(
        """() => { const b = document.querySelector('.board').getBoundingClientRect();
                   const v = document.querySelector('.viewport').getBoundingClientRect();
                   return b.left >= v.left - 1 && b.top >= v.top - 1 &&
                          b.right <= v.right + 1 && b.bottom <= v.bottom + 1 }"""
    )
    assert inside
    shot(beamer, artifacts, "board-viewer-1920x1080.png")

    landing = make_context(
        viewport={"width": 1440, "height": 900}, permissions=["clipboard-write"]
    ).new_page()
    landing.goto(shared_server.http + "/")
    landing.locator("input[name=title]").fill("Ko-Kreation Musterstadt")
    landing.locator(".create-form button[type=submit]").click()
    expect(landing.locator(".qr")).to_be_visible()
    for role in ("participant", "moderator", "viewer", "projector"):
        link = landing.locator(f"input[data-role={role}]").input_value()
        assert link.startswith(shared_server.http + "/b/") and "#k=" in link
    landing.locator("button[data-copy=participant]").click()
    expect(landing.locator(".link-participant .copy-state")).to_have_text("Kopiert")
    shot(landing, artifacts, "landing-created-1440x900.png")
