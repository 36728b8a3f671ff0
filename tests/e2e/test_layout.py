"""Notes on a workshop board: plain fields flow and grow, the A3 diagram never hides a note,
the same layout on every device, the full text a click away, 300 notes stay quick (P280-P283).

Screenshots with 30 notes per field are saved under test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pycrdt import Map, Text

from tests.support.live import Board, LiveServer
from tests.support.ops import ok
from tests.support.pyclient import PyClient

from .support import add_note, focused_note, join
from .test_a11y import assert_no_serious_violations
from .test_keys import wait_quiet

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"width": 1920, "height": 1080}
LONG = (
    "Ein langer Beitrag aus dem Workshop: Wir wollen die Hitzevorsorge im Quartier gemeinsam "
    "mit Initiativen, Verwaltung und Wohnungsbaugesellschaften verbessern, Sensordaten offen "
    "teilen, Trinkbrunnen kartieren, Patenschaften für Stadtbäume vermitteln und die "
    "Ergebnisse jedes Quartals öffentlich zeigen. ENDE-DES-TEXTES"
)
FLOW_FIELDS = ("A1", "A2", "A4", "B1", "B2", "B3", "C1", "C2")

# every note box of a field, in layout units (unscaled) and on screen, with whether its
# text is all visible or its "more" button shows
MEASURE = """(field) => [...document.querySelectorAll(`#field-${field} [data-note]`)].map(e => {
  const r = e.getBoundingClientRect()
  const t = e.querySelector('textarea')
  const more = e.querySelector('.note-more')
  return { id: e.dataset.note, l: r.left, t: r.top, r: r.right, b: r.bottom,
           stacked: !!e.dataset.stacked, ol: e.offsetLeft, ot: e.offsetTop,
           ow: e.offsetWidth, oh: e.offsetHeight,
           full: t.scrollHeight <= t.clientHeight + 2, more: !!more && !more.hidden }
})"""
SETTLED = """(field) => { const ns = [...document.querySelectorAll(`#field-${field} [data-note]`)];
  return ns.every(e => {
    const t = e.querySelector('textarea'); const m = e.querySelector('.note-more')
    return t.scrollHeight <= t.clientHeight + 2 || (m && !m.hidden) }) }"""


def overlaps(boxes: list[dict[str, Any]], stacks: bool = False) -> list[tuple[str, str]]:
    """Pairs of boxes whose rectangles share more than a pixel (`stacks`: leave out the
    notes of a full diagram stacked, offset, on another)."""
    found = []
    if stacks:
        boxes = [b for b in boxes if not b["stacked"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and (
                min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1
            ):
                found.append((a["id"], b["id"]))
    return found


def measure(page: Page, field: str, count: int) -> list[dict[str, Any]]:
    expect(page.locator(f"#field-{field} [data-note]")).to_have_count(count, timeout=20_000)
    page.wait_for_function(SETTLED, arg=field)
    boxes: list[dict[str, Any]] = page.evaluate(MEASURE, field)
    return boxes


def seed(
    server: LiveServer,
    board: Board,
    notes: dict[str, int],
    text: Callable[[str, int], str],
    at: Callable[[str, int], tuple[float, float]] | None = None,
) -> None:
    """Write notes straight into the board (one transaction), as a stock client would;
    `at` gives a note's stored place (x, y), else each is put at the middle."""

    async def run() -> None:
        async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as c:
            await c.synced.wait()
            now = int(time.time() * 1000)
            with c.doc.transaction():
                k = 0
                for field, n in notes.items():
                    for i in range(n):
                        k += 1
                        x, y = at(field, i) if at else (0.5, 0.5)
                        c.notes[f"s{field}{i:03d}"] = Map(
                            {
                                "field": field,
                                "text": Text(text(field, i)),
                                "x": x,
                                "y": y,
                                "color": "yellow",
                                "created_at": now + k,
                                "order": now + k,
                            }
                        )
            await c.flush()
            await c.request("clock")  # the server has everything before we leave

    errors: list[BaseException] = []

    def target() -> None:
        try:
            anyio.run(run)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not errors, errors


def shot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("() => document.activeElement?.blur()")
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def closeup(page: Page, folder: Path, field: str, name: str, scale: float = 0.75) -> None:
    """A field at a readable zoom (moved into view the way panning would)."""
    page.evaluate(
        """([field, scale]) => { const f = document.querySelector(`#field-${field}`)
        document.querySelector('.board').style.transform =
          `translate(${8 - f.offsetLeft * scale}px, ${8 - f.offsetTop * scale}px)` +
          ` scale(${scale})` }""",
        [field, scale],
    )
    shot(page, folder, name)


def test_p283_thirty_notes_from_three_devices_never_overlap(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Workshop")
    desk = make_context(viewport=DESKTOP).new_page()
    laptop = make_context(viewport={"width": 1280, "height": 800}).new_page()
    phone = make_context(**PHONE).new_page()
    join(desk, board.links["participant"], "Ada", "administration")
    join(laptop, board.links["participant"], "Ben", "civil-society")
    join(phone, board.links["participant"], "Cem", "youth")
    # a read-only screen at projector size shows the canvas (the projector link shows the
    # room a stage instead, P290: tests/e2e/test_projector.py)
    beamer = make_context(viewport=PROJECTOR).new_page()
    beamer.goto(board.links["viewer"])
    expect(beamer.locator(".conn")).to_have_attribute("data-state", "synced")
    writers = [desk, laptop, phone]
    # interleaved: each device adds while the others' notes are still arriving
    # the long ones are pasted: typed key by key they cost ~1,000 renders on every page
    for i in range(30):
        page = writers[i % 3]
        if i % 7 == 3:
            page.locator("[data-add='A1']").click()
            focused_note(page)
            page.keyboard.insert_text(LONG)
        else:
            add_note(page, "A1", f"Idee {i + 1} von {i % 3 + 1}")
    for page in writers:
        page.keyboard.press("Escape")
    for page in (*writers, beamer):
        boxes = measure(page, "A1", 30)
        assert overlaps(boxes) == []
        assert all(b["full"] or b["more"] for b in boxes)
        assert sum(1 for b in boxes if b["more"]) >= 4  # the long ones
    # the full text is one click away
    long_note = desk.locator("#field-A1 [data-note]").filter(has=desk.locator(".note-more:visible"))
    first = long_note.first
    first.locator(".note-more").click()
    assert first.locator("textarea").evaluate("t => t.scrollHeight <= t.clientHeight + 2")
    first.locator(".note-more").click()
    # the same layout on every device for the same viewport (and role: viewers read larger)
    other = make_context(viewport=DESKTOP).new_page()
    join(other, board.links["participant"], "Dana", "youth")
    mine = {b["id"]: (b["ol"], b["ot"], b["ow"], b["oh"]) for b in measure(desk, "A1", 30)}
    theirs = {b["id"]: (b["ol"], b["ot"], b["ow"], b["oh"]) for b in measure(other, "A1", 30)}
    assert mine == theirs
    # the field grew instead of piling notes up: its row is taller than at the start
    grown = desk.evaluate("() => document.querySelector('#field-A1').offsetHeight")
    assert grown > 2160 / 6


def test_p281_private_writing_by_four_then_reveal_overlaps_nothing(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Privat")
    mod = make_context(viewport=DESKTOP).new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    writers = []
    for name in ("Ada", "Ben", "Cem", "Dana"):
        page = make_context(viewport=DESKTOP).new_page()
        join(page, board.links["participant"], name, "youth")
        writers.append(page)
    section = mod.locator("#modpanel #mod-fields")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    for field in ("A3", "A1"):
        section.locator(f"[data-private='{field}']").click()
        for page in writers:
            expect(page.locator(f"#field-{field} .field-private")).to_be_visible()
    for page in writers:
        for field in ("A3", "A1"):
            for k in range(2):
                page.locator(f"[data-add='{field}']").click()
                page.wait_for_function(
                    "() => document.activeElement?.closest('[data-private-note]')"
                )
                page.keyboard.type(f"{field} privat {k}")
        page.wait_for_function("() => window.cocanvas.privatePending() === 0")
    for field in ("A3", "A1"):
        section.locator(f"[data-reveal='{field}']").click()
    for page in (mod, *writers):
        for field in ("A3", "A1"):
            boxes = measure(page, field, 8)
            assert overlaps(boxes) == [], (field, overlaps(boxes))
    shot(mod, artifacts, "layout-revealed-1440x900.png")
    # the moderator shows A1 compact: every device does, and the text stays a click away
    section.locator("[data-view='A1']").click()
    for page in (mod, *writers):
        expect(page.locator("#field-A1")).to_have_class(re.compile(r"\bcompact\b"))
    expect(mod.locator("[data-view='A1']")).to_have_text("Vollständig")
    section.locator("[data-view='A1']").click()
    expect(writers[0].locator("#field-A1")).not_to_have_class(re.compile(r"\bcompact\b"))


def test_p283_three_hundred_notes_render_sync_and_drag_quickly(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Groß")
    per_field = {f: 30 for f in FLOW_FIELDS}
    per_field["A3"] = 30
    per_field["A1"] = 30 + 300 - sum(per_field.values())
    seed(shared_server, board, per_field, lambda f, i: f"{f} Notiz {i + 1}")
    page = make_context(viewport=DESKTOP).new_page()
    page.add_init_script(
        """window.__long = []; new PerformanceObserver(l => { for (const e of l.getEntries())
        window.__long.push(e.duration) }).observe({ type: 'longtask', buffered: true })"""
    )
    page.goto(board.links["viewer"])
    # from the start of navigation to synced with all 300 notes rendered, timed in the page
    done = page.wait_for_function(
        """() => document.querySelector('.conn')?.dataset.state === 'synced' &&
           document.querySelectorAll('[data-note]').length === 300 && performance.now()""",
        polling="raf",
        timeout=10_000,
    )
    elapsed = float(done.json_value()) / 1000
    print(f"300 notes: first render and full sync in {elapsed:.2f} s")
    assert elapsed < 2.0
    # drag a note across the diagram: no long task over 100 ms meanwhile
    writer = make_context(viewport=DESKTOP).new_page()
    writer.add_init_script(
        """window.__long = []; new PerformanceObserver(l => { for (const e of l.getEntries())
        window.__long.push(e.duration) }).observe({ type: 'longtask' })"""
    )
    join(writer, board.links["participant"], "Ada", "administration")
    expect(writer.locator("[data-note]")).to_have_count(300, timeout=10_000)
    # the page has settled (first render, text measuring) before the drag starts
    writer.evaluate("() => new Promise(r => requestIdleCallback(() => r(), { timeout: 3000 }))")
    writer.evaluate("() => { window.__long = [] }")
    bar = writer.locator("#field-A3 [data-note] .note-bar").first
    box = bar.bounding_box()
    assert box is not None
    writer.mouse.move(box["x"] + 20, box["y"] + 8)
    writer.mouse.down()
    for step in range(1, 31):
        writer.mouse.move(box["x"] + 20 + step * 8, box["y"] + 8 + step * 4)
    writer.mouse.up()
    writer.wait_for_timeout(300)  # long tasks are reported after they end
    longest = max(writer.evaluate("() => window.__long"), default=0)
    print(f"longest task while dragging: {longest:.0f} ms")
    assert longest <= 100


def test_screenshots_thirty_notes_per_field(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Ko-Kreation Musterstadt")
    per_field = {f: 30 for f in (*FLOW_FIELDS, "A3")}
    seed(
        shared_server,
        board,
        per_field,
        lambda f, i: LONG if i % 9 == 4 else f"{f}: Beitrag {i + 1}",
    )
    desk = make_context(viewport=DESKTOP).new_page()
    join(desk, board.links["participant"], "Ada", "administration")
    for field in FLOW_FIELDS:
        assert overlaps(measure(desk, field, 30)) == [], field
    # 30 notes fill the diagram: the last ones are stacked, offset, with a count
    a3 = measure(desk, "A3", 30)
    assert overlaps(a3, stacks=True) == []
    assert 0 < sum(1 for b in a3 if b["stacked"]) < 10
    expect(desk.locator("#field-A3 [data-stack]").first).to_be_visible()
    desk.locator("[data-action=fit]").click()
    shot(desk, artifacts, "layout-desktop-1440x900.png")
    closeup(desk, artifacts, "A1", "layout-desktop-1440x900-A1.png")
    closeup(desk, artifacts, "A3", "layout-desktop-1440x900-A3.png", 1.0)
    desk.locator("#field-A3").scroll_into_view_if_needed()
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Ben", "youth")
    assert overlaps(measure(phone, "A1", 30)) == []
    shot(phone, artifacts, "layout-phone-390x844-A1.png")
    for name, size in (("1920x1080", PROJECTOR), ("1280x720", {"width": 1280, "height": 720})):
        beamer = make_context(viewport=size).new_page()
        beamer.goto(board.links["viewer"])
        expect(beamer.locator(".conn")).to_have_attribute("data-state", "synced")
        assert overlaps(measure(beamer, "A1", 30)) == []
        assert overlaps(measure(beamer, "A3", 30), stacks=True) == []
        beamer.locator("[data-action=fit]").click()
        shot(beamer, artifacts, f"layout-projector-{name}.png")


ON_TOP = """el => { const r = el.getBoundingClientRect()
  return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)) }"""


def test_stack_count_is_named_and_brings_each_note_to_the_front_by_keyboard(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Stapel")
    seed(shared_server, board, {"A3": 30}, lambda f, i: f"{f}: Beitrag {i + 1}")
    page = make_context(viewport=DESKTOP, reduced_motion="reduce", bypass_csp=True).new_page()
    join(page, board.links["participant"], "Ada", "administration", show_all=False)
    expect(page.locator("#field-A3 [data-note]")).to_have_count(30)
    page.locator("#field-A3 .field-zoom").click()
    base = page.locator("#field-A3 [data-note][data-stack]").first
    n = int((base.get_attribute("data-stack") or "+0")[1:])
    assert n >= 1
    count = base.locator(":scope > .note-stack")
    expect(count).to_have_text(f"+{n}")
    words = "weitere Notiz liegt" if n == 1 else "weitere Notizen liegen"
    expect(count).to_have_accessible_name(re.compile(rf"^{n} {words} auf dieser"))
    assert_no_serious_violations(page)

    # keyboard only: Tab from the note reaches its count, Enter brings the notes up in turn
    base.focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if count.evaluate("el => el === document.activeElement"):
            break
    expect(count).to_be_focused()
    status = base.locator(":scope > .note-stack-status")
    fronted: list[str] = []
    for _ in range(n + 1):
        page.keyboard.press("Enter")
        front = page.locator("#field-A3 .stack-front")
        expect(front).to_have_count(1)
        note_id = front.get_attribute("data-note") or ""
        assert front.evaluate(ON_TOP), f"note {note_id} was brought up but is not on top"
        expect(status).to_have_text(f"Vorn: {front.get_attribute('aria-label')}")
        expect(count).to_be_focused()
        fronted.append(note_id)
    assert fronted[0] == base.get_attribute("data-note")
    assert len(set(fronted)) == n + 1, fronted
    page.keyboard.press("Enter")
    expect(base).to_have_class(re.compile(r"\bstack-front\b"))
    closeup(page, artifacts, "A3", "layout-a3-stack-front-1440x900.png", 1.0)


CALM_VIEW = """() => { const b = document.querySelector('.board')
  return b.style.transform !== '' && !b.classList.contains('animating') }"""
# in every field heading on screen, parts that overlap (a counter over the title, ...), and
# the controls on the board the minimap lies over (marked data-under-map)
UNDER_MAP = """(el) => { const r = el.getBoundingClientRect()
  const m = document.querySelector('#canvas .minimap').getBoundingClientRect()
  return Math.min(r.right, m.right) - Math.max(r.left, m.left) > 1
    && Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top) > 1 }"""
CLASHES = (
    """() => {
  const port = document.querySelector('#canvas').getBoundingClientRect()
  const shown = (r) => r.width > 0 && r.height > 0 && r.right > port.left && r.left < port.right
    && r.bottom > port.top && r.top < port.bottom
  const heads = []
  for (const row of document.querySelectorAll('#canvas .field-title-row')) {
    const parts = [...row.querySelectorAll(':scope > *, .field-badges > *')]
      .filter((e) => !e.classList.contains('field-badges') && !e.hidden)
      .map((e) => [e, e.getBoundingClientRect()]).filter(([, r]) => shown(r))
    for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
      const [a, ra] = parts[i], [b, rb] = parts[j]
      if (a.contains(b) || b.contains(a)) continue
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left)
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top)
      if (w > 1 && h > 1) heads.push(`${row.closest('.field').id}: ${a.className} / ${b.className}`)
    }
  }
  const covered = []
  for (const el of document.querySelectorAll('#canvas .board button, #canvas .board select')) {
    delete el.dataset.underMap
    const r = el.getBoundingClientRect()
    if (!shown(r) || r.width < 4 || getComputedStyle(el).visibility === 'hidden') continue
    if (!("""
    + UNDER_MAP
    + """)(el)) continue
    el.dataset.underMap = ''
    const where = el.closest('[data-note]')?.dataset.note ?? el.closest('.field')?.id
    covered.push(`${where}: ${el.className}`)
  }
  // the diagram's scale names stay one line each; the y axis's, read upward in a band of
  // their own, two at most
  const ticks = []
  for (const tick of document.querySelectorAll('#canvas .tick')) {
    const r = tick.getBoundingClientRect()
    const style = getComputedStyle(tick)
    const line = parseFloat(style.lineHeight) || 20
    const upward = style.writingMode.startsWith('vertical')
    const scale = r.width / tick.offsetWidth
    const lines = (upward ? r.width : r.height) / (line * scale)
    if (shown(r) && lines > (upward ? 2.5 : 1.5)) ticks.push(`${tick.textContent} wraps`)
  }
  return { heads, covered, ticks }
}"""
)


def unfold(page: Page) -> None:
    """Open the overview the first view folded (what it would hide is in sight), as a person
    would with its button."""
    page.wait_for_function(CALM_VIEW)
    toggle = page.locator("#canvas .minimap-toggle")
    if toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_moderator_at_1440_sees_counters_search_and_minimap_clear_of_each_other(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Ko-Kreation Musterstadt")
    per_field = {f: 30 for f in (*FLOW_FIELDS, "A3")}
    seed(
        shared_server,
        board,
        per_field,
        lambda f, i: LONG if i % 9 == 4 else f"{f}: Beitrag {i + 1}",
    )
    mod = make_context(viewport=DESKTOP, reduced_motion="reduce").new_page()
    join(mod, board.links["moderator"], "Mo", show_all=False)
    # the first view folds the overview off B4's heading; the moderator opens it again
    unfold(mod)
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "youth")
    expect(mod.locator("#canvas .field-counter[data-counter=A1]")).to_have_text(
        "0 von 1 haben geschrieben"
    )
    mod.locator(".search-toggle").click()
    mod.locator(".search-input").fill("Beitrag 1")
    expect(mod.locator(".search-found")).to_have_text(re.compile(r"^\d+ gefunden$"))
    # on a wide screen colour and group are in the bar itself: no Filter button, one row
    expect(mod.locator(".search-filter")).to_be_hidden()
    expect(mod.locator(".search-color")).to_be_visible()
    bar = mod.locator(".search-bar").bounding_box()
    assert bar is not None and bar["height"] < 50, bar
    views = {"default": None, "part-B": "2", "part-C": "3", "show-all": "0"}
    covered_somewhere = False
    for name, key in views.items():
        if key:
            mod.locator("#canvas").focus()
            wait_quiet(mod)
            mod.keyboard.press(key)
        mod.wait_for_function(CALM_VIEW)
        mod.evaluate("() => document.activeElement?.blur()")
        shot(mod, artifacts, f"moderator-30-per-field-{name}-1440x900.png")
        found = mod.evaluate(CLASHES)
        print(name, found)
        assert found["heads"] == [] and found["ticks"] == [], (name, found)
        # the overview lies over the board; a control under it comes out when it gets focus
        under = mod.locator("#canvas [data-under-map]")
        if found["covered"]:
            covered_somewhere = True
            control = under.first.element_handle()
            control.focus()
            assert not control.evaluate(UNDER_MAP), (name, found["covered"][0])
    assert covered_somewhere, "no view put a control under the overview: nothing was checked"


def test_p284_compact_view_hides_lines_behind_more(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Kompakt")
    seed(shared_server, board, {"A1": 1}, lambda f, i: "\n".join(f"Zeile {k}" for k in range(5)))
    mod = make_context(viewport=DESKTOP).new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    viewer = make_context(viewport=DESKTOP).new_page()
    viewer.goto(board.links["viewer"])
    more = "#field-A1 [data-note] .note-more"
    for page in (mod, viewer):
        measure(page, "A1", 1)
        expect(page.locator(more)).to_be_hidden()  # five lines fit
    section = mod.locator("#modpanel #mod-fields")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    section.locator("[data-view='A1']").click()
    for page in (mod, viewer):
        expect(page.locator(more)).to_be_visible()
        page.locator(more).click()
        assert page.locator("#field-A1 textarea").evaluate(
            "t => t.scrollHeight <= t.clientHeight + 2"
        )
    section.locator("[data-view='A1']").click()
    expect(viewer.locator("#field-A1")).not_to_have_class(re.compile(r"\bcompact\b"))


def test_the_moderators_field_table_fits_the_panel(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """Every field's buttons are in reach without a sideways scroll (a scrollbar that
    headless Chromium and many touchpads do not show)."""
    from .test_workshop import open_section

    board = shared_server.create_board(title="Felder im Griff")
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    section = open_section(mod, "fields")
    scroll = section.locator(".table-scroll")
    expect(scroll.locator("[data-lock='C3']")).to_be_visible()
    # the hidden headings must not make the page taller than the window (it scrolled away)
    taller = mod.evaluate("() => document.scrollingElement.scrollHeight - window.innerHeight")
    assert taller <= 0, f"the page is {taller} px taller than the window"
    overflow = scroll.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the field table is {overflow} px wider than the panel"
    for button in ("[data-view='A1']", "[data-focus='C3']", "[data-private='B4']"):
        box = scroll.locator(button).bounding_box()
        panel_box = scroll.bounding_box()
        assert box is not None and panel_box is not None
        assert box["x"] + box["width"] <= panel_box["x"] + panel_box["width"] + 1
    section.locator("[data-field-row='B1']").scroll_into_view_if_needed()
    mod.screenshot(path=str(artifacts / "moderator-fields-1440x900.png"))


def test_a_wide_table_field_on_a_tablet_has_its_add_button_in_reach(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """Zoomed to B4 on a tablet, the header's '+ Zeile' sits off to the right; the one
    under the rows is in sight and adds a row."""
    board = shared_server.create_board(title="Partner am Tablet")
    ctx = make_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    page = ctx.new_page()
    join(page, board.links["participant"], "Dilek", "civil-society")
    page.locator("[data-zoom='B4']").click()
    below = page.locator("[data-add-below='B4']")
    expect(below).to_be_visible()
    # once the zoom has settled (mid-zoom the row is smaller and fits whole, at rest it is
    # wider than the tablet): its start and the middle a tap hits are in sight
    page.wait_for_function(CALM_VIEW)
    page.wait_for_timeout(400)  # the zoom's animation
    page.wait_for_function(
        """() => { const b = document.querySelector("[data-add-below='B4']").getBoundingClientRect()
          const v = document.querySelector('.viewport').getBoundingClientRect()
          return b.left >= v.left && (b.left + b.right) / 2 <= v.right
            && b.top >= v.top && b.bottom <= v.bottom }"""
    )
    below.click()
    note_id = focused_note(page)
    page.keyboard.type("Quartiersmanagement")
    page.wait_for_function("(id) => window.cocanvas.notes()[id]?.field === 'B4'", arg=note_id)


def test_on_a_tablet_the_overview_leaves_the_tables_and_their_add_buttons_free(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """Across and upright, "show all" put the overview over C3's row tools and "+ Zeile",
    and zoomed to C3 across it lay over "+ Zeile" under the rows: the board now shows
    beside it, or folds it to its button when only that leaves the field free."""
    board = shared_server.create_board(title="Tablet")
    seed(shared_server, board, {"B4": 4, "C3": 4}, lambda f, i: f"{f} Zeile {i + 1}")
    for width, height in ((1024, 768), (768, 1024)):
        ctx = make_context(viewport={"width": width, "height": height}, has_touch=True)
        page = ctx.new_page()
        join(page, board.links["participant"], "Dilek", "civil-society", show_all=False)
        expect(page.locator("#field-C3 [data-note]")).to_have_count(4)
        unfold(page)
        views = (("show-all", "() => window.cocanvas.showAll()"), ("C3", "[data-zoom=C3]"))
        for name, how in views:
            if how.startswith("("):
                page.evaluate(how)
            else:
                page.locator(how).first.dispatch_event("click")
            page.wait_for_timeout(400)  # the zoom's animation
            page.wait_for_function(CALM_VIEW)
            shot(page, artifacts, f"tablet-overview-{name}-{width}x{height}.png")
            found = page.evaluate(CLASHES)
            assert found["covered"] == [], (width, height, name, found["covered"])
            if name == "show-all":
                # there is room beside it: it stays open
                expect(page.locator("#canvas .minimap")).to_have_class(re.compile(r"\bopen\b"))
        ctx.close()


@pytest.mark.parametrize("width", [1440, 1024])
def test_the_moderators_schedule_fits_the_panel(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    artifacts: Path,
    width: int,
) -> None:
    """Every schedule row's × is in reach without a sideways scroll."""
    from .test_workshop import open_section

    board = shared_server.create_board(title="Ablauf im Griff")
    mod = make_context(viewport={"width": width, "height": 900}).new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    section = open_section(mod, "time")
    scroll = section.locator(".table-scroll")
    expect(scroll.locator("tbody tr").first).to_be_visible()
    overflow = scroll.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the schedule is {overflow} px wider than the panel at {width} px"
    scroll.scroll_into_view_if_needed()
    mod.screenshot(path=str(artifacts / f"moderator-schedule-{width}x900.png"))


SHOWN_WHOLE = """e => ({ w: e.scrollWidth - e.clientWidth, h: e.scrollHeight - e.clientHeight })"""


def test_an_action_row_shows_a_long_owner_and_its_whole_task(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """C3 on a laptop and a tablet: "Amt für Digitalisierung (Fr. Demir) mit dem OK Lab"
    wraps in its column instead of being cut after "(Fr. D", and a three-line task shows
    all its lines, not only its last two."""
    board = shared_server.create_board(title="Wer macht was?")
    page = make_context(viewport={"width": 1440, "height": 900}).new_page()
    join(page, board.links["participant"], "Ben", "science")
    note_id = add_note(page, "C3", "Bänke am Marktplatz aufstellen und Patenschaften finden")
    page.keyboard.press("Escape")
    owner = page.locator(f"[data-note='{note_id}'] [data-cell=owner]")
    owner.fill("Amt für Digitalisierung (Fr. Demir) mit dem OK Lab")
    owner.press("Enter")  # commits; an owner has no line breaks
    page.wait_for_function(
        "(id) => window.cocanvas.notes()[id].owner === "
        "'Amt für Digitalisierung (Fr. Demir) mit dem OK Lab'",
        arg=note_id,
    )
    page.locator("[data-zoom=C3]").first.click()
    for width, height in ((1440, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("[data-zoom=C3]").first.click()
        page.wait_for_timeout(600)  # the zoom's animation
        hidden = owner.evaluate(SHOWN_WHOLE)
        assert hidden["w"] <= 1 and hidden["h"] <= 1, (width, hidden)
        task = page.locator(f"[data-note='{note_id}'] .cell-text")
        hidden = task.evaluate(SHOWN_WHOLE)
        assert hidden["h"] <= 1, (width, hidden)
        page.screenshot(path=str(artifacts / f"actions-long-owner-{width}x{height}.png"))


def test_a_table_zoomed_to_on_a_tablet_shows_its_last_column(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """B4 at 1024x768 (a tablet across): at the readable zoom it was 32 px too wide, so its
    last column's tools and "+ Zeile" sat off screen; now it shows whole, a little smaller."""
    board = shared_server.create_board(title="Partner")
    page = make_context(viewport={"width": 1024, "height": 768}).new_page()
    join(page, board.links["participant"], "Ben", "science")
    add_note(page, "B4", "Stadtteilbibliothek Nord")
    page.keyboard.press("Escape")
    zoom_to_b4_whole_across(page)
    page.screenshot(path=str(artifacts / "table-zoom-B4-1024x768.png"))


def test_a_tall_table_zoomed_to_on_a_tablet_shows_every_column(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """B4 with nine partners at 1024x768 is taller than the screen: it used to open at the
    readable zoom, its last column and "+ Zeile" off screen to the right. It now opens
    with every column in sight, from its top, and the rows are panned down to."""
    board = shared_server.create_board(title="Viele Partner")
    seed(shared_server, board, {"B4": 9}, lambda f, i: f"Partner {i + 1}: Verein im Quartier")
    page = make_context(viewport={"width": 1024, "height": 768}).new_page()
    join(page, board.links["participant"], "Ben", "science")
    expect(page.locator("#field-B4 [data-note]")).to_have_count(9)
    box = zoom_to_b4_whole_across(page)
    assert box["b"] > box["h"], box  # too tall to show whole: the rows go on below
    page.screenshot(path=str(artifacts / "table-zoom-B4-tall-1024x768.png"))


def zoom_to_b4_whole_across(page: Page) -> dict[str, float]:
    """Zoom to B4 and check it shows from its left edge to its right one, "+ Zeile" in
    sight; the field's box on screen."""
    page.locator("[data-zoom=B4]").first.click()
    page.wait_for_timeout(600)  # the zoom's animation
    box: dict[str, float] = page.evaluate(
        "() => { const r = document.querySelector('#field-B4').getBoundingClientRect()"
        "; return { l: r.left, r: r.right, b: r.bottom, w: innerWidth, h: innerHeight } }"
    )
    assert box["l"] >= 0 and box["r"] <= box["w"], box
    expect(page.locator("[data-add=B4]")).to_be_in_viewport(ratio=0.99)
    return box


def test_the_diagram_on_a_phone_keeps_notes_apart_and_every_vote_in_reach(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """A3 on a 390 px phone: its notes were 136 px wide on a 300 px diagram, so notes
    placed side by side covered each other, and in a dot vote each note's buttons covered
    the next one's. The diagram is now as wide as the placement needs and scrolls."""
    from .test_projector import with_moderator

    board = shared_server.create_board(title="Diagramm am Telefon")
    seed(shared_server, board, {"A3": 6}, lambda f, i: f"Initiative {i + 1}")
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_have_class(re.compile(r"\bcurrent\b"))
    assert overlaps(measure(phone, "A3", 6)) == []
    # it opens at its leftmost note
    expect(phone.locator("#field-A3 [data-note]").first).to_be_in_viewport()
    with_moderator(shared_server, board, lambda m: ok(m, "vote.open", fields=["A3"], per_person=6))
    expect(phone.locator("#field-A3 .note-votes:visible")).to_have_count(6)
    notes = phone.locator("#field-A3 [data-note]")
    for i in range(6):
        cast = notes.nth(i).locator("[data-vote=cast]")
        cast.click()  # scrolled into view if needed, and never under another note
        expect(notes.nth(i).locator(".note-votes")).to_have_attribute("data-mine", "1")
    shot(phone, artifacts, "layout-phone-390x844-A3-vote.png")


# each button of the focused note's tool row: inside the diagram's visible part and on top
TOOLS_IN_SIGHT = """() => {
  const note = document.activeElement.closest('[data-note]')
  const w = note.closest('.area-wrap').getBoundingClientRect()
  return [...note.querySelectorAll(':scope > .note-tools > *')].map(b => {
    const r = b.getBoundingClientRect()
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return { tool: b.className, inside: r.left >= w.left && r.right <= w.right
             && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight,
             onTop: !!hit && b.contains(hit) } })
}"""


def test_a_focused_note_at_the_diagrams_left_edge_shows_its_whole_tool_row(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """A3 on a phone scrolls sideways and clips what sticks out of it: a focused note at
    its left edge had its colour button cut off, as its tool row opened leftward. Now the
    row opens toward the middle, and the diagram scrolls until the whole row is in sight."""
    places = [(0.0, 0.5), (0.3, 0.1), (1.0, 0.9)]
    board = shared_server.create_board(title="Werkzeuge am Rand")
    seed(
        shared_server, board, {"A3": 3}, lambda f, i: f"Initiative {i + 1}", lambda f, i: places[i]
    )
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_have_class(re.compile(r"\bcurrent\b"))
    wrap = phone.locator("#field-A3 .area-wrap")
    for note_id in ("sA3000", "sA3001"):
        # the note half hidden behind the left side of the diagram, then tapped
        wrap.evaluate(
            "(w, id) => { const n = w.querySelector(`[data-note=${id}]`)"
            "; w.scrollLeft = n.getBoundingClientRect().left - w.getBoundingClientRect().left"
            " + w.scrollLeft + n.offsetWidth / 2 }",
            note_id,
        )
        phone.locator(f"[data-note={note_id}] textarea").tap(position={"x": 100, "y": 20})
        expect(phone.locator(f"[data-note={note_id}] .note-tools")).to_be_visible()
        tools = phone.evaluate(TOOLS_IN_SIGHT)
        assert len(tools) == 3 and all(t["inside"] and t["onTop"] for t in tools), (note_id, tools)
    phone.screenshot(path=str(artifacts / "layout-phone-390x844-A3-tools.png"))
    # the tools of a note at the right edge still open leftward, inside the diagram
    phone.locator("[data-note=sA3002] textarea").focus()
    tools = phone.evaluate(TOOLS_IN_SIGHT)
    assert all(t["inside"] and t["onTop"] for t in tools), tools

    laptop = make_context(viewport={"width": 1366, "height": 768}).new_page()
    join(laptop, board.links["participant"], "Lea", "youth", show_all=False)
    laptop.locator("[data-zoom=A3]").first.click()
    laptop.wait_for_timeout(600)  # the zoom's animation
    laptop.locator("[data-note=sA3000] textarea").click()
    tools = laptop.evaluate(TOOLS_IN_SIGHT)
    assert len(tools) == 3 and all(t["inside"] and t["onTop"] for t in tools), tools


# the diagram's ticks and axis titles, and its notes, as client rectangles
LABELS_AND_NOTES = """() => {
  const f = document.querySelector('#field-A3')
  const box = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e)
    // a tick's lines of text: a y tick's stack sideways, read upward
    const across = s.writingMode.startsWith('vertical') ? r.width : r.height
    const lines = across / (r.width / e.offsetWidth) / (parseFloat(s.lineHeight) || 20)
    return { id: e.dataset.note || e.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom,
             lines: e.classList.contains('tick') ? lines : 0 } }
  // what clips them: the field, or a diagram that scrolls sideways (a phone's), whole
  const w = f.querySelector('.area-wrap'), wr = w.getBoundingClientRect()
  const fr = f.getBoundingClientRect(), from = wr.left - w.scrollLeft
  const clip = w.scrollWidth > w.clientWidth ? { l: from, r: from + w.scrollWidth }
                                             : { l: fr.left, r: fr.right }
  return { labels: [...f.querySelectorAll('.tick, .axis-label')].map(box),
           notes: [...f.querySelectorAll('[data-note]')].map(box), clip }
}"""


def test_the_diagrams_tick_labels_are_never_under_a_note(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """The y axis's ticks stood inside the diagram, under any note at its left edge, on a
    laptop and a phone alike. Now they stand in a band between the axis and its title."""
    places = [(0.0, 1.0), (0.0, 0.5), (0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 1.0)]
    board = shared_server.create_board(title="Achsen")
    seed(
        shared_server, board, {"A3": 6}, lambda f, i: f"Initiative {i + 1}", lambda f, i: places[i]
    )

    def check(page: Page) -> None:
        found = page.evaluate(LABELS_AND_NOTES)
        labels, clip = found["labels"], found["clip"]
        assert len(labels) == 7 and len(found["notes"]) == 6, found
        # no tick under a note, none on another tick or on an axis title, none cut off
        assert overlaps(labels + found["notes"]) == [], found
        cut = [lb for lb in labels if lb["l"] < clip["l"] - 1 or lb["r"] > clip["r"] + 1]
        assert cut == [], (cut, clip)
        assert all(lb["lines"] < 2.5 for lb in labels), labels

    laptop = make_context(viewport={"width": 1366, "height": 768}).new_page()
    join(laptop, board.links["participant"], "Lea", "youth", show_all=False)
    laptop.locator("[data-zoom=A3]").first.click()
    laptop.wait_for_timeout(600)  # the zoom's animation
    check(laptop)
    laptop.screenshot(path=str(artifacts / "layout-1366x768-A3-ticks.png"))
    english = make_context(viewport={"width": 1366, "height": 768}, locale="en-GB").new_page()
    join(english, board.links["participant"], "Ann", "youth")
    check(english)

    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_have_class(re.compile(r"\bcurrent\b"))
    # it opens at its leftmost note, at the diagram's left edge: axis and ticks in sight
    assert phone.locator("#field-A3 .area-wrap").evaluate("w => w.scrollLeft") == 0
    check(phone)
    phone.screenshot(path=str(artifacts / "layout-phone-390x844-A3-ticks.png"))
