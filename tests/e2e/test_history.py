"""The follow-up in the browser: snapshots, the history panel, the read-only snapshot view,
compare, restore in place (and undo), exports from the menu, and importing an archive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.support.live import LiveServer

from .support import add_note, expect_synced, join, note_text, notes_json
from .test_a11y import assert_no_serious_violations

pytestmark = pytest.mark.e2e

OLD = "Gemeinsam gestalten"
LABEL = "Ende Teil A"


def dialog(page: Page, name: str) -> Locator:
    return page.locator(f"dialog[open][data-dialog='{name}']")


def open_history(page: Page) -> Locator:
    page.locator("[data-open=history]").click()
    history = dialog(page, "history")
    expect(history).to_be_visible()
    expect(history).not_to_have_attribute("aria-busy", "true")
    return history


def snapshot_item(history: Locator, label: str) -> Locator:
    return history.locator("li.snapshot", has_text=label)


def canvas_notes(page: Page) -> Locator:
    return page.locator("#canvas [data-note]")


def download(page: Page, fmt: str, into: Path) -> Path:
    """Click one format in the open export menu; the file as saved by the browser."""
    menu = dialog(page, "export")
    with page.expect_download() as info:
        menu.locator(f"[data-export='{fmt}']").click()
    dl = info.value
    assert dl.failure() is None
    path = into / dl.suggested_filename
    dl.save_as(path)
    expect(menu.locator(".modal-status")).to_contain_text(dl.suggested_filename)
    return path


def test_snapshot_compare_restore_undo_and_export(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    tmp_path: Path,
    artifacts: Path,
) -> None:
    board = shared_server.create_board(title="Verlauf")
    # no bypass_csp here: the downloads must work under the page's strict CSP
    mod = make_context().new_page()
    ada = make_context().new_page()
    join(mod, board.links["moderator"], "Mo", "administration")
    join(ada, board.links["participant"], "Ada", "civil-society")
    a1 = add_note(mod, "A1", OLD)
    expect(note_text(ada, a1)).to_have_value(OLD)

    # the moderator saves a snapshot with a label
    history = open_history(mod)
    expect(history.locator(".snapshot-list li")).to_have_count(0)
    history.locator("input[name=snapshot-label]").fill(LABEL)
    history.locator("[data-history=save]").click()
    item = snapshot_item(history, LABEL)
    expect(item).to_be_visible()
    expect(item).to_contain_text("1 Notiz")
    expect(history.locator(".modal-status")).to_contain_text(f"„{LABEL}“ gespeichert")
    mod.keyboard.press("Escape")
    expect(history).to_have_count(0)

    # then the board changes: the moderator edits and adds, the participant adds
    note_text(mod, a1).click()
    mod.keyboard.press("End")
    mod.keyboard.type(" – geändert")
    new = f"{OLD} – geändert"
    b1 = add_note(mod, "B1", "Mobilität")
    a2 = add_note(ada, "A2", "Leitlinien Beteiligung")
    for page in (mod, ada):
        expect(note_text(page, a1)).to_have_value(new)
        expect(note_text(page, b1)).to_have_value("Mobilität")
        expect(note_text(page, a2)).to_have_value("Leitlinien Beteiligung")
    after = notes_json(mod)

    # the snapshot shows the board as it was, read-only
    history = open_history(mod)
    snapshot_item(history, LABEL).locator("[data-snap-action=open]").click()
    view = dialog(mod, "snapshot")
    expect(view).to_be_visible()
    expect(view.locator(".modal-head h2")).to_contain_text(LABEL)
    expect(view).not_to_have_attribute("aria-busy", "true")
    old_text = view.locator(f"[data-note='{a1}'] textarea")
    expect(old_text).to_have_value(OLD)
    expect(old_text).not_to_be_editable()
    expect(view.locator("[data-note]")).to_have_count(1)
    expect(view.locator("[data-add='A1']")).to_be_hidden()
    mod.screenshot(path=str(artifacts / "history-snapshot-1440x900.png"))

    # compare it with now: the added notes and the changed text
    view.locator("[data-snap=compare]").click()
    compare = dialog(mod, "compare")
    expect(compare.locator(".modal-status")).to_have_text(
        "2 hinzugekommen, 0 entfernt, 1 geändert."
    )
    added = compare.locator("[data-diff=added]")
    expect(added).to_have_count(2)
    expect(compare.locator(f"[data-diff-note='{b1}']")).to_contain_text("Mobilität")
    expect(compare.locator(f"[data-diff-note='{a2}']")).to_contain_text("Leitlinien Beteiligung")
    changed = compare.locator(f"[data-diff=changed][data-diff-note='{a1}']")
    expect(changed).to_have_attribute("data-keys", "text")
    expect(changed.locator("dt")).to_have_text("Text")
    expect(changed.locator("del")).to_have_text(OLD)
    expect(changed.locator("ins")).to_have_text(new)
    mod.screenshot(path=str(artifacts / "history-compare-1440x900.png"))
    mod.keyboard.press("Escape")
    expect(compare).to_have_count(0)
    expect(view).to_be_visible()

    # restore in place after a confirmation that says it can be undone
    view.locator("[data-snap=restore]").click()
    confirm = mod.locator("dialog[open].modal-confirm")
    expect(confirm).to_contain_text("rückgängig")
    confirm.locator("[data-confirm=yes]").click()
    expect(mod.locator("dialog[open]")).to_have_count(0)
    undo = mod.locator("[data-notice=undo]")
    expect(undo).to_be_focused()
    mod.screenshot(path=str(artifacts / "history-restored-1440x900.png"))
    for page in (mod, ada):
        expect(note_text(page, a1)).to_have_value(OLD)
        expect(canvas_notes(page)).to_have_count(1)
    assert set(notes_json(ada)) == {a1}
    expect(ada.locator(".toast").last).to_contain_text("früheren Stand")

    # ... and undo it: everyone is back where they were
    undo.click()
    expect(mod.locator(".notice-text")).to_contain_text("rückgängig gemacht")
    for page in (mod, ada):
        expect(note_text(page, a1)).to_have_value(new)
        expect(note_text(page, a2)).to_have_value("Leitlinien Beteiligung")
        expect(canvas_notes(page)).to_have_count(3)
    assert set(notes_json(ada)) == set(after)
    history = open_history(mod)
    expect(history.locator("li.snapshot[data-kind=before-restore]")).to_have_count(2)
    mod.screenshot(path=str(artifacts / "history-panel-1440x900.png"))

    # restore as a copy: a new board with its own links, this one unchanged
    snapshot_item(history, LABEL).locator("[data-snap-action=copy]").click()
    copy = dialog(mod, "copy")
    copy.locator("input[name=title]").fill("Verlauf – Stand A")
    copy.locator("[data-copy-submit]").click()
    expect(copy.locator(".copy-result h3")).to_contain_text("Verlauf – Stand A")
    copied = copy.locator("input[data-role=viewer]").input_value()
    assert "/b/" in copied and board.id not in copied
    mod.keyboard.press("Escape")
    expect(history).to_be_visible()
    mod.keyboard.press("Escape")
    expect(canvas_notes(mod)).to_have_count(3)

    # PDF and Markdown from the export menu
    mod.locator("[data-open=export]").click()
    pdf = download(mod, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    mod.screenshot(path=str(artifacts / "history-export-1440x900.png"))
    md = download(mod, "md", tmp_path).read_text(encoding="utf-8")
    assert new in md and "Leitlinien Beteiligung" in md


def test_viewer_history_and_export_then_import_the_archive(
    shared_server: LiveServer, make_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    board = shared_server.create_board(title="Archiv-Board")
    mod = make_context().new_page()
    join(mod, board.links["moderator"], "Mo")
    first = add_note(mod, "A1", "Repair-Café")
    mod.locator("[data-open=history]").click()
    dialog(mod, "history").locator("input[name=snapshot-label]").fill(LABEL)
    dialog(mod, "history").locator("[data-history=save]").click()
    expect(snapshot_item(dialog(mod, "history"), LABEL)).to_be_visible()
    mod.keyboard.press("Escape")
    add_note(mod, "C2", "مشاركة المواطنين")

    # axe is injected as a script tag, which the strict CSP would refuse
    viewer = make_context(bypass_csp=True).new_page()
    viewer.goto(board.links["viewer"])
    expect_synced(viewer)
    expect(canvas_notes(viewer)).to_have_count(2)

    # a viewer may look and compare, but not save or restore (by keyboard: focus stays inside)
    viewer.locator("[data-open=history]").focus()
    viewer.keyboard.press("Enter")
    history = dialog(viewer, "history")
    item = snapshot_item(history, LABEL)
    expect(item.locator("[data-snap-action=open]")).to_be_visible()
    expect(history.locator("[data-history=save]")).to_have_count(0)
    expect(history.locator("[data-snap-action=restore], [data-snap-action=copy]")).to_have_count(0)
    for key in ("Shift+Tab", "Shift+Tab", "Tab", "Tab", "Tab"):
        viewer.keyboard.press(key)
        assert viewer.evaluate("() => !!document.activeElement.closest('dialog[open]')")
    assert_no_serious_violations(viewer)
    item.locator("[data-snap-action=compare]").click()
    compare = dialog(viewer, "compare")
    expect(compare.locator("[data-diff=added]")).to_have_count(1)
    assert_no_serious_violations(viewer)
    # the added note marked on the live canvas, until the marks are removed
    compare.locator("[data-diff-mark]").click()
    expect(viewer.locator("dialog[open]")).to_have_count(0)
    expect(viewer.locator("#canvas [data-diff=added]")).to_have_count(1)
    expect(viewer.locator("[data-notice=unmark]")).to_be_focused()
    viewer.keyboard.press("Enter")
    expect(viewer.locator("#canvas [data-diff]")).to_have_count(0)
    history = open_history(viewer)
    item = snapshot_item(history, LABEL)
    item.locator("[data-snap-action=open]").click()
    view = dialog(viewer, "snapshot")
    expect(view.locator(f"[data-note='{first}'] textarea")).to_have_value("Repair-Café")
    expect(view.locator("[data-snap=restore], [data-snap=copy]")).to_have_count(0)
    view.locator("[data-snap=close]").click()
    viewer.keyboard.press("Escape")
    expect(viewer.locator("dialog[open]")).to_have_count(0)

    # the viewer downloads the archive ...
    viewer.locator("[data-open=export]").click()
    archive = download(viewer, "cocanvas", tmp_path)
    assert archive.suffix == ".cocanvas"

    # ... and imports it on the landing page: a new board with the same notes
    viewer.goto(shared_server.http + "/")
    form = viewer.locator(".import-form")
    bad = tmp_path / "kaputt.cocanvas"
    bad.write_bytes(b"kein Archiv")
    form.locator("input[type=file]").set_input_files(bad)
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_contain_text("nicht als cocanvas-Archiv lesen")
    form.locator("input[type=file]").set_input_files(archive)
    form.locator("button[type=submit]").click()
    expect(viewer.locator("#result-h")).to_contain_text("aus dem Archiv wiederhergestellt")
    link = viewer.locator("input[data-role=viewer]").input_value()
    assert board.id not in link
    viewer.goto(link)
    expect_synced(viewer)
    expect(canvas_notes(viewer)).to_have_count(2)
    expect(viewer.locator(f"#canvas [data-note='{first}'] textarea")).to_have_value("Repair-Café")
    expect(viewer.locator("#canvas [data-field=C2] textarea")).to_have_value("مشاركة المواطنين")
    history = open_history(viewer)
    expect(snapshot_item(history, LABEL)).to_be_visible()
