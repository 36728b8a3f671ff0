"""Grouping and multi-select in the browser, several people at once (PROTOCOL.md P270-P273):
group by dropping a note on another and by "group selected", with mouse, touch and the
keyboard only; rename and ungroup; move, recolour and delete a selection; the others see
it all, no note box lies on another, and axe finds nothing serious.

A screenshot with groups and a selection is saved under test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import Board, LiveServer

from .support import add_note, join, note, notes_json
from .test_a11y import assert_no_serious_violations
from .test_keys import wait_quiet
from .test_layout import measure, overlaps, seed

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORDS = ["Zeit", "Geld", "Räume", "Wissen", "Kontakte", "Mut", "Lob", "Kaffee", "Regen", "Sonne"]


def text(field: str, i: int) -> str:
    return f"{WORDS[i % len(WORDS)]} {field}-{i}"


def nid(field: str, i: int) -> str:
    return f"s{field}{i:03d}"


def board_with_notes(server: LiveServer, notes: dict[str, int]) -> Board:
    board = server.create_board(title="Clustern")
    seed(server, board, notes, text)
    return board


def clusters(page: Page) -> dict[str, tuple[str | None, str | None]]:
    """Note id -> (cluster, heading) as this page's document has them."""
    return {k: (v.get("cluster"), v.get("heading")) for k, v in notes_json(page).items()}


def group_of(page: Page, note_id: str) -> Any:
    return page.locator(f".note-group:has([data-note='{note_id}'])")


def show_field(page: Page, field: str, scale: float = 1.2) -> None:
    """The field at a readable zoom, moved into view the way panning would (until the
    next focus change pans the view again)."""
    page.evaluate(
        """([field, scale]) => { const f = document.querySelector(`#field-${field}`)
        document.querySelector('.board').style.transform =
          `translate(${8 - f.offsetLeft * scale}px, ${60 - f.offsetTop * scale}px)` +
          ` scale(${scale})` }""",
        [field, scale],
    )


def drag(page: Page, source: str, to: tuple[float, float]) -> None:
    """Drag a note by its handle to a client point, in steps, with the mouse."""
    bar = note(page, source).locator(".note-bar")
    box = bar.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 12, box["y"] + box["height"] / 2)
    page.mouse.down()
    steps = 8
    x0, y0 = box["x"] + 12, box["y"] + box["height"] / 2
    for k in range(1, steps + 1):
        page.mouse.move(x0 + (to[0] - x0) * k / steps, y0 + (to[1] - y0) * k / steps)
    page.mouse.up()


def centre(page: Page, note_id: str) -> tuple[float, float]:
    box = note(page, note_id).bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def no_overlaps(page: Page, field: str, count: int) -> None:
    boxes = measure(page, field, count)
    assert overlaps(boxes) == [], overlaps(boxes)


def test_p273_group_by_drop_and_by_selection_with_the_mouse(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = board_with_notes(shared_server, {"A1": 8, "A3": 3})
    ada = make_context(viewport=DESKTOP).new_page()
    ben = make_context(viewport=DESKTOP).new_page()
    join(ada, board.links["participant"], "Ada", "administration")
    join(ben, board.links["moderator"], "Ben", "civil-society")
    show_field(ada, "A1")
    a0, a1, a2, a3 = (nid("A1", i) for i in range(4))

    # drop one note on another: both form a group, on every device
    drag(ada, a2, centre(ada, a0))
    for page in (ada, ben):
        expect(group_of(page, a0).locator("[data-note]")).to_have_count(2)
        expect(group_of(page, a2)).to_have_attribute("data-group", clusters(page)[a0][0] or "")
    heading = ada.locator(f".note-group:has([data-note='{a0}']) .group-heading")
    expect(heading).to_have_value("Gruppe 1")

    # rename: plain text, one line, on every device
    heading.fill("<b>Ressourcen</b>")
    heading.press("Enter")
    ben_heading = ben.locator(f".note-group:has([data-note='{a0}']) .group-heading")
    expect(ben_heading).to_have_value("<b>Ressourcen</b>")
    assert ben.locator(".note-group b").count() == 0

    # Shift- and Ctrl-click select; "Gruppieren" groups the selection
    note(ada, a1).locator(".note-who").click(modifiers=["Shift"])
    note(ada, a3).locator(".note-who").click(modifiers=["Control"])
    bar = ada.locator(".selection-bar")
    expect(bar.locator(".selection-count")).to_have_text("2 ausgewählt")
    expect(note(ada, a1)).to_have_class(_has("selected"))
    bar.locator(".selection-group").click()
    expect(bar).to_be_hidden()
    for page in (ada, ben):
        expect(group_of(page, a1).locator("[data-note]")).to_have_count(2)
        expect(page.locator("#field-A1 .note-group")).to_have_count(2)
    assert clusters(ben)[a1][1] == "Gruppe 1"  # the first one is called "<b>Ressourcen</b>" now
    # a group stands where its first member stood, loose notes flow around it
    order = ada.evaluate(
        """() => [...document.querySelector('#field-A1 .note-area').children]
            .map(c => c.dataset.note || c.dataset.group)"""
    )
    assert order[0] == clusters(ada)[a0][0] and order[1] == clusters(ada)[a1][0], order
    for page in (ada, ben):
        no_overlaps(page, "A1", 8)

    # a box Shift-dragged on the field's free space selects; recolour them together
    area = ada.locator("#field-A1 .note-area").bounding_box()
    assert area is not None
    last = note(ada, nid("A1", 7)).bounding_box()
    assert last is not None
    start = (area["x"] + area["width"] - 6, last["y"] + last["height"] + 12)
    assert start[1] < min(area["y"] + area["height"], DESKTOP["height"]), (area, last)
    ada.mouse.move(*start)
    ada.keyboard.down("Shift")
    ada.mouse.down()
    ada.mouse.move(area["x"] + area["width"] / 2, last["y"] + last["height"] / 2, steps=4)
    ada.mouse.move(last["x"] + 8, last["y"] + 8, steps=4)
    ada.mouse.up()
    ada.keyboard.up("Shift")
    count = int(bar.locator(".selection-count").inner_text().split()[0])
    assert count >= 1
    selected = ada.evaluate(
        "() => [...document.querySelectorAll('.note.selected')].map(n => n.dataset.note)"
    )
    assert nid("A1", 7) in selected
    bar.locator(".selection-color").select_option("blue")
    ben.wait_for_function(
        "(ids) => ids.every(id => window.cocanvas.notes()[id].color === 'blue')", arg=selected
    )
    shot_with_selection = artifacts / "grouping-desktop.png"
    ada.evaluate("() => document.activeElement?.blur()")
    show_field(ada, "A1", 1.4)
    ada.screenshot(path=str(shot_with_selection))
    assert shot_with_selection.stat().st_size > 10_000
    # axe with groups and a selection on screen (checked at 100 %, like test_a11y)
    assert_no_serious_violations_at_full_size(make_context, board)

    # ungroup: the notes stay, loose
    ben.locator(f".note-group:has([data-note='{a1}']) .group-ungroup").click()
    for page in (ada, ben):
        expect(page.locator("#field-A1 .note-group")).to_have_count(1)
    assert clusters(ada)[a1] == (None, None)
    bar.locator(".selection-clear").click()
    expect(bar).to_be_hidden()

    # A3: a selection moves together by the dragged note's offset
    d0, d1 = nid("A3", 0), nid("A3", 1)
    show_field(ada, "A3", 1.0)
    before = notes_json(ben)
    note(ada, d0).locator(".note-who").click(modifiers=["Shift"])
    note(ada, d1).locator(".note-who").click(modifiers=["Shift"])
    x, y = centre(ada, d0)
    area3 = ada.locator("#field-A3 .note-area").bounding_box()
    assert area3 is not None
    drag(ada, d0, (x + area3["width"] * 0.2, y + area3["height"] * 0.1))
    ben.wait_for_function(
        "([a, b]) => { const n = window.cocanvas.notes(); return n[a].x !== b[0] }",
        arg=[d1, [before[d1]["x"]]],
    )
    after = notes_json(ben)
    dx0 = after[d0]["x"] - before[d0]["x"]
    dx1 = after[d1]["x"] - before[d1]["x"]
    dy0 = after[d0]["y"] - before[d0]["y"]
    dy1 = after[d1]["y"] - before[d1]["y"]
    assert dx0 > 0.1 and abs(dx0 - dx1) < 0.002 and abs(dy0 - dy1) < 0.002, (after, before)
    assert after[nid("A3", 2)]["x"] == before[nid("A3", 2)]["x"]


def test_groups_fade_with_search_one_toast_plain_drag_pans_and_a_snapshot_is_never_marked(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = board_with_notes(shared_server, {"A1": 6})
    mo = make_context(viewport=DESKTOP).new_page()
    ben = make_context(viewport=DESKTOP).new_page()
    join(mo, board.links["moderator"], "Mo", "administration")
    join(ben, board.links["participant"], "Ben", "youth")
    show_field(mo, "A1")
    n = [nid("A1", i) for i in range(6)]
    bar = mo.locator(".selection-bar")
    grouped = mo.locator(".toasts .toast", has_text="Gruppe „")

    # grouping twice in a row: one toast, saying what the last action did
    for a, b in ((n[0], n[1]), (n[2], n[3])):
        on_board(mo, a).locator(".note-who").click(modifiers=["Shift"])
        on_board(mo, b).locator(".note-who").click(modifiers=["Shift"])
        bar.locator(".selection-group").click()
        expect(bar).to_be_hidden()
    expect(mo.locator("#field-A1 .note-group")).to_have_count(2)
    expect(grouped).to_have_count(1)
    expect(grouped).to_contain_text("Gruppe 2")

    # a search with no hit in a group fades the group's box with its notes
    first, second = group_of(mo, n[0]), group_of(mo, n[2])
    mo.locator(".search-toggle").click()
    search = mo.locator(".search-bar .search-input")
    search.fill(text("A1", 4))
    expect(mo.locator(".search-found")).to_have_text("1 gefunden")
    for box in (first, second):
        expect(box).to_have_class(_has("search-dim"))
        assert box.evaluate("el => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
    search.fill(text("A1", 0))
    expect(mo.locator(".search-found")).to_have_text("1 gefunden")
    expect(first).not_to_have_class(_has("search-dim"))
    expect(second).to_have_class(_has("search-dim"))
    mo.evaluate("() => document.activeElement?.blur()")
    shot = artifacts / "grouping-search-dims-a-group.png"
    mo.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    search.fill("")
    expect(second).not_to_have_class(_has("search-dim"))
    mo.keyboard.press("Escape")

    # a plain drag on the field's free space pans the view, it selects nothing
    area = mo.locator("#field-A1 .note-area").bounding_box()
    last = on_board(mo, n[5]).bounding_box()
    assert area is not None and last is not None
    x, y = area["x"] + area["width"] - 10, last["y"] + last["height"] + 14
    assert y < min(area["y"] + area["height"], DESKTOP["height"]), (area, last)
    before = mo.locator(".board").evaluate("el => el.style.transform")
    mo.mouse.move(x, y)
    mo.mouse.down()
    mo.mouse.move(x - 200, y - 80, steps=6)
    mo.mouse.up()
    expect(mo.locator(".board")).not_to_have_attribute("style", re.compile(re.escape(before)))
    expect(bar).to_be_hidden()
    assert mo.locator("#canvas .note.selected").count() == 0

    # a snapshot open beside the board has the same note ids: its copies are never marked,
    # and opening it does not take the marks off the board
    show_field(mo, "A1")
    on_board(mo, n[5]).locator(".note-who").click(modifiers=["Shift"])
    expect(on_board(mo, n[5])).to_have_class(_has("selected"))
    mo.locator("[data-open=history]").click()
    history = mo.locator("dialog[open][data-dialog='history']")
    history.locator("input[name=snapshot-label]").fill("Zwischenstand")
    history.locator("[data-history=save]").click()
    history.locator("li.snapshot", has_text="Zwischenstand").locator(
        "[data-snap-action=open]"
    ).click()
    snap = mo.locator("dialog[open][data-dialog='snapshot']")
    expect(snap).not_to_have_attribute("aria-busy", "true")
    expect(snap.locator(f".note[data-note='{n[5]}']")).to_have_count(1)
    assert "selected" in (on_board(mo, n[5]).get_attribute("class") or "").split()
    expect(mo.locator("#canvas .selection-count")).to_have_text("1 ausgewählt")
    add_note(ben, "A1", "Noch eine")  # the board renders again while the snapshot is open
    expect(mo.locator("#canvas [data-note]")).to_have_count(7)
    expect(on_board(mo, n[5])).to_have_class(_has("selected"))
    assert snap.locator(".note.selected").count() == 0


def on_board(page: Page, note_id: str) -> Any:
    """The note on the live board (a snapshot shown beside it has one with the same id)."""
    return page.locator(f"#canvas [data-note='{note_id}']")


def assert_no_serious_violations_at_full_size(
    make_context: Callable[..., BrowserContext], board: Board
) -> None:
    page = make_context(bypass_csp=True, viewport=DESKTOP).new_page()
    join(page, board.links["participant"], "Axe", "youth")
    expect(page.locator("#field-A1 .note-group")).to_have_count(2)
    page.locator(".board").evaluate("el => { el.style.transform = 'none' }")
    note(page, nid("A1", 4)).locator(".note-who").click(modifiers=["Shift"])
    note(page, nid("A1", 5)).locator(".note-who").click(modifiers=["Shift"])
    expect(page.locator(".selection-bar")).to_be_visible()
    assert_no_serious_violations(page)


def _has(cls: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){cls}(\s|$)")


def test_p271_group_with_touch_only(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = board_with_notes(shared_server, {"A1": 4})
    phone = make_context(**PHONE).new_page()
    desk = make_context(viewport=DESKTOP).new_page()
    join(phone, board.links["participant"], "Pia", "youth")
    join(desk, board.links["participant"], "Dan", "youth")
    a0, a1, a2 = (nid("A1", i) for i in range(3))
    expect(note(phone, a0)).to_be_visible()
    cdp = phone.context.new_cdp_session(phone)

    def press(note_id: str, hold_ms: int) -> None:
        box = note(phone, note_id).locator(".note-who").bounding_box()
        assert box is not None
        point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
        time.sleep(hold_ms / 1000)  # holding a finger down is the gesture itself
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    press(a0, 800)  # a long press starts selecting
    bar = phone.locator(".selection-bar")
    expect(bar.locator(".selection-count")).to_have_text("1 ausgewählt")
    note(phone, a1).locator(".note-who").tap()
    note(phone, a2).locator(".note-who").tap()
    expect(bar.locator(".selection-count")).to_have_text("3 ausgewählt")
    note(phone, a2).locator(".note-who").tap()  # a second tap unselects
    expect(bar.locator(".selection-count")).to_have_text("2 ausgewählt")
    assert phone.evaluate("() => !document.activeElement?.closest('textarea')")
    bar.locator(".selection-group").tap()
    for page in (phone, desk):
        expect(group_of(page, a0).locator("[data-note]")).to_have_count(2)
        expect(group_of(page, a1)).to_be_visible()
    assert clusters(desk)[a2] == (None, None)
    no_overlaps(phone, "A1", 4)
    no_overlaps(desk, "A1", 4)
    phone.evaluate("() => document.activeElement?.blur()")
    phone.screenshot(path=str(artifacts / "grouping-phone.png"))
    assert (artifacts / "grouping-phone.png").stat().st_size > 10_000


def test_p271_group_rename_and_ungroup_with_the_keyboard_only(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = board_with_notes(shared_server, {"A1": 4})
    kim = make_context(viewport=DESKTOP).new_page()
    lou = make_context(viewport=DESKTOP).new_page()
    join(kim, board.links["participant"], "Kim", "youth")
    join(lou, board.links["participant"], "Lou", "youth")
    a0, a1, a2 = (nid("A1", i) for i in range(3))

    def tab_to(selector: str, limit: int = 60, back: bool = False) -> None:
        for _ in range(limit):
            kim.keyboard.press("Shift+Tab" if back else "Tab")
            if kim.evaluate("(s) => document.activeElement?.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # leaving a note's text by Tab counts as typing: single keys wait for the quiet time
    tab_to(f"[data-note='{a0}']")
    wait_quiet(kim)
    kim.keyboard.press("Space")
    expect(note(kim, a0)).to_have_class(_has("selected"))
    tab_to(f"[data-note='{a2}']")
    wait_quiet(kim)
    kim.keyboard.press("Space")
    expect(kim.locator(".selection-count")).to_have_text("2 ausgewählt")
    tab_to(f"[data-note='{a1}']", back=True)  # G groups the selection with the note in focus
    wait_quiet(kim)
    kim.keyboard.press("g")
    for page in (kim, lou):
        expect(group_of(page, a0).locator("[data-note]")).to_have_count(3)
    tab_to(".group-heading")
    kim.keyboard.press("Control+a")
    kim.keyboard.type("Was wir haben")
    kim.keyboard.press("Enter")
    expect(lou.locator(".group-heading")).to_have_value("Was wir haben")
    tab_to(".group-ungroup")
    kim.keyboard.press("Enter")
    for page in (kim, lou):
        expect(page.locator(".note-group")).to_have_count(0)
    no_overlaps(lou, "A1", 4)
    assert all(c == (None, None) for c in clusters(lou).values())


def test_deleting_a_selection_asks_for_others_notes_and_comes_back_with_undo(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = board_with_notes(shared_server, {"A1": 4})
    ada = make_context(viewport=DESKTOP).new_page()
    ben = make_context(viewport=DESKTOP).new_page()
    join(ada, board.links["participant"], "Ada", "youth")
    join(ben, board.links["participant"], "Ben", "youth")
    a0, a1, a2 = (nid("A1", i) for i in range(3))
    note(ada, a0).locator(".note-who").click(modifiers=["Shift"])
    note(ada, a2).locator(".note-who").click(modifiers=["Shift"])
    bar = ada.locator(".selection-bar")
    expect(bar.locator(".selection-count")).to_have_text("2 ausgewählt")
    # the notes are someone else's: asked first, as for one note; "no" keeps them
    bar.locator(".selection-delete").click()
    ada.locator("[data-confirm=no]").click()
    assert {a0, a2} <= set(notes_json(ada))
    bar.locator(".selection-delete").click()
    ada.locator("[data-confirm=yes]").click()
    for page in (ada, ben):
        expect(page.locator("#field-A1 [data-note]")).to_have_count(2)
    expect(bar).to_be_hidden()
    assert set(notes_json(ben)) == {a1, nid("A1", 3)}
    ada.locator(".toast", has_text="2 Notizen gelöscht").get_by_role(
        "button", name="Rückgängig"
    ).click()
    for page in (ada, ben):
        expect(page.locator("#field-A1 [data-note]")).to_have_count(4)
    assert notes_json(ben)[a0]["text"] == text("A1", 0)
