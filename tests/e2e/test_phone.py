"""The board on a 390×844 phone: one compact header row with the lines under it folded,
labelled cells in the B4 and C3 tables, and a moderator's focus change that never takes the
keyboard from someone typing in a note (a "go there" line instead)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.live import LiveServer

from .support import add_note, expect_synced, join
from .test_a11y import assert_no_serious_violations
from .test_layout import seed

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HEADER_BUDGET_PX = 120


def open_section(page: Page, name: str) -> Locator:
    section = page.locator(f"#modpanel #mod-{name}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(section).to_have_attribute("open", "")
    return section


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def chrome_height(page: Page) -> float:
    """Pixels above the board: header, the lines under it and the field navigation."""
    bottom = page.locator(".phone-nav").evaluate("el => el.getBoundingClientRect().bottom")
    return float(bottom)


def show_field(page: Page, field: str) -> None:
    page.locator(".phone-nav select").select_option(field)
    expect(page.locator(f"#field-{field}")).to_have_class(re.compile(r"\bcurrent\b"))


def test_phone_header_fits_with_a_timer_and_a_vote_banner(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Werkstatt Zukunft im Stadtteil Nord")
    mod = make_context().new_page()
    phone = make_context(**PHONE, bypass_csp=True).new_page()
    join(mod, board.links["moderator"], "Mo")
    join(phone, board.links["participant"], "Cem", "youth")
    assert chrome_height(phone) <= HEADER_BUDGET_PX

    time = open_section(mod, "time")
    time.locator("select[name=timer-target]").select_option("A")
    time.locator("input[name=timer-duration]").fill("10")
    time.locator("[data-timer=start]").click()
    vote = open_section(mod, "vote")
    vote.locator("input[name=vote-field][value=A1]").check()
    vote.locator("input[name=vote-dots]").fill("3")
    vote.locator("[data-vote-open]").click()

    expect(phone.locator(".topbar .timer-time")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    banner = phone.locator(".vote-banner")
    expect(banner).to_be_visible()
    height = chrome_height(phone)
    assert height <= HEADER_BUDGET_PX, f"header, banners and navigation take {height} px"
    # the header is one row: title, timer, connection, search and menu side by side
    tops = phone.evaluate(
        """() => ['.board-title', '.topbar .timer-time', '.conn-dot', '.search-toggle',
                  '.phone-menu'].map(s => document.querySelector(s).getBoundingClientRect())
                 .map(r => Math.round(r.top + r.height / 2))"""
    )
    assert max(tops) - min(tops) <= 6, tops
    shot(phone, artifacts, "phone-header-banner-folded-390x844.png")
    assert_no_serious_violations(phone)

    # the folded line opens in full and folds again
    text = banner.locator(".vote-banner-text")
    cut = "el => el.scrollWidth > el.clientWidth + 1"
    assert text.evaluate(cut), "the folded line should be cut short"
    more = phone.locator(".banners-more")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.tap()
    expect(more).to_have_attribute("aria-expanded", "true")
    assert not text.evaluate(cut), "the unfolded line should show all its words"
    expect(text).to_be_in_viewport(ratio=1)
    assert chrome_height(phone) > height
    more.tap()
    expect(more).to_have_attribute("aria-expanded", "false")
    assert chrome_height(phone) == height

    # the toolbar is one tap away and goes away again
    tools = phone.locator(".toolbar")
    expect(tools).to_be_hidden()
    phone.locator(".phone-menu").tap()
    expect(tools).to_be_visible()
    shot(phone, artifacts, "phone-menu-open-390x844.png")
    phone.locator(".search-toggle").tap()
    phone.locator(".search-input").fill("Zukunft")
    expect(phone.locator(".search-found")).to_have_text("0 gefunden")
    assert_no_serious_violations(phone)
    phone.locator(".search-close").tap()
    phone.locator(".phone-menu").tap()
    expect(tools).to_be_hidden()
    assert chrome_height(phone) == height


def row_of(page: Page, selectors: list[str]) -> list[float]:
    """The vertical middles of the elements the selectors name."""
    mids: list[float] = page.evaluate(
        """(sels) => sels.map(s => document.querySelector(s).getBoundingClientRect())
                        .map(r => r.top + r.height / 2)""",
        selectors,
    )
    return mids


def test_phone_open_search_is_one_row_with_filters_behind_a_button(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Suchen am Telefon")
    seed(shared_server, board, {"A1": 4}, lambda f, i: f"{f} Beitrag {i + 1}")
    phone = make_context(**PHONE, bypass_csp=True).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    closed = chrome_height(phone)
    phone.locator(".search-toggle").tap()
    bar = phone.locator(".search-bar")
    bar.locator(".search-input").fill("Beitrag")
    found = bar.locator(".search-found")
    expect(found).to_have_text("4 gefunden")
    height = chrome_height(phone)
    print(f"phone header: {closed:.0f} px, with the search open {height:.0f} px")
    assert height <= HEADER_BUDGET_PX, f"header with the open search takes {height} px"
    # one row: words, filter, count, next, close side by side, all on screen
    parts = [".search-input", ".search-filter", ".search-found", ".search-next", ".search-close"]
    mids = row_of(phone, [f".search-bar {p}" for p in parts])
    assert max(mids) - min(mids) <= 6, mids
    for p in parts:
        expect(bar.locator(p)).to_be_in_viewport(ratio=1)
    expect(bar.locator(".search-color")).to_be_hidden()
    expect(bar.get_by_role("button", name="Nächste")).to_be_enabled()

    # colour and group open over the board: the header keeps its height
    filter_btn = bar.locator(".search-filter")
    filter_btn.tap()
    expect(filter_btn).to_have_attribute("aria-expanded", "true")
    color = bar.locator(".search-color")
    expect(color).to_be_focused()
    expect(color).to_be_in_viewport(ratio=1)
    expect(bar.locator(".search-group")).to_be_in_viewport(ratio=1)
    assert chrome_height(phone) == height
    color.select_option("orange")
    expect(found).to_have_text("0 gefunden")
    expect(filter_btn).to_have_text("Filter (1)")
    shot(phone, artifacts, "phone-search-filters-390x844.png")
    assert_no_serious_violations(phone)
    phone.keyboard.press("Escape")
    expect(filter_btn).to_have_attribute("aria-expanded", "false")
    expect(filter_btn).to_be_focused()
    expect(color).to_be_hidden()
    expect(bar).to_be_visible()
    color.evaluate("el => { el.value = ''; el.dispatchEvent(new Event('change')) }")
    expect(found).to_have_text("4 gefunden")
    expect(filter_btn).to_have_text("Filter")
    shot(phone, artifacts, "phone-search-one-row-390x844.png")
    bar.locator(".search-close").tap()
    expect(bar).to_be_hidden()
    assert chrome_height(phone) == closed


def test_phone_table_cells_keep_their_labels(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Tabellen")
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    for field, text in (("B4", "Stadtwerke"), ("C3", "Termin vereinbaren")):
        show_field(phone, field)
        add_note(phone, field, text)
        phone.keyboard.press("Escape")
        # the column heads a wide screen shows (not the screen-reader-only ones)
        heads = phone.locator(f"#field-{field} thead th").evaluate_all(
            "ths => ths.filter(th => !th.querySelector('.sr-only'))"
            ".map(th => th.textContent.trim())"
        )
        row = phone.locator(f"#field-{field} tbody tr.row").first
        expect(row).to_be_visible()
        labels = row.locator("td[data-label]").evaluate_all(
            """tds => tds.map(td => {
                 const before = getComputedStyle(td, '::before');
                 const r = td.getBoundingClientRect();
                 return {label: td.dataset.label, shown: before.content, display: before.display,
                         visible: r.width > 0 && r.height > 0};
               })"""
        )
        assert [x["label"] for x in labels] == heads
        for x in labels:
            assert x["shown"] == f'"{x["label"]}"', x
            assert x["display"] == "block" and x["visible"], x
        shot(phone, artifacts, f"phone-{field}-labels-390x844.png")


def test_phone_focus_change_never_takes_the_keyboard_while_typing(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Fokus")
    mod = make_context().new_page()
    phone = make_context(**PHONE).new_page()
    join(mod, board.links["moderator"], "Mo")
    join(phone, board.links["participant"], "Cem", "youth")
    # a vote is open too: its line and the focus offer share the folded strip
    vote = open_section(mod, "vote")
    vote.locator("input[name=vote-field][value=A1]").check()
    vote.locator("[data-vote-open]").click()
    expect(phone.locator(".vote-banner")).to_be_visible()
    note_id = add_note(phone, "A1", "Hallo Wel")
    box = phone.locator(f"[data-note='{note_id}'] textarea").first

    open_section(mod, "fields").locator("[data-focus='C1']").click()
    prompt = phone.locator(".focus-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("holt alle zu C1")
    go = prompt.get_by_role("button", name="Dorthin wechseln")
    # not clipped away by the fold: the button is what a finger there would hit
    assert go.evaluate(
        """b => { const r = b.getBoundingClientRect();
                  const x = r.left + r.width / 2, y = r.top + r.height / 2;
                  return document.elementFromPoint(x, y) === b }"""
    )
    phone.keyboard.type("t!")
    # still in the same note, with every letter, in the same field
    expect(box).to_be_focused()
    expect(box).to_have_value("Hallo Welt!")
    expect(phone.locator("#field-A1")).to_have_class(re.compile(r"\bcurrent\b"))
    assert chrome_height(phone) <= HEADER_BUDGET_PX
    shot(phone, artifacts, "phone-focus-go-there-390x844.png")

    go.tap()
    expect(phone.locator("#field-C1")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(phone.locator(".phone-nav select")).to_have_value("C1")
    expect(prompt).to_be_hidden()
    mod_notes = mod.evaluate("() => window.cocanvas.notes()")
    assert mod_notes[note_id]["text"] == "Hallo Welt!"

    # someone not typing is taken there at once, as before
    open_section(mod, "fields").locator("[data-focus='A2']").click()
    expect(phone.locator("#field-A2")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(phone.locator(".phone-nav select")).to_have_value("A2")
    expect(prompt).to_be_hidden()


def test_small_phone_join_dialog_scrolls_as_one_and_takes_the_last_group(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """On a 360x640 phone the list of groups scrolled inside the join dialog, which scrolls
    too: the groups at its end were hidden from a thumb that scrolled the dialog. Now the
    dialog scrolls as one and the last group is a tap away."""
    board = shared_server.create_board(title="Kleines Telefon")
    page = make_context(**{**PHONE, "viewport": {"width": 360, "height": 640}}).new_page()
    page.goto(board.links["participant"])
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    radios = dialog.locator(".group-radios")
    inner = radios.evaluate("r => r.scrollHeight - r.clientHeight")
    assert inner <= 1, f"the group list scrolls on its own by {inner} px"
    dialog.locator("input[name=name]").fill("Cem")
    last = dialog.locator("input[name=group]").last
    last.scroll_into_view_if_needed()
    last.tap()
    expect(last).to_be_checked()
    shot(page, artifacts, "phone-join-360x640-last-group.png")
    dialog.locator("button[type=submit]").tap()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect_synced(page)
