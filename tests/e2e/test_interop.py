"""A stock Node yjs + y-websocket client and the browser edit the same board."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from playwright.sync_api import BrowserContext, expect

from tests.interop.driver import NodeModulesMissingError, NodeYjs, check_node_modules
from tests.support.live import LiveServer

from .support import add_note, join, note, note_text

pytestmark = pytest.mark.e2e


@pytest.fixture
def node_portal() -> Iterator[tuple[BlockingPortal, NodeYjs]]:
    """The Node client process, driven from this (sync) test through an anyio portal."""
    try:
        check_node_modules()
    except NodeModulesMissingError as exc:
        pytest.fail(str(exc), pytrace=False)
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(NodeYjs.start()) as node:
            yield portal, node


def test_stock_node_client_and_browser_see_each_others_edits(
    shared_server: LiveServer,
    make_context: Callable[..., BrowserContext],
    node_portal: tuple[BlockingPortal, NodeYjs],
) -> None:
    portal, node = node_portal
    board = shared_server.create_board(title="Interop")
    page = make_context().new_page()
    join(page, board.links["participant"], "Ada", "initiatives")
    portal.call(
        lambda: node.connect(
            "yjs", url=shared_server.ws, room=board.id, params={"k": board.tokens["participant"]}
        )
    )

    # Node -> browser: a new note, then an edit of its text
    portal.call(
        lambda: node.add_note("yjs", "from-node", field="A3", text="Maker Space", x=0.8, y=0.2)
    )
    expect(note_text(page, "from-node")).to_have_value("Maker Space")
    expect(page.locator("#field-A3 [data-note='from-node']")).to_have_count(1)
    expect(note(page, "from-node").locator(".note-who")).to_have_text("anonym")
    portal.call(lambda: node.insert_text("yjs", "from-node", 0, "FabLab & "))
    expect(note_text(page, "from-node")).to_have_value("FabLab & Maker Space")

    # browser -> Node: a note typed in the browser, and an edit of the Node client's note
    browser_note = add_note(page, "B2", "Mission aus dem Browser")
    note_text(page, "from-node").focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Süd")

    def seen(dump: dict[str, Any]) -> bool:
        notes = dump["doc"]["notes"]
        mine = notes.get(browser_note)
        theirs = notes.get("from-node")
        return (
            mine is not None
            and mine.get("text") == "Mission aus dem Browser"
            and mine.get("field") == "B2"
            and theirs is not None
            and theirs.get("text") == "FabLab & Maker Space Süd"
        )

    dump = portal.call(lambda: node.wait_for_doc("yjs", seen, timeout=10))
    assert dump["doc"]["notes"][browser_note]["author"] == "Ada"
