"""Privacy in every format: the anonymize option, anonymous notes, votes of an open vote."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from server.export import FORMATS, ExportInput
from tests.unit.export_fixtures import AUTHORS, MODERATOR, filled_board, make_input

TEXT_FORMATS = ("md", "csv", "json", "svg", "a3.svg", "ics")


def as_text(fmt: str, inp: ExportInput) -> str:
    data = FORMATS[fmt].render(inp)
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", [*TEXT_FORMATS, "pdf"])
def test_anonymized_export_names_no_author_and_no_moderator(fmt: str) -> None:
    text = as_text(fmt, make_input(anonymize=True))
    for name in (*AUTHORS, MODERATOR):
        assert name not in text, f"{name} in {fmt}"
    assert "pid00" not in text, "author ids must go too"


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "svg"])
def test_export_with_names_shows_authors(fmt: str) -> None:
    text = as_text(fmt, make_input())
    assert "Petra Schäfer" in text


def test_anonymized_export_keeps_action_owners() -> None:
    text = as_text("md", make_input(anonymize=True))
    assert "Amt für Digitalisierung (Fr. Demir)" in text


def test_anonymous_note_says_anonymous_in_markdown_csv_and_svg() -> None:
    inp = make_input(locale="en")
    md = as_text("md", inp)
    assert "Ich wünsche mir, dass Ergebnisse wirklich umgesetzt werden. — anonymous" in md
    csv_row = next(r for r in as_text("csv", inp).split("\r\n") if "wirklich umgesetzt" in r)
    assert '"anonymous"' in csv_row
    svg = as_text("svg", inp)
    note = svg.split('data-note="a1-anon"', 1)[1].split("</g>", 1)[0]
    assert ">anonymous</text>" in note


@pytest.mark.parametrize("fmt", [*TEXT_FORMATS, "pdf"])
def test_anonymous_note_never_shows_its_author_id(fmt: str) -> None:
    assert "pid-anon-would-link" not in as_text(fmt, make_input())


def test_anonymous_note_in_json_has_no_author() -> None:
    data = json.loads(as_text("json", make_input()))
    note = next(n for n in data["notes"] if n["id"] == "a1-anon")
    assert note["author"] is None and note["author_id"] is None and note["anonymous"] is True


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "svg"])
def test_open_vote_results_never_appear(fmt: str) -> None:
    board = filled_board()
    board["control"]["voting"]["state"] = "open"
    text = as_text(fmt, make_input(board=board))
    assert "Stimmen (" not in text and "9 Stimmen" not in text
    if fmt == "json":
        assert all(n["votes"] is None for n in json.loads(text)["notes"])
    if fmt == "csv":
        assert ';"9";' not in text
