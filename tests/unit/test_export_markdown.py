"""Markdown protocol: structure, every note, escaping of hostile text."""

from __future__ import annotations

import re

import pytest

from server.export.markdown import md_cell, md_text, render_md
from tests.unit.export_fixtures import (
    HOSTILE,
    field_titles,
    filled_board,
    make_input,
    note_texts,
)


def unescape(text: str) -> str:
    """What a Markdown renderer shows for our escaped text (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_md(make_input()).decode("utf-8")


def test_markdown_contains_every_field_title(markdown: str) -> None:
    for title in field_titles("de"):
        assert f" · {title}\n" in markdown


def test_markdown_contains_every_note_text(markdown: str) -> None:
    shown = re.sub(r"\s+", " ", unescape(markdown))
    for text in note_texts(filled_board()):
        assert re.sub(r"\s+", " ", text) in shown, text


def test_markdown_has_no_raw_html_or_links(markdown: str) -> None:
    assert "<script>" not in markdown
    assert "</svg>" not in markdown
    assert "](" not in markdown
    assert "\\<script\\>alert(1)\\</script\\>" in markdown


def test_markdown_lines_cannot_start_a_heading_or_list_from_user_text() -> None:
    text = md_text("# heading\n- item\n+1\n1. first\n> quote\n=HYPERLINK()")
    for line in text.split("\n"):
        assert re.match(r"^\s*([#>+=]|-\s|\d+\.)", line) is None, line


def test_markdown_table_cells_escape_pipes_and_keep_one_line() -> None:
    assert md_cell("a | b\nc") == "a \\| b / c"


def test_markdown_entities_stay_literal() -> None:
    assert md_cell("&lt;b&gt; & Co") == "\\&lt;b\\&gt; & Co"


def test_markdown_keeps_newlines_inside_a_note_as_hard_breaks() -> None:
    assert md_text("one\ntwo") == "one  \n  two"


def test_markdown_shows_votes_only_after_the_vote_closed() -> None:
    closed = render_md(make_input()).decode()
    assert "**9 Stimmen" in closed
    board = filled_board()
    board["control"]["voting"]["state"] = "open"
    opened = render_md(make_input(board=board)).decode()
    assert "Stimmen (" not in opened
    assert "Punktabfrage läuft" in opened


def test_markdown_diagram_table_names_positions_in_words() -> None:
    text = render_md(make_input(locale="en")).decode()
    row = next(line for line in text.splitlines() if line.startswith("| Luftdaten"))
    assert "mostly technology & innovation" in row
    assert "between co-governance and community self-governance" in row


def test_markdown_actions_are_a_task_list_with_owner_and_due() -> None:
    text = render_md(make_input()).decode()
    assert "- [x] Protokoll an alle verschicken; Fotos anhängen, bitte — " in text
    assert "Verantwortlich: Kämmerei · bis 30.04.2026" in text
    assert "- [ ] Erstgespräch mit OK Lab vereinbaren" in text


def test_markdown_partner_table_has_the_canvas_columns() -> None:
    text = render_md(make_input()).decode()
    assert "| Akteur | Ressourcen | Kompetenzen | Mögliche Aufgaben | Von |" in text
    assert "| Elternverein \\| Alleinerziehende | & \\< \\> \" ' |" in text


def test_markdown_has_agenda_roster_log_and_other_notes() -> None:
    text = render_md(make_input()).decode()
    for heading in (
        "## Ablauf: geplant und tatsächlich",
        "## Teilnehmende nach Gruppe",
        "## Entscheidungsprotokoll",
        "### Weitere Notizen",
    ):
        assert heading in text
    assert "| Teil A: Bestand & Ziele | 60 Min. | 64 Min. | 09:17 |" in text
    assert "- **Gesamt: 15**" in text


def test_markdown_anonymous_note_says_anonymous() -> None:
    text = render_md(make_input(locale="en")).decode()
    assert "Ich wünsche mir, dass Ergebnisse wirklich umgesetzt werden. — anonymous" in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_hostile_text_is_shown_as_written(hostile: str) -> None:
    assert hostile in unescape(render_md(make_input()).decode())


def test_markdown_of_an_empty_board_renders() -> None:
    text = render_md(make_input(board={})).decode()
    assert text.startswith("# Ohne Titel\n")
    assert "Keine Beiträge." in text
