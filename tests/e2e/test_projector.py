"""The projector (P288-P291): no toolbar, no cursors, large type at 1920x1080, 1280x720 and
1024x768, the join band always on screen, following the moderator's focus, and what the
moderator pushes (timer, field, results) over the whole screen within 2 s, then taken back.

Screenshots at the three sizes with 30 notes in a field go to test-artifacts/.
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

from .support import add_note, join
from .test_a11y import assert_no_serious_violations
from .test_layout import overlaps, seed
from .test_workshop import open_section

pytestmark = pytest.mark.e2e

SIZES = ((1920, 1080, 24.0), (1280, 720, 18.0), (1024, 768, 18.0))
PUSH_MS = 2_000
TEXT = (
    "Beitrag {i} aus dem Workshop: Quartiersdaten offen teilen und gemeinsam nutzen",
    "Idee {i}: Trinkbrunnen kartieren",
    "Nummer {i}: Patenschaften für Stadtbäume vermitteln, mit Initiativen und Verwaltung",
)

# The smallest rendered size (computed font size times the zoom on the way up) of the
# elements matching a selector, and how many there are.
RENDERED_PX = """(sel) => {
  const scale = (e) => {
    let k = 1
    for (let a = e; a; a = a.parentElement) {
      const tf = getComputedStyle(a).transform
      if (tf && tf !== 'none') k *= new DOMMatrix(tf).a
    }
    return k
  }
  const els = [...document.querySelectorAll(sel)].filter(e => e.offsetHeight > 0)
  const px = els.map(e => parseFloat(getComputedStyle(e).fontSize) * scale(e))
  return { count: els.length, min: px.length ? Math.min(...px) : 0 }
}"""
BOX = """(sel) => { const e = document.querySelector(sel); if (!e) return null
  const r = e.getBoundingClientRect()
  return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: innerWidth, h: innerHeight } }"""


def rendered(page: Page, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(RENDERED_PX, selector)
    return found


def inside_viewport(page: Page, selector: str) -> dict[str, float]:
    box: dict[str, float] | None = page.evaluate(BOX, selector)
    assert box is not None, selector
    assert box["r"] - box["l"] > 20 and box["b"] - box["t"] > 10, (selector, box)
    assert box["l"] >= 0 and box["t"] >= 0, (selector, box)
    assert box["r"] <= box["w"] and box["b"] <= box["h"], (selector, box)
    return box


def covers_viewport(page: Page, selector: str) -> None:
    box: dict[str, float] | None = page.evaluate(BOX, selector)
    assert box is not None, selector
    assert (box["l"], box["t"]) == (0, 0) and (box["r"], box["b"]) == (box["w"], box["h"]), box


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def with_moderator(server: LiveServer, board: Board, steps: Callable[[PyClient], Any]) -> None:
    """Run moderator ops over a real connection (a thread: Playwright owns this one's loop)."""

    async def run() -> None:
        async with PyClient.connect(server.ws, board.id, board.tokens["moderator"]) as m:
            await m.synced.wait()
            await ok(m, "hello", pid="projector-test-moderator-secret-0001", name="Mo")
            await steps(m)

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


def projector(make_context: Callable[..., BrowserContext], link: str, w: int, h: int) -> Page:
    # bypass_csp: axe-core is added as a script tag
    page = make_context(viewport={"width": w, "height": h}, bypass_csp=True).new_page()
    page.goto(link)
    expect(page.locator(".projector-band .join-code")).to_have_count(1)
    return page


def test_p290_p291_projector_is_readable_at_three_sizes_and_follows_the_focus(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Beamer im Workshop")
    seed(shared_server, board, {"A1": 30}, lambda f, i: TEXT[i % 3].format(i=i + 1))
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "youth")
    beamers = [
        (w, h, px, projector(make_context, board.links["projector"], w, h)) for w, h, px in SIZES
    ]

    # the moderator's pointer is a cursor for participants, and nothing on any projector
    mod.locator("#canvas").hover(position={"x": 400, "y": 300})
    mod.mouse.move(420, 320)
    expect(ada.locator(".cursor-layer .cursor")).to_have_count(1)
    for _w, _h, _px, page in beamers:
        expect(page.locator(".toolbar, [role=toolbar]")).to_have_count(0)
        expect(page.locator(".cursor-layer .cursor, .drag-ghost")).to_have_count(0)
        expect(page.locator("[data-add]:visible, .note-tools:visible, #modpanel")).to_have_count(0)
        url = page.locator(".projector-band .projector-url").inner_text()
        assert re.match(r"^https?://", url), url
        inside_viewport(page, ".projector-band .qr")
        inside_viewport(page, ".projector-band .join-code")
        overview(page, 30)

    # the focus on A1: every projector shows the field on its stage, beside the join band
    fields = open_section(mod, "fields")
    fields.locator("[data-focus='A1']").click()
    for w, h, least, page in beamers:
        expect(page.locator(".projector-stage[data-stage=field]")).to_be_visible(timeout=PUSH_MS)
        expect(page.locator(".stage-note")).to_have_count(30)
        expect(page.locator(".stage-title")).to_have_text(re.compile("^A1 "))
        notes = rendered(page, ".stage-note-text")
        prompt = rendered(page, ".stage-prompt")
        assert notes["count"] == 30 and notes["min"] >= least, (w, h, notes)
        assert prompt["count"] == 1 and prompt["min"] >= least, (w, h, prompt)
        qr = inside_viewport(page, ".projector-band .qr")
        inside_viewport(page, ".projector-band .join-code")
        # every note on screen, none cut off below the stage
        last = inside_viewport(page, ".stage-note:last-child")
        print(
            f"projector {w}x{h}: note text {notes['min']:.1f} px, prompt {prompt['min']:.1f} px, "
            f"QR {qr['r'] - qr['l']:.0f} px, last note bottom {last['b']:.0f}/{h}"
        )
        expect(page.locator(".cursor-layer .cursor")).to_have_count(0)
        shot(page, artifacts, f"projector-{w}x{h}-30notes.png")
    assert_no_serious_violations(beamers[0][3])

    # released: the overview again, the join band still in view
    fields.locator("[data-focus-release]").click()
    for w, h, least, page in beamers:
        expect(page.locator(".projector-stage[data-stage=overview]")).to_be_visible(timeout=PUSH_MS)
        tiles = overview(page, 30)
        print(f"projector {w}x{h} overview: field titles and counts {tiles:.1f} px")
        assert tiles >= least, (w, h, tiles)
        shot(page, artifacts, f"projector-{w}x{h}-overview.png")
    assert_no_serious_violations(beamers[2][3])


def overview(page: Page, in_a1: int) -> float:
    """Without a focus: every field as a tile with its count, no canvas; the smallest type."""
    expect(page.locator(".projector-stage[data-stage=overview]")).to_be_visible()
    expect(page.locator("#canvas")).to_be_hidden()
    expect(page.locator(".stage-tile")).to_have_count(11)  # A1-A4, B1-B4, C1-C3
    expect(page.locator("[data-tile=A1] .stage-tile-count")).to_have_text(f"{in_a1} Notizen")
    inside_viewport(page, ".stage-tile:last-child")
    inside_viewport(page, ".projector-band .qr")
    inside_viewport(page, ".projector-band .join-code")
    return min(rendered(page, sel)["min"] for sel in (".stage-tile-title", ".stage-tile-count"))


def test_p288_p290_pushes_fill_every_projector_and_are_taken_back(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Beamer: zeigen")
    seed(shared_server, board, {"A1": 30}, lambda f, i: TEXT[i % 3].format(i=i + 1))
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "youth")
    ada_note = add_note(ada, "A1", "Von Ada aus der Jugendgruppe")
    beamers = [projector(make_context, board.links["projector"], w, h) for w, h, _ in SIZES[:2]]
    push = open_section(mod, "push")
    expect(push.locator("[data-push=results]")).to_be_disabled()  # P289: no closed vote yet

    # a locked field is marked on the overview
    with_moderator(shared_server, board, lambda m: ok(m, "lock.set", field="A2", locked=True))
    for page in beamers:
        expect(page.locator("[data-tile=A2].locked .stage-tile-locked")).to_have_text("gesperrt")
        expect(page.locator("[data-tile=A1].locked")).to_have_count(0)

    open_section(mod, "time")
    mod.locator("select[name=timer-target]").select_option("A")
    mod.locator("input[name=timer-duration]").fill("10")
    mod.locator("[data-timer=start]").click()
    push.locator("[data-push=timer]").click()
    for page in beamers:
        stage = page.locator(".projector-stage.pushed[data-stage=timer]")
        expect(stage).to_be_visible(timeout=PUSH_MS)
        expect(stage.locator(".timer-time")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
        covers_viewport(page, ".projector-stage")
        digits = rendered(page, ".projector-stage .timer-time")
        assert digits["min"] >= 120, digits
    shot(beamers[0], artifacts, "projector-push-timer-1920x1080.png")
    assert_no_serious_violations(beamers[1])

    push.locator("select[name=push-field]").select_option("A1")
    push.locator("[data-push=field]").click()
    for page, (w, h, least) in zip(beamers, SIZES[:2], strict=True):
        expect(page.locator(".projector-stage.pushed[data-stage=field]")).to_be_visible(
            timeout=PUSH_MS
        )
        expect(page.locator(".stage-note")).to_have_count(31)
        covers_viewport(page, ".projector-stage")
        notes = rendered(page, ".stage-note-text")
        assert notes["min"] >= least, (w, h, notes)
        inside_viewport(page, ".stage-note:last-child")
        # the push covers the join band: its footer keeps the time and the join code
        expect(page.locator(".projector-band")).to_be_hidden()
        footer = page.locator(".projector-stage.pushed .stage-footer")
        expect(footer.locator(".timer-time")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
        expect(footer.locator(".timer-sound")).to_be_hidden()
        inside_viewport(page, ".stage-footer .timer-time")
        inside_viewport(page, ".stage-footer .join-code")
        # Ada's note names her group, whose colour is its top edge
        card = page.locator(f"[data-stage-note='{ada_note}']")
        expect(card.locator(".stage-note-who")).to_have_text(re.compile(r"^Ada · "))
        edge = card.evaluate("e => getComputedStyle(e).borderTopColor")
        assert edge not in ("rgba(0, 0, 0, 0)", "transparent"), edge
    shot(beamers[1], artifacts, "projector-push-field-1280x720.png")
    assert_no_serious_violations(beamers[0])

    ids: list[str] = sorted(mod.evaluate("() => Object.keys(window.cocanvas.notes())"))

    async def vote(m: PyClient) -> None:
        await ok(m, "vote.open", fields=["A1"], per_person=5)
        for note_id, dots in ((ids[4], 3), (ids[7], 2)):
            for _ in range(dots):
                await ok(m, "vote.cast", note=note_id)
        await ok(m, "vote.close")

    with_moderator(shared_server, board, vote)
    expect(push.locator("[data-push=results]")).to_be_enabled()
    push.locator("[data-push=results]").click()
    for page in beamers:
        stage = page.locator(".projector-stage.pushed[data-stage=results]")
        expect(stage).to_be_visible(timeout=PUSH_MS)
        expect(stage.locator(".stage-rank").first).to_have_attribute("data-stage-note", ids[4])
        expect(stage.locator(".stage-rank").first.locator(".stage-dots")).to_have_text("3 Punkte")
        covers_viewport(page, ".projector-stage")
        inside_viewport(page, ".stage-footer .join-code")
        # nobody clicks on the room's screen: the vote line has no results button there
        expect(page.locator(".vote-banner button")).to_be_hidden()
    shot(beamers[0], artifacts, "projector-push-results-1920x1080.png")
    assert_no_serious_violations(beamers[0])

    # a projector that connects now shows the same push (it is in the document)
    late = projector(make_context, board.links["projector"], 1024, 768)
    expect(late.locator(".projector-stage.pushed[data-stage=results]")).to_be_visible()

    push.locator("[data-push=clear]").click()
    for page in (*beamers, late):
        expect(page.locator(".projector-stage[data-stage=overview]")).to_be_visible(timeout=PUSH_MS)
        expect(page.locator(".projector-band .qr")).to_be_visible()
    expect(push.locator(".mod-status")).to_have_text("Der Beamer zeigt das Board.")


STAGE_NOTES = """() => [...document.querySelectorAll('.stage-diagram .stage-note')].map(e => {
  const r = e.getBoundingClientRect()
  return { id: e.dataset.stageNote, l: r.left, t: r.top, r: r.right, b: r.bottom,
           cx: e.style.getPropertyValue('--cx'), cy: e.style.getPropertyValue('--cy') } })"""
BOARD_SPOTS = """() => Object.fromEntries([...document.querySelectorAll('#field-A3 [data-note]')]
  .map(e => [e.dataset.note,
             [e.style.getPropertyValue('--cx'), e.style.getPropertyValue('--cy')]]))"""


def test_p290_projector_draws_a3_as_its_diagram_and_shows_b4_c3_columns(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Beamer mit Diagramm")
    # all at one spot: as on the board, the layout spreads them so none hides another
    seed(shared_server, board, {"A3": 10}, lambda f, i: TEXT[i % 3].format(i=i + 1))

    async def columns(m: PyClient) -> None:
        with m.doc.transaction():
            m.notes["partner1"] = Map(
                {
                    "field": "B4",
                    "text": Text("Stadtteilverein"),
                    "resources": Text("Räume am Abend"),
                    "competences": Text("Moderation"),
                    "tasks": Text("Einladen"),
                    "color": "yellow",
                    "order": 1,
                }
            )
            m.notes["action1"] = Map(
                {
                    "field": "C3",
                    "text": Text("Bänke aufstellen"),
                    "owner": "Grünflächenamt",
                    "due": "2027-05-03",
                    "color": "yellow",
                    "order": 2,
                }
            )
        await m.flush()
        await m.request("clock")

    with_moderator(shared_server, board, columns)
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    beamers = [
        (w, h, px, projector(make_context, board.links["projector"], w, h)) for w, h, px in SIZES
    ]
    beamer = beamers[0][3]
    fields = open_section(mod, "fields")

    # A3: the diagram with its axes, every note where the board shows it, none on another
    fields.locator("[data-focus='A3']").click()
    for w, h, least, page in beamers:
        diagram_stage(page, mod, least, f"{w}x{h}")
        shot(page, artifacts, f"projector-{w}x{h}-A3-diagram.png")
    assert_no_serious_violations(beamer)

    stage = beamer.locator(".projector-stage[data-stage=field]")
    # B4 and C3: the other columns under each note, in the stage's type
    for field, note_id, values in (
        ("B4", "partner1", ("Räume am Abend", "Moderation", "Einladen")),
        ("C3", "action1", ("Grünflächenamt", "2027-05-03")),
    ):
        fields.locator(f"[data-focus='{field}']").click()
        expect(stage.locator(".stage-title")).to_have_text(
            re.compile(f"^{field} "), timeout=PUSH_MS
        )
        extra = stage.locator(f"[data-stage-note='{note_id}'] .stage-note-extra")
        expect(extra).to_have_count(len(values))
        for line, value in zip(extra.all_inner_texts(), values, strict=True):
            assert line.endswith(value) and len(line) > len(value) + 2, (line, value)
        px = rendered(beamer, ".stage-note-extra")
        assert px["min"] >= 24 * 0.85 - 0.1, (field, px)
        shot(beamer, artifacts, f"projector-1920x1080-{field}-columns.png")


def diagram_stage(page: Page, mod: Page, least: float, size: str) -> None:
    """The focused A3 on a projector: axes with the board's labels, all ten notes at the
    board's spots inside the diagram, none on another, type at least `least` px."""
    stage = page.locator(".projector-stage[data-stage=field]")
    expect(stage.locator(".stage-diagram")).to_be_visible(timeout=PUSH_MS)
    expect(stage.locator(".stage-diagram .stage-note")).to_have_count(10)
    for axis in ("x", "y"):
        label = mod.locator(f"#field-A3 .axis-label-{axis}").inner_text()
        expect(stage.locator(f".stage-diagram .axis-label-{axis}")).to_have_text(label)
        inside_viewport(page, f".stage-diagram .axis-label-{axis}")
    text_px = rendered(page, ".stage-diagram .stage-note-text")
    # (the y label is turned a quarter: its size is read unscaled)
    axis_px = rendered(page, ".stage-diagram .axis-label-x")
    axis_y = page.locator(".stage-diagram .axis-label-y").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert text_px["count"] == 10 and text_px["min"] >= least, (size, text_px)
    assert axis_px["min"] >= least and axis_y >= least, (size, axis_px, axis_y)
    boxes = page.evaluate(STAGE_NOTES)
    assert overlaps(boxes) == [], (size, overlaps(boxes))
    assert {b["id"]: [b["cx"], b["cy"]] for b in boxes} == mod.evaluate(BOARD_SPOTS)
    assert len({(b["cx"], b["cy"]) for b in boxes}) == 10
    area = inside_viewport(page, ".stage-diagram")
    for b in boxes:
        assert area["l"] <= b["l"] and b["r"] <= area["r"], (size, b, area)
        assert area["t"] <= b["t"] and b["b"] <= area["b"], (size, b, area)
    inside_viewport(page, ".projector-band .qr")
    inside_viewport(page, ".projector-band .join-code")
    print(
        f"projector {size} A3: note text {text_px['min']:.1f} px, axis labels "
        f"{axis_px['min']:.1f} px, diagram {area['r'] - area['l']:.0f}x{area['b'] - area['t']:.0f}"
    )


def test_a_pushed_field_shows_a_timer_only_while_it_runs(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    """The foot of a push shows the time while a timer runs; one that ran out leaves it to
    the join line (it used to say "0:00 Zeit ist um" on every push until the next timer)."""
    board = shared_server.create_board(title="Beamer: Zeit ist um")

    async def ran_out(m: PyClient) -> None:
        await ok(m, "timer.start", target="A1", seconds=1)
        await ok(m, "projector.push", show="field", field="A1")

    with_moderator(shared_server, board, ran_out)
    time.sleep(1.5)
    page = projector(make_context, board.links["projector"], 1280, 720)
    footer = page.locator(".projector-stage.pushed[data-stage=field] .stage-footer")
    expect(footer.locator(".join-code")).to_be_visible()
    expect(footer.locator(".timerbar")).to_be_hidden()
    # font of the join line: at least the stage's floor of 18 px (P291)
    assert rendered(page, ".stage-footer .stage-join")["min"] >= 18

    with_moderator(shared_server, board, lambda m: ok(m, "timer.start", target="A", seconds=600))
    expect(footer.locator(".timer-time")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))


def test_a_pushed_field_at_1024x768_keeps_who_wrote_each_note(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """24 notes pushed to a 1024x768 projector with the timer and join line at the foot:
    the fit cut every note to three lines and hid every author, leaving a third of the
    screen empty; less room between the notes keeps four lines and the names."""
    board = shared_server.create_board(title="Beamer: wer schrieb was")

    async def push(m: PyClient) -> None:
        now = int(time.time() * 1000)
        with m.doc.transaction():
            for i in range(24):
                m.notes[f"s{i:03d}"] = Map(
                    {
                        "field": "A1",
                        "text": Text(TEXT[i % 3].format(i=i + 1)),
                        "x": 0.5,
                        "y": 0.5,
                        "color": "yellow",
                        "created_at": now + i,
                        "order": now + i,
                        "author": "Dr. Maximiliane Schneider",
                        "group": "administration",
                    }
                )
        await m.flush()
        await ok(m, "timer.start", target="A", seconds=600)
        await ok(m, "projector.push", show="field", field="A1")

    with_moderator(shared_server, board, push)
    page = projector(make_context, board.links["projector"], 1024, 768)
    expect(page.locator(".projector-stage.pushed .stage-note")).to_have_count(24)
    expect(page.locator(".stage-footer .timer-time")).to_be_visible()
    expect(page.locator(".stage-note-who:visible")).to_have_count(24)
    inside_viewport(page, ".stage-note:last-child")
    inside_viewport(page, ".stage-footer .join-code")
    assert rendered(page, ".stage-note-text")["min"] >= 18
    shot(page, artifacts, "projector-push-24-notes-1024x768.png")


# the diagram's scale names that a note on the stage lies over
TICKS_UNDER_NOTES = """() => {
  const notes = [...document.querySelectorAll('.stage-diagram .stage-note')]
    .map(e => e.getBoundingClientRect())
  return [...document.querySelectorAll('.stage-diagram .tick')].filter(t => {
    const r = t.getBoundingClientRect()
    return notes.some(n => Math.min(r.right, n.right) - Math.max(r.left, n.left) > 1
      && Math.min(r.bottom, n.bottom) - Math.max(r.top, n.top) > 1)
  }).map(t => t.textContent) }"""


def test_the_first_note_in_the_diagram_leaves_the_axis_names_readable_on_the_projector(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """A3's first note takes the top left spot, where the stage wrote the top of the
    vertical axis ("Selbstorganisiert ..."): the note hid it. Notes dragged to the left
    edge hid the middle and bottom names too. They now stand in a band beside the axis."""
    board = shared_server.create_board(title="Beamer mit erster Initiative")
    # at the left edge, level with the middle and the bottom ticks
    seed(
        shared_server,
        board,
        {"A3": 2},
        lambda f, i: f"Initiative {i}",
        lambda f, i: (0.0, 0.5 + i / 2),
    )
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    add_note(mod, "A3", "Repair Café Nord")
    mod.keyboard.press("Escape")
    beamers = [(w, h, projector(make_context, board.links["projector"], w, h)) for w, h, _ in SIZES]
    open_section(mod, "fields").locator("[data-focus='A3']").click()
    for w, h, page in beamers:
        expect(page.locator(".stage-diagram .stage-note")).to_have_count(3, timeout=PUSH_MS)
        expect(page.locator(".stage-diagram .tick")).to_have_count(5)
        shot(page, artifacts, f"projector-{w}x{h}-A3-first-note.png")
        assert page.evaluate(TICKS_UNDER_NOTES) == [], (w, h)
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.stage-diagram .tick')].filter(t => {
              const r = t.getBoundingClientRect()
              return r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight
            }).map(t => t.textContent)"""
        )
        assert outside == [], (w, h, outside)
