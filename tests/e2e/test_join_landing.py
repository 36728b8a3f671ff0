"""Joining by code from the landing page and the projector's address, "Meine Boards" on
the moderator's device, and due dates the board refuses (PROTOCOL.md P240-P242)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.live import Board, LiveServer

from .support import add_note, join, notes_json, server_board

pytestmark = pytest.mark.e2e

JOIN_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def projector_code(page: Page, board: Board) -> str:
    """Open the projector link; the join code it shows."""
    page.goto(board.links["projector"])
    code = page.locator(".projector-band .join-code")
    expect(code).to_have_text(JOIN_CODE)
    return code.inner_text()


def answer_join_dialog(page: Page, name: str) -> None:
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=name]").fill(name)
    dialog.locator("input[name=group][value='administration']").check()
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".conn")).to_have_attribute("data-state", "synced")


def join_from_landing(page: Page, server: LiveServer, typed: str) -> None:
    page.goto(f"{server.http}/")
    field = page.get_by_label("Code vom Beamer oder Link zum Board")
    field.fill(typed)
    field.press("Enter")


def test_landing_code_field_takes_codes_and_links_in_any_form(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Beitreten")
    code = projector_code(make_context().new_page(), board)
    bare = code.replace("-", "")
    link = board.links["participant"]
    typed_forms = [
        code,
        bare.lower(),
        f"{bare[:4].lower()} {bare[4:]}",
        f" {bare[:2]}-{bare[2:6]} {bare[6:]} ",
        link,
        link.removeprefix("http://"),
    ]
    for n, typed in enumerate(typed_forms):
        page = make_context().new_page()
        join_from_landing(page, shared_server, typed)
        page.wait_for_url(re.compile(rf"/b/{re.escape(board.id)}#k="))
        answer_join_dialog(page, f"Person {n}")
        assert page.evaluate("() => window.cocanvas.role()") == "participant", typed
        expect(page.locator(".role-badge")).to_have_text("Teilnehmend")

    # what is neither a code nor a link, and a code nobody has, are explained
    page = make_context().new_page()
    join_from_landing(page, shared_server, "ABCD-234")
    error = page.locator(".join-form .form-error")
    expect(error).to_contain_text("weder ein Code")
    field = page.get_by_label("Code vom Beamer oder Link zum Board")
    field.fill("ZZZZ-ZZZZ" if bare != "ZZZZZZZZ" else "YYYY-YYYY")
    field.press("Enter")
    expect(error).to_contain_text("kein Board")
    assert page.url == f"{shared_server.http}/"


def test_projector_address_opens_a_code_prompt_without_an_error(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Beamer")
    beamer = make_context(viewport={"width": 1920, "height": 1080}).new_page()
    code = projector_code(beamer, board)
    shown = beamer.locator(".projector-band .projector-url")
    expect(shown).to_have_text(f"{shared_server.http}/join")
    address = shown.inner_text()
    assert address.startswith("http://")

    phone = make_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    phone.goto(address)
    expect(phone.get_by_role("heading", name="Mit Code beitreten")).to_be_visible()
    field = phone.get_by_label("Code vom Beamer oder Link zum Board")
    expect(field).to_be_focused()
    expect(phone.locator("[role=alert]:not(:empty)")).to_have_count(0)
    assert "ungültig" not in phone.locator("main").inner_text()
    field.fill(code.lower().replace("-", " "))
    field.press("Enter")
    phone.wait_for_url(re.compile(rf"/b/{re.escape(board.id)}#k="))
    answer_join_dialog(phone, "Cem")
    assert phone.evaluate("() => window.cocanvas.role()") == "participant"

    # the board address without its key asks for the code, also without an error
    page = make_context().new_page()
    page.goto(f"{shared_server.http}/b/{board.id}")
    expect(page.get_by_role("heading", name="Mit Code beitreten")).to_be_visible()
    expect(page.locator("[role=alert]:not(:empty)")).to_have_count(0)
    page.get_by_label("Zugangscode (vom Beamer)").fill(
        "zzzz zzzz" if code != "ZZZZ-ZZZZ" else "yyyyyyyy"
    )
    page.get_by_role("button", name="Beitreten").click()
    expect(page.locator("[role=alert]")).to_contain_text("passt nicht")
    page.get_by_label("Zugangscode (vom Beamer)").fill(code.lower())
    page.get_by_role("button", name="Beitreten").click()
    answer_join_dialog(page, "Dana")
    assert page.evaluate("() => window.cocanvas.role()") == "participant"


def test_projector_shows_the_public_url(
    start_server: Callable[..., LiveServer], make_context: Callable[..., BrowserContext]
) -> None:
    server = start_server(COCANVAS_PUBLIC_URL="https://cocanvas.example.org")
    board = server.create_board(title="Öffentlich")
    # the links name the public host; this test reaches the server on loopback
    public_link = board.links["projector"]
    assert public_link.startswith("https://cocanvas.example.org/b/")
    board.links["projector"] = server.http + public_link.removeprefix(
        "https://cocanvas.example.org"
    )
    beamer = make_context().new_page()
    projector_code(beamer, board)
    expect(beamer.locator(".projector-band .projector-url")).to_have_text(
        "https://cocanvas.example.org/join"
    )


def create_on_landing(page: Page, server: LiveServer, title: str) -> None:
    page.goto(f"{server.http}/")
    page.get_by_label("Titel des Workshops").fill(title)
    page.get_by_role("button", name="Board anlegen").click()
    expect(page.locator("#result-h")).to_contain_text(title)


def test_meine_boards_survive_a_reload_and_can_be_removed(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    artifacts: Path,
) -> None:
    ctx = make_context()
    page = ctx.new_page()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.url} {r.post_data or ''}"))
    create_on_landing(page, shared_server, "Ko-Kreation Musterstadt")
    create_on_landing(page, shared_server, "Zukunftswerkstatt Nord")
    page.reload()
    mine = page.locator(".my-boards")
    expect(mine.locator(".myboard-title")).to_have_text(
        ["Zukunftswerkstatt Nord", "Ko-Kreation Musterstadt"]
    )
    expect(mine.locator(".myboard-date").first).to_contain_text("angelegt am")
    # the list never leaves the device
    assert not any("my-boards" in s or "myboards" in s for s in sent), sent

    for size, name in (((1440, 900), "laptop-1440x900"), ((390, 844), "phone-390x844")):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.evaluate("() => document.activeElement?.blur()")
        path = artifacts / f"landing-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    page.set_viewport_size({"width": 1440, "height": 900})

    # each entry opens its board as moderator, with all four links at hand
    entry = mine.locator(".myboard", has_text="Ko-Kreation Musterstadt")
    entry.locator("summary").click()
    expect(entry.locator(".link-input")).to_have_count(4)
    entry.get_by_role("link", name=re.compile("als Moderation öffnen")).click()
    answer_join_dialog(page, "Mo")
    assert page.evaluate("() => window.cocanvas.role()") == "moderator"

    page.goto(f"{shared_server.http}/")
    mine = page.locator(".my-boards")
    mine.get_by_role(
        "button", name="Board „Ko-Kreation Musterstadt“ aus der Liste entfernen"
    ).click()
    expect(mine.locator(".myboard-title")).to_have_text(["Zukunftswerkstatt Nord"])
    expect(page.locator("#myboards-status")).to_contain_text("Das Board selbst bleibt bestehen")
    page.reload()
    expect(page.locator(".my-boards .myboard-title")).to_have_text(["Zukunftswerkstatt Nord"])
    # another device (browser context) knows nothing of them
    other = make_context().new_page()
    other.goto(f"{shared_server.http}/")
    expect(other.locator(".my-boards .myboard")).to_have_count(0)
    expect(other.locator(".myboards-empty")).to_be_visible()
    # ... until its moderator opens a moderator link there; a participant link adds nothing
    mailed = shared_server.create_board(title="Per E-Mail")
    other.goto(mailed.links["participant"])
    answer_join_dialog(other, "Pia")
    other.goto(f"{shared_server.http}/")
    expect(other.locator(".myboards-empty")).to_be_visible()
    other.goto(mailed.links["moderator"])  # the name given before is remembered here
    other.wait_for_function("() => window.cocanvas?.role() === 'moderator'")
    # the socket may tell the role before the board's REST answer, which saves the board
    other.wait_for_function(
        "() => (localStorage.getItem('cocanvas:my-boards') || '').includes('Per E-Mail')"
    )
    other.goto(f"{shared_server.http}/")
    expect(other.locator(".my-boards .myboard-title")).to_have_text(["Per E-Mail"])


def test_a_bad_due_date_is_refused_by_the_page_and_by_the_server(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext]
) -> None:
    board = shared_server.create_board(title="Nächste Schritte")
    ada = make_context().new_page()
    join(ada, board.links["participant"], "Ada", "administration")
    note_id = add_note(ada, "C3", "Antrag stellen")
    due = ada.locator(f"[data-note='{note_id}'] input[type=date]")
    expect(due).to_have_attribute("min", "2000-01-01")
    expect(due).to_have_attribute("max", "2100-12-31")

    # the year 92026, as a date input lets people type it: not stored, explained, put back
    due.evaluate(
        """el => { el.focus(); el.value = '92026-05-12';
                   el.dispatchEvent(new Event('change', { bubbles: true })); el.blur() }"""
    )
    expect(ada.locator(".toast-error", has_text="Dieses Datum geht nicht")).to_be_visible()
    expect(due).to_have_value("")
    assert notes_json(ada)[note_id]["due"] == ""

    due.fill("2026-05-12")
    due.blur()
    ada.wait_for_function("id => window.cocanvas.notes()[id]?.due === '2026-05-12'", arg=note_id)

    # a client that skips the page's check is refused by the server and undone
    ada.evaluate(
        """id => { const b = window.cocanvas.board
                   b.doc.transact(() => b.note(id).set('due', '92026-05-12')) }""",
        note_id,
    )
    expect(ada.locator(".toast-error", has_text="nicht angenommen")).to_be_visible()
    ada.wait_for_function("id => window.cocanvas.notes()[id]?.due === '2026-05-12'", arg=note_id)
    assert server_board(shared_server, board)["notes"][note_id]["due"] == "2026-05-12"
