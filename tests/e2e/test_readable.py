"""Readable defaults on a 1440x900 laptop: the first view opens on the focus or the first part
with note text of at least 14 CSS px, "show all" still fits a full board, field titles,
number keys and the overview (minimap) move the view, and zooming keeps the centre in place.

Font sizes are measured in the page: the note text's computed font-size times the scale of
the board's transform. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import LiveServer

from .support import join
from .test_a11y import serious_violations
from .test_keys import wait_quiet
from .test_layout import CALM_VIEW, UNDER_MAP, seed
from .test_workshop import open_section

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1440, "height": 900}
# views jump instead of gliding, so every measurement sees where the view ends
CALM = {"viewport": LAPTOP, "reduced_motion": "reduce"}
ALL_FIELDS = ("A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2", "C3")

SCALE = """() => new DOMMatrix(getComputedStyle(document.querySelector('.board')).transform).a"""
# note text size on screen: computed font-size x the board's scale
NOTE_PX = """() => {
  const t = document.querySelector('[data-note] .note-text')
  const s = new DOMMatrix(getComputedStyle(document.querySelector('.board')).transform).a
  return parseFloat(getComputedStyle(t).fontSize) * s
}"""
# a field's box against the viewport's, both in client px
BOXES = """(id) => {
  const f = document.querySelector(`#field-${id}`).getBoundingClientRect()
  const v = document.querySelector('.viewport').getBoundingClientRect()
  return { f: [f.left, f.top, f.right, f.bottom], v: [v.left, v.top, v.right, v.bottom] }
}"""
# the board point at the middle of the viewport
CENTRE = """() => {
  const v = document.querySelector('.viewport').getBoundingClientRect()
  const m = new DOMMatrix(getComputedStyle(document.querySelector('.board')).transform)
  return [(v.width / 2 - m.e) / m.a, (v.height / 2 - m.f) / m.a]
}"""


def boxes(page: Page, field: str) -> tuple[list[float], list[float]]:
    b: dict[str, list[float]] = page.evaluate(BOXES, field)
    return b["f"], b["v"]


def inside(page: Page, field: str, slack: float = 1.0) -> bool:
    f, v = boxes(page, field)
    return (
        f[0] >= v[0] - slack
        and f[1] >= v[1] - slack
        and f[2] <= v[2] + slack
        and f[3] <= v[3] + slack
    )


def top_left_in_view(page: Page, field: str) -> bool:
    f, v = boxes(page, field)
    return v[0] <= f[0] < v[2] and v[1] <= f[1] < v[3]


def note_px(page: Page) -> float:
    return float(page.evaluate(NOTE_PX))


def settle(page: Page) -> None:
    """Wait until the view is placed (the contexts ask for reduced motion: no animation)."""
    page.wait_for_function(
        """() => { const b = document.querySelector('.board')
          return b.style.transform !== '' && !b.classList.contains('animating') }"""
    )


def board_key(page: Page, key: str) -> None:
    """Press a board shortcut with the focus on the canvas, once the join's typing is past."""
    page.locator("#canvas").focus()
    wait_quiet(page)
    page.keyboard.press(key)


def shot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("() => document.activeElement?.blur()")
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def text(field: str, i: int) -> str:
    return f"{field} Beitrag {i + 1}"


def test_first_view_opens_on_first_part_with_readable_notes(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Lesbar")
    seed(shared_server, board, {f: 6 for f in ("A1", "A2", "A3", "A4", "B1", "C1")}, text)
    page = make_context(**CALM).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    expect(page.locator("[data-note]")).to_have_count(36)
    settle(page)
    px = note_px(page)
    print(f"default laptop view: note text {px:.2f} px at zoom {page.evaluate(SCALE):.3f}")
    assert px >= 14
    # the first part is where the view opens: A1 and A2 whole, A3 begins in sight
    assert inside(page, "A1") and inside(page, "A2")
    assert top_left_in_view(page, "A3")
    first = page.locator("#field-A1 [data-note]").first.bounding_box()
    assert first is not None and first["y"] + first["height"] < 900
    shot(page, artifacts, "readable-default-1440x900.png")
    # "show all" is still a button and a key away
    page.locator("[data-action=fit]").click()
    settle(page)
    assert all(inside(page, f) for f in ALL_FIELDS)
    # number keys show a part readably, 0 shows all again
    board_key(page, "2")
    settle(page)
    print(f"key 2 (part B): note text {note_px(page):.2f} px")
    assert top_left_in_view(page, "B1") and note_px(page) >= 14
    board_key(page, "0")
    settle(page)
    assert all(inside(page, f) for f in ALL_FIELDS)


# every transform the board is given, in order, from the page's first moment
RECORD_VIEWS = """
window.__boardViews = []
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target instanceof Element && r.target.classList.contains('board'))
      window.__boardViews.push(r.oldValue ?? '')
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['style'],
                       attributeOldValue: true })
"""
VIEWS = """() => {
  const scale = (style) => (/scale\\(([^)]+)\\)/.exec(style ?? '') ?? [])[1] ?? null
  const all = [...window.__boardViews, document.querySelector('.board').getAttribute('style')]
  return all.map(scale).filter((s) => s !== null)
}"""


def test_first_view_is_the_first_transform_the_board_gets(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Ohne Sprung")
    seed(shared_server, board, {"A1": 6, "B1": 6}, text)
    page = make_context(**CALM).new_page()
    page.add_init_script(RECORD_VIEWS)
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    settle(page)
    # no "show all" (nor a bare scale 1) before the readable first view: the view never jumps
    scales: list[str] = page.evaluate(VIEWS)
    assert scales and len(set(scales)) == 1, scales
    assert float(scales[0]) == pytest.approx(float(page.evaluate(SCALE)), rel=1e-4)


# what a person reads or uses on the board that lies under the open overview: field
# headings and their zoom buttons, the diagram's axis names and ticks, table rows and every
# other control
UNDER_OPEN_MAP = (
    """() => {
  if (!document.querySelector('#canvas .minimap').classList.contains('open')) return []
  const used = '.field-title-row, .axis-label, .tick, .row, button, select'
  return [...document.querySelectorAll(`#canvas .board :is(${used})`)]
    .filter((el) => el.getBoundingClientRect().width > 0 && ("""
    + UNDER_MAP
    + """)(el))
    .map((el) => `${el.closest('.field')?.id}: ${el.className} ${el.textContent.slice(0, 24)}`)
}"""
)


def test_first_view_leaves_nothing_under_the_open_overview(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """On laptops the overview lay over the end of A3's x axis, upright on a tablet over
    B3's heading: the first view now keeps them clear, or folds the overview."""
    board = shared_server.create_board(title="Erster Blick")
    seed(shared_server, board, {"A1": 3, "A3": 4, "B4": 2, "C3": 2}, text)
    covered = {}
    for width, height in ((1280, 720), (1366, 768), (1440, 900), (1536, 864), (768, 1024)):
        ctx = make_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
        page = ctx.new_page()
        join(page, board.links["participant"], "Ada", "administration", show_all=False)
        expect(page.locator("#field-A3 [data-note]")).to_have_count(4)
        page.wait_for_function(CALM_VIEW)
        shot(page, artifacts, f"first-view-overview-{width}x{height}.png")
        found = page.evaluate(UNDER_OPEN_MAP)
        if found:
            covered[f"{width}x{height}"] = found
        ctx.close()
    assert covered == {}, covered


def test_first_view_opens_on_the_moderators_focus(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Fokus")
    seed(shared_server, board, {"C2": 5}, text)
    mod = make_context(**CALM).new_page()
    join(mod, board.links["moderator"], "Mo", "administration", show_all=False)
    open_section(mod, "fields").locator("[data-focus='C2']").click()
    expect(mod.locator("#field-C2")).to_have_class("field field-notes part-C focused")
    page = make_context(**CALM).new_page()
    join(page, board.links["participant"], "Ada", "youth", show_all=False)
    expect(page.locator("#field-C2")).to_contain_class("focused")
    settle(page)
    assert inside(page, "C2")
    print(f"first view on the focus C2: note text {note_px(page):.2f} px")
    assert note_px(page) >= 14
    assert not inside(page, "A1")


def test_show_all_fits_thirty_notes_in_every_field(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Voll")
    seed(shared_server, board, {f: 30 for f in ALL_FIELDS}, text)
    page = make_context(**CALM).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    expect(page.locator("[data-note], [data-row]")).to_have_count(30 * len(ALL_FIELDS))
    settle(page)
    px = note_px(page)
    print(f"default view, 30 notes per field: note text {px:.2f} px")
    assert px >= 14
    page.locator("[data-action=fit]").click()
    settle(page)
    height = page.evaluate("() => document.querySelector('.board').offsetHeight")
    scale = float(page.evaluate(SCALE))
    print(
        f"show all, 30 notes per field: board {height} px high, zoom {scale:.3f}, "
        f"note text {note_px(page):.2f} px"
    )
    for f in ALL_FIELDS:
        assert inside(page, f), f
    last = page.locator("[data-note], [data-row]").last.bounding_box()
    assert last is not None and last["y"] + last["height"] <= 900
    shot(page, artifacts, "readable-show-all-30-per-field-1440x900.png")
    page.locator("#field-A4 .field-zoom").click()
    settle(page)
    # a field too tall to read whole shows its top, readably
    print(f"title click, A4 with 30 notes: note text {note_px(page):.2f} px")
    assert top_left_in_view(page, "A4") and note_px(page) >= 14
    shot(page, artifacts, "readable-zoom-A4-30-notes-1440x900.png")


def test_field_title_zooms_by_click_and_by_keyboard(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Felder")
    seed(shared_server, board, {"C2": 4, "B2": 4}, text)
    page = make_context(**CALM).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    settle(page)
    board_key(page, "0")
    settle(page)
    assert note_px(page) < 14  # "show all" is a map, not for reading
    page.locator("#field-C2 .field-zoom").click()
    settle(page)
    print(f"title click, C2: note text {note_px(page):.2f} px")
    assert inside(page, "C2") and note_px(page) >= 14
    f, v = boxes(page, "C2")
    assert max(f[2] - f[0], f[3] - f[1]) > 0.5 * min(v[2] - v[0], v[3] - v[1])
    shot(page, artifacts, "readable-zoom-C2-1440x900.png")
    board_key(page, "0")
    settle(page)
    # keyboard: Tab reaches the title, Enter zooms
    title = page.locator("#field-B2 .field-zoom")
    title.focus()
    expect(title).to_be_focused()
    expect(title).to_have_accessible_name(
        "B2 " + page.locator("#field-B2 .field-label").inner_text()
    )
    page.keyboard.press("Enter")
    settle(page)
    assert inside(page, "B2") and note_px(page) >= 14
    # the keyboard help names the new keys
    board_key(page, "?")
    help_text = page.locator("dialog[open]").inner_text()
    assert "Feldtitel" in help_text and "M: Übersicht" in help_text


def test_minimap_shows_the_view_and_moves_it(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Übersicht")
    seed(shared_server, board, {"A1": 5, "C3": 3}, text)
    page = make_context(**CALM, bypass_csp=True).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    settle(page)
    region = page.get_by_role("region", name="Übersicht über den ganzen Canvas")
    expect(region).to_be_visible()
    toggle = region.get_by_role("button", name="Übersicht")
    # open it would lie over B4's heading: the first view folds it, its button opens it
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # the frame shows what is in sight: the first part, at the top left
    frame = region.locator(".minimap-view").bounding_box()
    a1 = region.locator(".minimap-field", has_text="A1").bounding_box()
    assert frame is not None and a1 is not None
    assert frame["x"] <= a1["x"] + 1 and frame["y"] <= a1["y"] + 1
    shot(page, artifacts, "readable-minimap-1440x900.png")
    # the notes show as dots in their colour: yellow pixels in A1's part of the map only
    yellow = """([x0, x1]) => { const c = document.querySelector('.minimap-dots')
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let i = 0; i < d.length; i += 4) {
        const x = (i / 4) % c.width / c.width
        if (x >= x0 && x < x1 && d[i] > 240 && d[i + 1] > 225 && d[i + 2] < 190) n++ }
      return n }"""
    assert page.evaluate(yellow, [0, 0.25]) > 20
    assert page.evaluate(yellow, [0.3, 0.55]) == 0  # A3, B3 and C2 are empty
    # a click on C3 in the map brings that place to the middle of the view, same zoom
    scale = page.evaluate(SCALE)
    c3 = region.locator(".minimap-field", has_text="C3")
    box = c3.bounding_box()
    assert box is not None
    c3.click()  # its middle
    assert page.evaluate(SCALE) == pytest.approx(scale)
    cx, cy = page.evaluate(CENTRE)
    f = page.evaluate(
        "() => { const e = document.querySelector('#field-C3'); return [e.offsetLeft, "
        "e.offsetTop, e.offsetWidth, e.offsetHeight] }"
    )
    assert cx == pytest.approx(f[0] + f[2] / 2, abs=12)
    assert cy == pytest.approx(f[1] + f[3] / 2, abs=12)
    moved = region.locator(".minimap-view").bounding_box()
    assert moved is not None and moved["x"] > frame["x"] + 50 and moved["y"] > frame["y"] + 50
    # dragging in the map pans along
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] - 60, steps=4)
    page.mouse.up()
    assert page.evaluate(CENTRE)[0] < cx - 200
    # keyboard: a field button in the map zooms to its field
    region.get_by_role("button", name="A4").focus()
    page.keyboard.press("Enter")
    settle(page)
    assert top_left_in_view(page, "A4") and note_px(page) >= 14
    # axe with the overview open, at the view people get
    found = serious_violations(page)
    assert found == [], found
    # it folds away (button and key M) and stays folded after a reload
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(region.locator(".minimap-map")).to_be_hidden()
    page.reload()
    expect(page.locator(".conn")).to_have_attribute("data-state", "synced")
    region = page.get_by_role("region", name="Übersicht über den ganzen Canvas")
    expect(region.locator(".minimap-map")).to_be_hidden()
    board_key(page, "m")
    expect(region.locator(".minimap-map")).to_be_visible()
    expect(region.get_by_role("button", name="Übersicht")).to_have_attribute(
        "aria-expanded", "true"
    )


def test_zoom_keeps_the_centre_or_the_point_under_the_pointer(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Zoom")
    page = make_context(**CALM).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    settle(page)
    before: Any = page.evaluate(CENTRE)
    scale = page.evaluate(SCALE)
    page.get_by_role("button", name="Vergrößern").click()
    assert page.evaluate(SCALE) == pytest.approx(scale * 1.25)
    assert page.evaluate(CENTRE) == pytest.approx(before, abs=0.5)
    page.get_by_role("button", name="Verkleinern").click()
    page.get_by_role("button", name="Verkleinern").click()
    assert page.evaluate(CENTRE) == pytest.approx(before, abs=0.5)
    # ctrl+wheel (a pinch) keeps the board point under the pointer
    v = page.locator(".viewport").bounding_box()
    assert v is not None
    px, py = v["x"] + 300, v["y"] + 200
    at = """([x, y]) => { const v = document.querySelector('.viewport').getBoundingClientRect()
      const m = new DOMMatrix(getComputedStyle(document.querySelector('.board')).transform)
      return [(x - v.left - m.e) / m.a, (y - v.top - m.f) / m.a] }"""
    point = page.evaluate(at, [px, py])
    zoomed_out = page.evaluate(SCALE)
    page.mouse.move(px, py)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    page.wait_for_function(f"s => ({SCALE})() > s", arg=zoomed_out)
    assert page.evaluate(at, [px, py]) == pytest.approx(point, abs=0.5)
