"""A part timer with a field timer inside it (P250): the participants' timer bars show both
times, and +5 min after the field's time is up runs it again and unlocks the field (P252)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note_text
from .test_workshop import open_section

pytestmark = pytest.mark.e2e

PART_LEFT = re.compile(r"^(45:00|44:[0-5]\d)$")


def start(time: Locator, target: str, duration: str, lock: bool = False) -> None:
    time.locator("select[name=timer-target]").select_option(target)
    time.locator("input[name=timer-duration]").fill(duration)
    checkbox = time.locator("input[name=timer-lock]")
    checkbox.check() if lock else checkbox.uncheck()
    time.locator("[data-timer=start]").click()


def shot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("() => document.activeElement?.blur()")
    page.locator(".timerbar").first.screenshot(path=str(folder / name))
    page.screenshot(path=str(folder / name.replace(".png", "-page.png")))


def test_p250_p252_field_timer_inside_part_timer_and_more_time_after_the_end(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Zeit im Feld")
    mod = make_context().new_page()
    ada = make_context().new_page()
    ben = make_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = ben.new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    join(ada, board.links["participant"], "Ada", "administration")
    join(phone, board.links["participant"], "Ben", "youth")
    time = open_section(mod, "time")

    start(time, "A", "45")
    expect(ada.locator(".timerbar .timer-time")).to_have_text(PART_LEFT)
    # a field of the same part: nests without asking, the part timer keeps counting
    start(time, "A2", "0:05", lock=True)
    expect(mod.locator(".modal-confirm")).to_have_count(0)
    for page in (ada, phone):
        bar = page.locator(".timerbar").first
        expect(bar).to_have_class(re.compile(r"\btimer-nested\b"))
        expect(bar.locator(".timer-part")).to_have_text("Teil A: Bestand & Ziele")
        expect(bar.locator(".timer-outer-time")).to_have_text(PART_LEFT)
        expect(bar.locator(".timer-target")).to_contain_text("A2")
        expect(bar.locator(".timer-time")).to_have_text(re.compile(r"^0:0[0-5]$"))
    shot(ada, artifacts, "timer-nested-laptop-1440.png")
    shot(phone, artifacts, "timer-nested-phone-390.png")
    beamer = make_context(viewport={"width": 1920, "height": 1080}).new_page()
    beamer.goto(board.links["projector"])
    band = beamer.locator(".projector-band")
    expect(band.locator(".timer-outer-time")).to_have_text(PART_LEFT)
    band.screenshot(path=str(artifacts / "timer-nested-projector-1920.png"))
    beamer.close()
    expect(time.locator("[data-timer=stop]")).to_have_text("Feld-Timer beenden")
    time.screenshot(path=str(artifacts / "timer-nested-moderator.png"))

    # the field's time is up: A2 locks, part A goes on
    bar = ada.locator(".timerbar")
    expect(bar).to_have_attribute("data-state", "done", timeout=10_000)
    expect(bar.locator(".timer-state")).to_have_text("Zeit ist um")
    expect(bar.locator(".timer-outer-time")).to_have_text(PART_LEFT)
    expect(ada.locator("#field-A2 .field-lock")).to_be_visible()
    expect(ada.locator("#field-A1 .field-lock")).to_be_hidden()
    shot(ada, artifacts, "timer-nested-done-laptop-1440.png")

    # +5 min after the end: the field timer runs again and A2 is open again
    plus5 = time.locator("[data-timer=plus5]")
    expect(plus5).to_be_enabled()
    plus5.click()
    expect(bar).to_have_attribute("data-state", "running")
    expect(bar.locator(".timer-time")).to_have_text(re.compile(r"^(5:00|4:[0-5]\d)$"))
    expect(ada.locator("#field-A2 .field-lock")).to_be_hidden()
    late = add_note(ada, "A2", "Noch ein Gedanke")
    expect(note_text(mod, late)).to_have_value("Noch ein Gedanke")

    # ending the field timer returns to the part timer
    time.locator("[data-timer=stop]").click()
    expect(bar).not_to_have_class(re.compile(r"\btimer-nested\b"))
    expect(bar.locator(".timer-time")).to_have_text(PART_LEFT)
    expect(bar.locator(".timer-target")).to_be_hidden()

    # a field of another part would end part A: the moderator is asked, and may say no
    start(time, "B2", "10")
    confirm = mod.locator(".modal-confirm")
    expect(confirm).to_contain_text("B2 Mission")
    expect(confirm).to_contain_text("gehört zu Teil B")
    confirm.locator("[data-confirm=no]").click()
    expect(bar.locator(".timer-part")).to_have_text("Teil A: Bestand & Ziele")

    # everyone reads what happened in the decision log
    ada.locator(".toolbar button[aria-controls=log]").click()
    log = ada.locator("#log")
    expect(log).to_contain_text("innerhalb von A: Bestand & Ziele")
    expect(log).to_contain_text("Gesperrt, weil die Zeit um ist: A2")
    expect(log).to_contain_text("läuft wieder, A2 wieder offen")
    expect(log).to_contain_text("zurück zu A: Bestand & Ziele")


def test_p250_a_fields_end_gives_way_to_its_parts_time(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """'Time is up' for A2 stays a while; then the bar shows part A's time again: part A
    goes on, and '0:00' for minutes made a workshop think it was over."""
    board = shared_server.create_board(title="Teil geht weiter")
    mod = make_context().new_page()
    ada = make_context().new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    join(ada, board.links["participant"], "Ada", "administration")
    time = open_section(mod, "time")
    start(time, "A", "45")
    start(time, "A2", "0:02")
    bar = ada.locator(".timerbar")
    expect(bar).to_have_attribute("data-state", "done", timeout=10_000)
    expect(bar.locator(".timer-state")).to_have_text("Zeit ist um")
    expect(bar).to_have_attribute("data-state", "running", timeout=25_000)
    expect(bar.locator(".timer-time")).to_have_text(PART_LEFT)
    expect(bar).not_to_have_class(re.compile(r"\btimer-nested\b"))
    expect(bar.locator(".timer-state")).to_be_hidden()
