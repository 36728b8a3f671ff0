"""The group's decisions lead the protocol's decision section, in the board's language, with
their field or note in words; JSON and CSV carry them (PROTOCOL.md P232)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from jsonschema import Draft202012Validator
from pypdf import PdfReader

from server.export.build import build_report
from server.export.csv_export import render_csv
from server.export.json_export import load_schema, render_json
from server.export.logwords import log_sentence
from server.export.markdown import render_md
from server.export.pdf import render_pdf
from tests.unit.export_fixtures import MIN, MODERATOR, START_MS, filled_board, make_input

Json = dict[str, Any]
FIRST = "Wir gründen einen Beirat aus allen Gruppen."
SECOND = "Treffen finden monatlich statt."
THIRD = "=HYPERLINK(1)"


def _decision(ident: str, minute: int, text: str, field: str | None, note: str | None) -> Json:
    return {
        "id": ident,
        "text": text,
        "field": field,
        "note": note,
        "at": START_MS + minute * MIN,
        "by": {"role": "moderator", "name": MODERATOR},
        "edited_at": None,
    }


def decided_board() -> Json:
    board = filled_board()
    control = board["control"]
    # stored out of order: the protocol lists them oldest first
    control["decisions"] = [
        _decision("d2", 95, SECOND, "A1", "a1-def"),
        _decision("d1", 90, FIRST, "A1", None),
        _decision("d3", 100, THIRD, None, None),
    ]
    control["log"].append(
        {
            "at": START_MS + 90 * MIN,
            "by": {"role": "moderator", "name": MODERATOR},
            "op": "decision",
            "summary": "decision",
            "details": {"id": "d1", "text": FIRST, "field": "A1", "note": None},
        }
    )
    return board


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_p232_pdf_decision_section_opens_with_the_decisions() -> None:
    data = render_pdf(make_input(board=decided_board()))
    text = squash("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    # the section heading is followed at once by the decisions (pages repeat it as a header)
    section = text[text.index("Entscheidungsprotokoll Beschlüsse Beschluss: ") :]
    assert section.index(FIRST) < section.index(SECOND)
    assert section.index(SECOND) < section.index(THIRD) < section.index("Ablauf festgelegt")
    assert "A1 Begriffsklärung" in section[: section.index("Ablauf festgelegt")]
    assert "Notiz „Ko-Kreation heißt für uns" in section
    assert f"Beschluss: {FIRST}" in section  # and the log tells it in its place


def test_p232_markdown_decision_section_opens_with_the_decisions() -> None:
    md = render_md(make_input(board=decided_board())).decode("utf-8")
    section = md[md.index("## Entscheidungsprotokoll") :]
    lines = [line for line in section.splitlines() if line.strip()]
    assert lines[1] == "### Beschlüsse"
    assert lines[2].startswith(f"1. **Beschluss:** {FIRST} (A1 Begriffsklärung · 03.03.2026")
    assert lines[3].startswith(f"2. **Beschluss:** {SECOND} (A1 Begriffsklärung: Notiz „Ko-")
    assert lines[4] == f"3. **Beschluss:** {THIRD} (03.03.2026, 10:40)"
    assert lines[5] == "### Verlauf"


def test_p232_markdown_keeps_a_hostile_decision_on_its_own_line() -> None:
    board = decided_board()
    board["control"]["decisions"][2]["text"] = "# Kopf\n## Verlauf | <b>x</b>"
    md = render_md(make_input(board=board)).decode("utf-8")
    section = md[md.index("## Entscheidungsprotokoll") :]
    lines = [line for line in section.splitlines() if line.strip()]
    assert lines[4].startswith("3. **Beschluss:** ") and "Kopf" in lines[4]
    assert "Verlauf" in lines[4] and lines[5] == "### Verlauf"
    assert not any(line.startswith(("# Kopf", "## Verlauf |")) for line in lines)


def test_p232_english_export_says_decision() -> None:
    md = render_md(make_input(board=decided_board(), locale="en")).decode("utf-8")
    section = md[md.index("## Decision log") :]
    assert "### Decisions" in section
    assert f"1. **Decision:** {FIRST} (A1 " in section
    assert "Beschluss" not in section


def test_p232_no_decisions_no_heading() -> None:
    md = render_md(make_input()).decode("utf-8")
    assert "### Beschlüsse" not in md and "### Verlauf" not in md


def test_p232_deleted_note_and_junk_are_read_defensively() -> None:
    board = decided_board()
    board["control"]["decisions"] += ["junk", {"text": 5}, {"text": "   "}]
    board["control"]["decisions"][0]["note"] = "gone"
    report = build_report(make_input(board=board))
    assert [d.text for d in report.decisions] == [FIRST, SECOND, THIRD]
    assert report.decisions[1].link == "A1 Begriffsklärung: eine inzwischen gelöschte Notiz"
    board["control"]["decisions"] = {"not": "a list"}
    assert build_report(make_input(board=board)).decisions == ()


def test_p232_anonymized_decisions_keep_the_text_but_no_name() -> None:
    report = build_report(make_input(board=decided_board(), anonymize=True))
    assert [d.name for d in report.decisions] == [None, None, None]
    entry = next(e for e in report.log if e.op == "decision")
    assert log_sentence(report, entry) == f"Beschluss: {FIRST}"


def test_p231_corrections_read_as_sentences() -> None:
    board = decided_board()
    for op, details in (
        ("decision.edit", {"id": "d1", "text": "Neu", "before": "Alt"}),
        ("decision.delete", {"id": "d1", "text": "Neu"}),
    ):
        entry = {"at": START_MS, "by": {"role": "moderator"}, "op": op, "details": details}
        board["control"]["log"].append({**entry, "summary": op})
    sentences = [log_sentence(r, e) for r in [build_report(make_input(board=board))] for e in r.log]
    assert "Beschluss geändert: Neu (vorher: Alt)" in sentences
    assert "Beschluss zurückgenommen: Neu" in sentences


def test_p232_json_carries_the_decisions_and_validates() -> None:
    for anonymize in (False, True):
        data = json.loads(render_json(make_input(board=decided_board(), anonymize=anonymize)))
        Draft202012Validator(
            load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
        ).validate(data)
        assert [d["text"] for d in data["decisions"]] == [FIRST, SECOND, THIRD]
        assert data["decisions"][1]["note"] == "a1-def"
        assert data["decisions"][0]["name"] == (None if anonymize else MODERATOR)


def test_p232_csv_has_decision_rows_after_the_notes_formula_safe() -> None:
    raw = render_csv(make_input(board=decided_board())).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    kinds = [r[3] for r in rows[1:]]
    assert kinds[-3:] == ["Beschluss"] * 3 and "Beschluss" not in kinds[:-3]
    first, _, third = rows[-3:]
    assert first[:5] == ["A", "A1", "Begriffsklärung", "Beschluss", FIRST]
    assert first[6] == MODERATOR and first[-1] == "d1"
    assert third[4] == "'" + THIRD
