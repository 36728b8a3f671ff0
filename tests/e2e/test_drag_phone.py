"""Dragging a note on a phone: near the screen's edge the diagram scrolls sideways and
the board up and down, and the note lands where the finger lets go."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.support.live import LiveServer

from .support import join, notes_json
from .test_layout import PHONE, seed


def test_a_note_dragged_to_the_phones_side_scrolls_the_diagram_along(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """A3 on a phone is wider than the screen: a finger dragging a note to its side did
    not scroll it, so the note could not reach the part off screen. Now the diagram scrolls
    while the finger stays near its side, stops when it leaves, and the note lands where
    the finger lets go."""
    board = shared_server.create_board(title="Ziehen am Rand")
    seed(shared_server, board, {"A3": 1}, lambda f, i: "Zum Ziehen", lambda f, i: (0.0, 0.5))
    phone = make_context(**PHONE).new_page()
    join(phone, board.links["participant"], "Cem", "youth")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_have_class(re.compile(r"\bcurrent\b"))
    wrap = phone.locator("#field-A3 .area-wrap")
    box = wrap.evaluate(
        "w => { const r = w.getBoundingClientRect()"
        "; return { l: r.left, r: r.right, end: w.scrollWidth - w.clientWidth } }"
    )
    assert wrap.evaluate("w => w.scrollLeft") == 0 and box["end"] > 300, box
    bar = phone.locator("[data-note=sA3000] .note-bar").bounding_box()
    assert bar is not None
    y = bar["y"] + bar["height"] / 2
    touch = phone.context.new_cdp_session(phone)

    def finger(kind: str, x: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    finger("touchStart", bar["x"] + 20)
    for x in range(int(bar["x"] + 40), int(box["r"] - 8), 30):
        finger("touchMove", x)
    finger("touchMove", box["r"] - 8)
    # held near the right side, the diagram scrolls to its end, a bounded speed
    phone.wait_for_function(
        "end => document.querySelector('#field-A3 .area-wrap').scrollLeft >= end - 1",
        arg=box["end"],
        timeout=5_000,
    )
    # back in the middle it stays put, and the note is dropped there
    middle = (box["l"] + box["r"]) / 2
    finger("touchMove", middle)
    scrolled = wrap.evaluate("w => w.scrollLeft")
    phone.wait_for_timeout(300)
    assert wrap.evaluate("w => w.scrollLeft") == scrolled
    want = phone.evaluate(
        "([x, y]) => { const r = document.querySelector('#field-A3 .note-area')"
        ".getBoundingClientRect(); return [(x - r.left) / r.width, 1 - (y - r.top) / r.height] }",
        [middle, y],
    )
    phone.screenshot(path=str(artifacts / "layout-phone-390x844-A3-drag.png"))
    finger("touchEnd", middle)
    phone.wait_for_function("() => window.cocanvas.notes().sA3000.x > 0.5")
    stored = notes_json(phone)["sA3000"]
    assert abs(stored["x"] - want[0]) < 0.01 and abs(stored["y"] - want[1]) < 0.01, (stored, want)


def test_a_note_dragged_to_the_phones_bottom_scrolls_the_board_down(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    """On a small phone the lower part of A3's diagram is below the screen: a finger
    dragging a note from its top could not reach it, as the board scrolled only sideways
    (the diagram) while a note was held. Now the board scrolls down while the finger stays
    near the screen's bottom, stops when it leaves, and the note lands where it lets go."""
    board = shared_server.create_board(title="Ziehen nach unten")
    seed(shared_server, board, {"A3": 1}, lambda f, i: "Nach unten", lambda f, i: (0.3, 1.0))
    small = {**PHONE, "viewport": {"width": 360, "height": 640}}
    phone = make_context(**small).new_page()
    # no group: at this height the join dialog's list of groups scrolls inside the dialog,
    # which scrolls too, and a click on a radio far down it can land mid-scroll
    join(phone, board.links["participant"], "Cem")
    phone.locator(".phone-nav select").select_option("A3")
    expect(phone.locator("#field-A3")).to_have_class(re.compile(r"\bcurrent\b"))
    scroller = phone.locator("#canvas")
    seen = None
    for _ in range(40):  # the phone scrolls to the chosen field, maybe smoothly
        now = scroller.evaluate("c => c.scrollTop")
        if now == seen:
            break
        seen = now
        phone.wait_for_timeout(150)
    area = phone.locator("#field-A3 .note-area")
    start = scroller.evaluate("c => c.scrollTop")
    lowest = area.evaluate("a => a.getBoundingClientRect().bottom")
    assert lowest > 640 + 100, lowest  # a good part of the diagram is below the screen
    bar = phone.locator("[data-note=sA3000] .note-bar").bounding_box()
    assert bar is not None
    x = bar["x"] + 20
    touch = phone.context.new_cdp_session(phone)

    def finger(kind: str, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    finger("touchStart", bar["y"] + bar["height"] / 2)
    for y in range(int(bar["y"] + 30), 630, 40):
        finger("touchMove", y)
    finger("touchMove", 632)
    # held near the bottom, the board scrolls until the diagram's bottom is in sight
    phone.wait_for_function(
        "() => document.querySelector('#field-A3 .note-area').getBoundingClientRect().bottom < 560",
        timeout=5_000,
    )
    # higher up it stays put: the board may still take a frame or two after the finger
    # leaves the band, so the drop point is read once it has stopped
    finger("touchMove", 400)
    scrolled = None
    for _ in range(20):
        phone.wait_for_timeout(100)
        now = scroller.evaluate("c => c.scrollTop")
        if now == scrolled:
            break
        scrolled = now
    assert scrolled is not None and scrolled > start + 100, (start, scrolled)
    phone.wait_for_timeout(300)
    assert scroller.evaluate("c => c.scrollTop") == scrolled
    # and the note is dropped low in the diagram
    bottom = area.evaluate("a => a.getBoundingClientRect().bottom")
    assert bottom < 560, bottom
    finger("touchMove", bottom - 30)
    phone.wait_for_timeout(300)
    assert scroller.evaluate("c => c.scrollTop") == scrolled
    want = phone.evaluate(
        "([x, y]) => { const r = document.querySelector('#field-A3 .note-area')"
        ".getBoundingClientRect(); return [(x - r.left) / r.width, 1 - (y - r.top) / r.height] }",
        [x, bottom - 30],
    )
    phone.screenshot(path=str(artifacts / "layout-phone-360x640-A3-drag-down.png"))
    finger("touchEnd", bottom - 30)
    phone.wait_for_function("() => window.cocanvas.notes().sA3000.y < 0.5")
    stored = notes_json(phone)["sA3000"]
    assert abs(stored["x"] - want[0]) < 0.01 and abs(stored["y"] - want[1]) < 0.01, (stored, want)
    assert stored["y"] < 0.2, stored
