"""CSV export: opens with the csv module, one row per note, formula-injection safe."""

from __future__ import annotations

import csv
import io

import pytest

from server.export.csv_export import FORMULA_START, guard_cell, render_csv
from tests.unit.export_fixtures import HOSTILE, filled_board, make_input


def read(data: bytes, delimiter: str = ";") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM expected"
    text = data[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    return read(render_csv(make_input()))


def test_csv_has_a_header_and_one_row_per_note(rows: list[list[str]]) -> None:
    assert rows[0][:5] == ["Teil", "Feld-ID", "Feld", "Art", "Text"]
    assert len(rows) == 1 + len(filled_board()["notes"])
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_uses_crlf_line_ends() -> None:
    data = render_csv(make_input())
    # records end in CRLF; a line break inside a note stays a bare LF inside its quoted cell
    assert data.count(b"\r\n") == len(filled_board()["notes"]) + 1
    assert data.endswith(b"\r\n")


def test_csv_english_uses_commas() -> None:
    rows = read(render_csv(make_input(locale="en")), delimiter=",")
    assert rows[0][:3] == ["Part", "Field ID", "Field"]
    assert len(rows) == 1 + len(filled_board()["notes"])


def test_csv_no_cell_starts_with_a_formula_character(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("hostile", HOSTILE)
def test_csv_hostile_text_round_trips_minus_the_guard_quote(
    rows: list[list[str]], hostile: str
) -> None:
    texts = {unguard(row[4]) for row in rows} | {unguard(row[13]) for row in rows}
    assert hostile in texts


def test_csv_guard_prefixes_only_dangerous_cells() -> None:
    assert guard_cell("=1+2") == "'=1+2"
    assert guard_cell("\tx") == "'\tx"
    assert guard_cell("a=1") == "a=1"
    assert guard_cell("'quoted") == "'quoted"


def test_csv_row_carries_action_and_partner_columns(rows: list[list[str]]) -> None:
    header = rows[0]
    by_text = {row[4]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    action = by_text["Protokoll an alle verschicken; Fotos anhängen, bitte"]
    assert (action["Verantwortlich"], action["Fällig"], action["Erledigt"]) == (
        "Moderation",
        "2026-03-05",
        "ja",
    )
    partner = by_text["Stadtbibliothek"]
    assert partner["Ressourcen"] == "Räume, 3D-Drucker"
    assert partner["Art"] == "Partner"
    voted = by_text["Klimaanpassung & Hitzeschutz"]
    assert voted["Stimmen"] == "9"
    assert voted["Erstellt"].startswith("2026-03-03T") and voted["Erstellt"].endswith("+01:00")


def test_csv_german_numbers_use_a_decimal_comma(rows: list[list[str]]) -> None:
    header = rows[0]
    repair = next(
        dict(zip(header, r, strict=True)) for r in rows if r[4] == "Repair-Café Nordstadt"
    )
    assert (repair["x"], repair["y"]) == ("0,1", "0,92")


def test_csv_anonymous_and_unknown_field_rows(rows: list[list[str]]) -> None:
    header = rows[0]
    by_text = {row[4]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert (
        by_text["Ich wünsche mir, dass Ergebnisse wirklich umgesetzt werden."]["Autor/in"]
        == "anonym"
    )
    other = by_text["Notiz aus einem früheren Feld"]
    assert (other["Teil"], other["Feld-ID"], other["Feld"]) == ("", "Z9", "Weitere Notizen")
