"""A moderator and two participants run a mini workshop: timebox with lock, private
writing with reveal, a dot vote, the decision log, and the projector view."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.live import LiveServer

from .support import add_note, join, note, note_text, notes_json

pytestmark = pytest.mark.e2e

JOIN_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def panel(page: Page) -> Locator:
    return page.locator("#modpanel")


def open_section(page: Page, name: str) -> Locator:
    """Open one <details> section of the moderator panel."""
    section = panel(page).locator(f"#mod-{name}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(section).to_have_attribute("open", "")
    return section


def add_private_note(page: Page, field: str, text: str) -> str:
    """Add a note in a field in private writing mode; wait until the server has its text."""
    page.locator(f"[data-add='{field}']").click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('[data-private-note]')"
    )
    note_id = page.evaluate(
        "() => document.activeElement.closest('[data-private-note]').dataset.privateNote"
    )
    assert isinstance(note_id, str)
    page.keyboard.type(text)
    page.keyboard.press("Escape")  # leaving the text sends it at once
    page.wait_for_function(
        """([id, text]) => window.cocanvas.privatePending() === 0 &&
            window.cocanvas.privateNotes().some(n => n.id === id && n.text === text)""",
        arg=[note_id, text],
    )
    return note_id


def test_mini_workshop(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], artifacts: Path
) -> None:
    board = shared_server.create_board(title="Mini-Workshop")
    mod = make_context().new_page()
    ada = make_context().new_page()
    ben = make_context().new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    join(ada, board.links["participant"], "Ada", "administration")
    join(ben, board.links["participant"], "Ben", "civil-society")
    everyone = [mod, ada, ben]

    # only the moderator has the control panel; the others never see moderator controls
    expect(panel(mod)).to_be_visible()
    for page in (ada, ben):
        expect(page.locator("#modpanel")).to_have_count(0)
        expect(page.locator("[data-timer], [data-lock], [data-vote-open]")).to_have_count(0)

    # a timebox on part A that locks its fields when the time is up
    time = open_section(mod, "time")
    time.locator("select[name=timer-target]").select_option("A")
    time.locator("input[name=timer-duration]").fill("0:04")
    time.locator("input[name=timer-lock]").check()
    time.locator("[data-timer=start]").click()
    for page in everyone:
        bar = page.locator(".timerbar").first
        expect(bar).to_have_attribute("data-state", "running")
        expect(bar.locator(".timer-part")).to_have_text("Teil A: Bestand & Ziele")
        expect(bar.locator(".timer-time")).to_have_text(re.compile(r"^0:0[0-4]$"))
    # participants write while the time runs
    a1 = add_note(ada, "A1", "Gemeinsam entscheiden")
    a2 = add_note(ben, "A2", "Leitlinien Beteiligung")
    for page in everyone:
        expect(note_text(page, a1)).to_have_value("Gemeinsam entscheiden")
        expect(note_text(page, a2)).to_have_value("Leitlinien Beteiligung")

    # time is up: everyone sees it, part A is locked
    for page in everyone:
        bar = page.locator(".timerbar").first
        expect(bar).to_have_attribute("data-state", "done", timeout=10_000)
        expect(bar.locator(".timer-state")).to_have_text("Zeit ist um")
        for field in ("A1", "A2", "A3", "A4"):
            expect(page.locator(f"#field-{field} .field-lock")).to_be_visible()
    # a participant's attempt to add a note in A is refused with a visible message
    # (the "+ Note" button is marked aria-disabled, so it is pressed with the keyboard)
    before = len(notes_json(ada))
    add = ada.locator("[data-add='A3']")
    expect(add).to_have_attribute("aria-disabled", "true")
    add.focus()
    add.press("Enter")
    refusal = ada.locator(".toast-error").last
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("A3 Lokale Initiativen ist gerade von der Moderation gesperrt")
    ada.locator(".toast-error .btn-ghost").last.click()
    ada.locator("[data-area='A4']").dblclick(position={"x": 40, "y": 40})
    expect(ada.locator(".toast-error").last).to_contain_text("A4 Zukunftsperspektive ist gerade")
    expect(ada.locator("#field-A3 [data-note], #field-A4 [data-note]")).to_have_count(0)
    assert len(notes_json(ada)) == before
    # ... and so is editing a note there
    expect(note_text(ada, a1)).not_to_be_editable()
    # the moderator may still edit in a locked field
    expect(note_text(mod, a1)).to_be_editable()
    shot(mod, artifacts, "workshop-moderator-locked-1440x900.png")

    # private writing in B1: each participant sees only their own notes until the reveal
    fields = open_section(mod, "fields")
    fields.locator("[data-private='B1']").click()
    for page in (ada, ben):
        expect(page.locator("#field-B1 .field-private")).to_be_visible()
    secret_a = "Klimaanpassung im Quartier (Ada)"
    secret_b = "Mobilität für alle (Ben)"
    pa = add_private_note(ada, "B1", secret_a)
    pb = add_private_note(ben, "B1", secret_b)
    expect(ada.locator(f"[data-private-note='{pa}']")).to_contain_text("Nur Sie sehen das")
    expect(ada.locator(f"[data-private-note='{pa}'] textarea")).to_have_value(secret_a)
    for other, hidden_id, hidden_text in (
        (ben, pa, secret_a),
        (ada, pb, secret_b),
        (mod, pa, secret_a),
    ):
        expect(other.locator(f"[data-private-note='{hidden_id}']")).to_have_count(0)
        expect(other.locator(f"[data-note='{hidden_id}']")).to_have_count(0)
        assert hidden_text not in other.content()
        assert hidden_id not in notes_json(other)
    assert secret_b not in mod.content()
    shot(ada, artifacts, "workshop-private-1440x900.png")
    fields.locator("[data-reveal='B1']").click()
    for page in everyone:
        expect(note_text(page, pa)).to_have_value(secret_a)
        expect(note_text(page, pb)).to_have_value(secret_b)
        expect(page.locator("[data-private-note]")).to_have_count(0)
        expect(page.locator("#field-B1 .field-private")).to_be_hidden()
    expect(note(ben, pa).locator(".note-who")).to_have_text("Ada · Verwaltung")

    # a dot vote in B2: own dots while open, results by group after the close
    m1 = add_note(ada, "B2", "Hitzevorsorge mit Civic Tech")
    m2 = add_note(ben, "B2", "Offene Daten für alle")
    for page in everyone:
        expect(note_text(page, m2)).to_have_value("Offene Daten für alle")
    vote = open_section(mod, "vote")
    vote.locator("input[name=vote-field][value=B2]").check()
    vote.locator("input[name=vote-dots]").fill("2")
    vote.locator("[data-vote-open]").click()
    banner = ada.locator(".vote-banner")
    expect(banner).to_contain_text("noch 2 von 2 Punkten")
    cast = note(ada, m1).locator("[data-vote=cast]")
    cast.click()
    expect(banner).to_contain_text("noch 1 von 2 Punkten")
    cast.click()
    expect(banner).to_contain_text("noch 0 von 2 Punkten")
    expect(note(ada, m1).locator(".note-votes")).to_have_attribute("data-mine", "2")
    # the dots never cover who wrote the note
    dots = note(ada, m1).locator(".note-votes").bounding_box()
    who = note(ada, m1).locator(".note-who").bounding_box()
    assert dots and who and dots["y"] + dots["height"] <= who["y"] + 1, (dots, who)
    expect(cast).to_have_attribute("aria-disabled", "true")
    cast.press("Enter")  # no dots left: explained, nothing sent
    expect(ada.locator(".toast-error").last).to_contain_text("keine Punkte mehr")
    note(ada, m1).locator("[data-vote=retract]").click()
    expect(banner).to_contain_text("noch 1 von 2 Punkten")
    note(ada, m2).locator("[data-vote=cast]").click()
    expect(banner).to_contain_text("noch 0 von 2 Punkten")
    note(ben, m1).locator("[data-vote=cast]").click()
    note(ben, m1).locator("[data-vote=cast]").click()
    expect(ben.locator(".vote-banner")).to_contain_text("noch 0 von 2 Punkten")
    # counts stay hidden while the vote is open
    for page in everyone:
        expect(page.locator(".vote-result:visible")).to_have_count(0)
    vote.locator("[data-vote-close]").click()
    for page in everyone:
        expect(note(page, m1).locator(".vote-result")).to_have_text("3 ●")
        expect(note(page, m2).locator(".vote-result")).to_have_text("1 ●")
    # the results list, sortable, split by group (never by person)
    ada.locator(".vote-banner button").click()
    results = ada.locator("#results")
    expect(results).to_be_visible()
    rows = results.locator("tbody tr")
    expect(rows.first).to_have_attribute("data-result", m1)
    expect(rows.first).to_contain_text("Verwaltung 1")
    expect(rows.first).to_contain_text("Vereine & Verbände 2")
    results.locator("[data-sort=total]").click()  # ascending now
    expect(rows.first).to_have_attribute("data-result", m2)
    expect(vote.locator(f"tbody tr[data-result='{m1}'] .results-total")).to_have_text("3")
    shot(ada, artifacts, "workshop-vote-results-1440x900.png")

    # participation balance: notes per group and field, and who is here
    balance = open_section(mod, "balance")

    def cell(group: str, column: int) -> Locator:
        # columns: here now, seen so far, then A1 … C3 (B1 is the 7th, B2 the 8th)
        return balance.locator(f"tr[data-balance-group='{group}'] td").nth(column)

    expect(cell("administration", 0)).to_have_text("2")
    expect(cell("administration", 6)).to_have_text("1")
    expect(cell("politics", 6)).to_have_text("0")
    expect(cell("administration", 7)).to_have_text("1 · 2 ●")
    expect(cell("civil-society", 7)).to_have_text("1 · 2 ●")
    expect(cell("youth", 0)).to_have_class("missing")
    expect(balance.locator(".balance-missing")).to_contain_text("Jugend")

    # the decision log: every moderator action, visible to everyone, in their language
    ben.locator(".toolbar button[aria-controls=log]").click()
    log = ben.locator("#log")
    expect(log).to_contain_text("Timer für A: Bestand & Ziele gestartet")
    expect(log).to_contain_text("Gesperrt, weil die Zeit um ist: A1, A2, A3, A4")
    expect(log).to_contain_text("2 private Notizen in B1 Handlungsfelder aufgedeckt")
    expect(log).to_contain_text("Abstimmung beendet (2 Personen)")
    expect(log).to_contain_text("Mo (Moderation)")

    # the projector (projector link): large timer, current part, QR code and join code
    time.locator("select[name=timer-target]").select_option("B")
    time.locator("input[name=timer-duration]").fill("10")
    time.locator("[data-timer=start]").click()
    beamer = make_context(viewport={"width": 1920, "height": 1080}).new_page()
    beamer.goto(board.links["projector"])
    band = beamer.locator(".projector-band")
    expect(band).to_be_visible()
    expect(band.locator(".projector-part")).to_have_text("Teil B: Gestaltung der Ko-Kreation")
    expect(band.locator(".timer-time")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(band.locator("svg.qr")).to_be_visible()
    expect(band.locator(".join-code")).to_have_text(JOIN_CODE)
    code = band.locator(".join-code").inner_text()
    assert JOIN_CODE.match(code), code
    expect(band.locator("svg.qr")).to_have_attribute("aria-label", re.compile(code))
    expect(beamer.locator("[data-add]:visible, #modpanel")).to_have_count(0)
    shot(beamer, artifacts, "workshop-projector-1920x1080.png")
    # the code the QR carries lets a phone in as a participant
    phone = make_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    join(phone, f"{shared_server.http}/b/{board.id}#k={code.replace('-', '')}", "Cem", "youth")
    expect(phone.locator(".role-badge")).to_have_text("Teilnehmend")


def test_moderator_timer_controls_and_focus(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Zeit und Fokus")
    mod = make_context().new_page()
    # Ada's laptop clock runs seven minutes fast: she still sees the same countdown
    skewed = make_context()
    skewed.add_init_script("{ const now = Date.now; Date.now = () => now() + 7 * 60 * 1000 }")
    ada = skewed.new_page()
    join(mod, board.links["moderator"], "Mo")
    join(ada, board.links["participant"], "Ada", "youth")
    time = open_section(mod, "time")
    # an agenda item started with its planned time, then paused, extended, resumed, stopped
    time.locator("[data-agenda-start='part-b']").click()
    bar = ada.locator(".timerbar")
    expect(bar.locator(".timer-part")).to_have_text("Teil B: Gestaltung der Ko-Kreation")
    expect(bar.locator(".timer-time")).to_have_text(re.compile(r"^(1:10:00|1:09:5\d)$"))
    offset = ada.evaluate("() => window.cocanvas.clockOffset()")
    assert abs(offset + 7 * 60 * 1000) < 1000, offset
    running = re.compile(r"^\d+:\d\d(:\d\d)?$")
    for p in (mod, ada):  # both bars must show a countdown before they are compared
        expect(p.locator(".timerbar .timer-time")).to_have_text(running)
    shown = [seconds(p.locator(".timerbar .timer-time").inner_text()) for p in (mod, ada)]
    assert abs(shown[0] - shown[1]) <= 1, shown
    time.locator("[data-timer=pause]").click()
    expect(bar).to_have_attribute("data-state", "paused")
    expect(bar.locator(".timer-state")).to_have_text("pausiert")
    time.locator("[data-timer=plus5]").click()
    expect(bar.locator(".timer-time")).to_have_text(re.compile(r"^1:1[45]:\d\d$"))
    time.locator("[data-timer=resume]").click()
    expect(bar).to_have_attribute("data-state", "running")
    expect(time.locator("tr[data-agenda='part-b'] .agenda-status")).to_have_text("läuft")
    time.locator("[data-timer=stop]").click()
    expect(bar).to_have_attribute("data-state", "idle")
    expect(time.locator("tr[data-agenda='part-b'] .agenda-status")).to_have_text("erledigt")
    expect(time.locator("tr[data-agenda='part-b'] .agenda-actual")).to_have_text(
        re.compile(r"^0:0\d$")
    )
    # the planned minutes are editable
    time.locator("[data-agenda-minutes='part-c']").fill("50")
    time.locator("[data-agenda-minutes='part-c']").press("Tab")
    time.get_by_role("button", name="Ablauf speichern").click()
    expect(time.locator(".hint").filter(has_text="Geplant insgesamt")).to_be_visible()
    mod.wait_for_function(
        """() => (window.cocanvas.doc.getMap('control').get('agenda') || [])
            .some(i => i.id === 'part-c' && i.minutes === 50)"""
    )
    # a bad duration is explained, not sent
    time.locator("input[name=timer-duration]").fill("viel")
    time.locator("[data-timer=start]").click()
    expect(time.locator(".form-error")).to_contain_text("Dauer")

    # bring everyone to C1; the participant can step back out
    fields = open_section(mod, "fields")
    before = ada.evaluate("() => document.querySelector('.board').style.transform")
    fields.locator("[data-focus='C1']").click()
    expect(ada.locator("#field-C1")).to_have_class(re.compile(r"\bfocused\b"))
    toast = ada.locator(".toast").filter(has_text="holt alle zu C1")
    expect(toast).to_be_visible()
    ada.wait_for_function(
        """() => { const f = document.querySelector('#field-C1').getBoundingClientRect();
                   const v = document.querySelector('.viewport').getBoundingClientRect();
                   return f.left >= v.left - 2 && f.right <= v.right + 2 &&
                          f.width > v.width * 0.5 }"""
    )
    toast.get_by_role("button", name="Zurück").click()
    ada.wait_for_function(
        "(t) => document.querySelector('.board').style.transform === t", arg=before
    )

    # projector mode on the moderator's own screen: read-only, timer and join code, and back
    open_section(mod, "settings").locator("[data-projector=on]").click()
    expect(mod.locator("#modpanel")).to_have_count(0)
    expect(mod.locator(".projector-band .join-code")).to_have_text(JOIN_CODE)
    expect(mod.locator("[data-add='A1']")).to_be_hidden()
    mod.locator("[data-projector=off]").click()
    expect(panel(mod)).to_be_visible()
    expect(mod.locator("[data-add='A1']")).to_be_visible()


def test_link_rotation_and_join_code_page(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Neuer Link")
    mod = make_context().new_page()
    ada = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    join(ada, board.links["participant"], "Ada")
    beamer = make_context().new_page()
    beamer.goto(board.links["projector"])
    settings = open_section(mod, "settings")
    expect(settings.locator(".join-code")).to_have_text(JOIN_CODE)
    old_code = settings.locator(".join-code").inner_text()
    assert JOIN_CODE.match(old_code), old_code
    expect(beamer.locator(".projector-band .join-code")).to_have_text(old_code)
    mod.once("dialog", lambda d: d.accept())
    settings.locator("select[name=rotate-role]").select_option("participant")
    settings.locator("[data-rotate]").click()
    # the old link's holder is told why and stops
    expect(ada.locator(".fatal")).to_contain_text("ersetzt")
    new_link = settings.locator(".mod-rotated input").input_value()
    assert new_link.startswith(f"{shared_server.http}/b/{board.id}#k=")
    expect(settings.locator(".join-code")).not_to_have_text(old_code)
    new_code = settings.locator(".join-code").inner_text()
    assert JOIN_CODE.match(new_code) and new_code != old_code
    # the projector shows the new code without a reload
    expect(beamer.locator(".projector-band .join-code")).to_have_text(new_code)
    # the board address without a key asks for the join code
    guest = make_context().new_page()
    guest.goto(f"{shared_server.http}/b/{board.id}")
    guest.locator("input[name=join-code]").fill(new_code.lower())
    guest.get_by_role("button", name="Beitreten").click()
    expect(guest.locator("dialog[open]")).to_be_visible()


def test_p142_projector_window_from_the_moderator_panel_shows_the_code_a_viewer_does_not(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Beamer")
    mod_context = make_context()
    mod = mod_context.new_page()
    join(mod, board.links["moderator"], "Mo")
    settings = open_section(mod, "settings")
    expect(settings.locator(".join-code")).to_have_text(JOIN_CODE)
    code = settings.locator(".join-code").inner_text()
    with mod_context.expect_page() as opened:
        settings.locator("[data-projector=open]").click()
    beamer = opened.value
    expect(beamer.locator(".role-badge")).to_have_text("Beamer")
    band = beamer.locator(".projector-band")
    expect(band.locator(".join-code")).to_have_text(code)
    expect(band.locator("svg.qr")).to_have_attribute("aria-label", re.compile(code))
    expect(beamer.locator("[data-add]:visible, #modpanel")).to_have_count(0)
    assert "#k=" in beamer.url and board.tokens["moderator"] not in beamer.url
    link = settings.locator(".mod-projector input").input_value()
    assert link == beamer.url
    # a second click reuses the link this device made: the open window stays connected
    with mod_context.expect_page() as again:
        settings.locator("[data-projector=open]").click()
    expect(again.value).to_have_url(link)
    expect(beamer.locator(".conn")).to_have_attribute("data-state", "synced")
    # a viewer link watches the same board without the code
    viewer = make_context().new_page()
    viewer.goto(board.links["viewer"])
    expect(viewer.locator(".conn")).to_have_attribute("data-state", "synced")
    expect(viewer.locator(".projector-band")).to_be_visible()
    expect(viewer.locator(".projector-part")).not_to_be_empty()
    expect(viewer.locator(".join-code, .projector-qr")).to_have_count(0)
    assert code.replace("-", "") not in viewer.content()
    # a new code reaches the projector at once and never the viewer
    mod.once("dialog", lambda d: d.accept())
    settings.locator("[data-join-rotate]").click()
    expect(settings.locator(".join-code")).not_to_have_text(code)
    new_code = settings.locator(".join-code").inner_text()
    expect(band.locator(".join-code")).to_have_text(new_code)
    expect(viewer.locator(".join-code, .projector-qr")).to_have_count(0)


def seconds(clock: str) -> int:
    """Seconds of a countdown text such as 1:09:58 or 4:05."""
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name))
