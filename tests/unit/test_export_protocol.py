"""The PDF protocol a city office files: decision log in words, roster, running parts,
vote ranking, labels of one language only, extractable text, PDF/A-3b + PDF/UA-1."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf import PdfReader

from server.export import labels
from server.export.build import build_report
from server.export.diagram_image import PDF_CARD_LIMIT, diagram_svg
from server.export.labels import LOCALES
from server.export.logwords import log_sentence
from server.export.markdown import render_md
from server.export.pdf import render_pdf
from server.export.wording import agenda_table, groups_text, vote_ranking
from server.sync.ops import OPS
from tests.unit.export_fixtures import (
    EXPORTED_AT,
    MIN,
    MODERATOR,
    filled_board,
    make_input,
)

Json = dict[str, Any]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def neutral_board() -> Json:
    """The filled board with every user text replaced by a token of no language, so every
    word of the PDF in a language comes from a label or the canvas."""
    board = filled_board()
    for i, note in enumerate(board["notes"].values()):
        for key in ("text", "resources", "competences", "tasks", "owner", "author"):
            if isinstance(note.get(key), str):
                note[key] = f"N{i:03d}{key[0]}"
    board["meta"]["title"] = "B-0001"
    for entry in board["control"]["log"]:
        if entry["op"] == "snapshot.create":
            entry["summary"] = "snapshot 'S-1'"
        if entry["by"].get("name"):
            entry["by"]["name"] = "M-1"
    return board


def pdf_texts(data: bytes) -> dict[str, str]:
    """The text of a PDF as pypdf, pdfminer.six and poppler's pdftotext read it."""
    pypdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    out = {"pypdf": pypdf, "pdfminer": pdfminer_text(io.BytesIO(data))}
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: make test installs poppler-utils")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    out["pdftotext"] = result.stdout.decode("utf-8")
    return out


@pytest.fixture(scope="module")
def filled_pdf() -> bytes:
    return render_pdf(make_input())


@pytest.fixture(scope="module", params=LOCALES)
def neutral_pdf(request: pytest.FixtureRequest) -> tuple[str, str]:
    locale = str(request.param)
    data = render_pdf(make_input(board=neutral_board(), locale=locale, source_label=None))
    return locale, squash(pdf_texts(data)["pypdf"])


# ---- the decision log in words ------------------------------------------------------------


def test_log_reads_as_german_sentences_with_labels() -> None:
    report = build_report(make_input())
    sentences = [log_sentence(report, e) for e in report.log]
    assert sentences == [
        "Ablauf festgelegt",
        "Timer für Teil A: Bestand & Ziele gestartet (60 Min.)",
        "Stilles Schreiben in A1 Begriffsklärung begonnen",
        "Verdeckte Notizen in A1 Begriffsklärung aufgedeckt: 4",
        "Timer um 2 Min. verlängert",
        "Punktabfrage geöffnet für A1 Begriffsklärung, A4 Zukunftsperspektive, "
        "B1 Handlungsfelder; Punkte je Person: 3",
        "Punktabfrage abgeschlossen; abgestimmt haben: 14",
        "Gesperrt: C2 Fazit",
        "Zwischenstand „Ende Teil B“ gespeichert",
        "Zeit für Teil C: Umsetzung prüfen abgelaufen",
    ]


def test_log_reads_as_english_sentences_in_an_english_export() -> None:
    report = build_report(make_input(locale="en"))
    sentences = [log_sentence(report, e) for e in report.log]
    assert sentences[1] == "Timer for Part A: Status quo & goals started (60 min)"
    assert sentences[-1] == "Time is up for Part C: Checking feasibility"


def test_log_never_shows_an_op_name_or_the_server_summary() -> None:
    board = filled_board()
    board["control"]["log"].append(
        {"at": 1, "by": {"role": "server"}, "op": "made.up", "summary": "raw", "details": {}}
    )
    for locale in LOCALES:
        report = build_report(make_input(board=board, locale=locale))
        for entry in report.log:
            sentence = log_sentence(report, entry)
            assert entry.op not in sentence
            assert entry.summary not in sentence
        assert log_sentence(report, report.log[0]) == labels.t(locale, "log.other")


def test_every_op_the_server_logs_has_its_own_sentence_and_minutes_keep_their_seconds() -> None:
    """An export showed "Sonstige Änderung" for an accepted late note, and a 1:30 timer
    as "1 Min."."""
    board = filled_board()
    entries = [
        ("late.accept", {"field": "A1"}),
        ("late.dismiss", {"field": "A1"}),
        ("view.set", {"field": "A1", "compact": True}),
        ("join.rotate", {}),
        ("board.recovered", {"applied": 3, "skipped": 1}),
        ("timer.start", {"target": "A1", "seconds": 90}),
    ]
    board["control"]["log"] = [
        {"at": i + 1, "by": {"role": "moderator"}, "op": op, "summary": "", "details": d}
        for i, (op, d) in enumerate(entries)
    ]
    report = build_report(make_input(board=board))
    sentences = [log_sentence(report, e) for e in report.log]
    assert labels.t("de", "log.other") not in sentences
    assert sentences[0] == "Späte Notiz in A1 Begriffsklärung aufgenommen"
    assert sentences[-1] == "Timer für A1 Begriffsklärung gestartet (1,5 Min.)"
    english = build_report(make_input(board=board, locale="en"))
    assert log_sentence(english, english.log[-1]).endswith("(1.5 min)")


def test_anonymized_log_keeps_sentence_details_but_no_name() -> None:
    report = build_report(make_input(anonymize=True))
    assert all(e.name is None for e in report.log)
    assert "Verdeckte Notizen in A1 Begriffsklärung aufgedeckt: 4" in [
        log_sentence(report, e) for e in report.log
    ]


# ---- roster, running parts, ranking -------------------------------------------------------


def test_roster_lists_the_moderator_apart_from_people_without_a_group() -> None:
    report = build_report(make_input())
    rows = {e.group: e for e in report.roster}
    assert rows["moderator"].label == "Moderation"
    assert rows["moderator"].names == (MODERATOR,) and rows["moderator"].count == 1
    assert rows["anonymous"].label == "Ohne Gruppe" and rows["anonymous"].count == 1
    # nobody is lost or counted twice: the server counted 15 people
    assert sum(e.count for e in report.roster) == 15


def test_anonymized_roster_names_no_moderator() -> None:
    rows = {e.group: e for e in build_report(make_input(anonymize=True)).roster}
    assert rows["moderator"].names == () and rows["moderator"].count == 1


def test_running_part_shows_its_time_so_far() -> None:
    board = filled_board()
    control = board["control"]
    item = next(i for i in control["agenda"] if i["id"] == "part-c")
    item.update(ended_at=None, actual_ms=10 * MIN)
    now = int(EXPORTED_AT * 1000)
    control["timer"] = {"target": "C2", "state": "running", "segment_started": now - 25 * MIN}
    report = build_report(make_input(board=board))
    agenda = {a.id: a for a in report.agenda}
    assert agenda["part-c"].running and agenda["part-c"].actual_ms == 35 * MIN
    assert not agenda["part-b"].running
    _, rows, _ = agenda_table(report)
    assert ["Teil C: Umsetzung prüfen", "45 Min.", "35 Min., läuft noch"] == rows[5][:3]


def test_vote_ranking_per_field_with_groups() -> None:
    report = build_report(make_input())
    ranking = {f.id: [(n.id, n.votes) for n in notes] for f, notes in vote_ranking(report)}
    assert ranking == {
        "A1": [("a1-tr", 7), ("a1-def", 5), ("a1-anon", 2)],
        "A4": [("a4-lab", 4)],
        "B1": [("b1-heat", 9), ("b1-mob", 1)],
    }
    a1 = next(notes for f, notes in vote_ranking(report) if f.id == "A1")
    assert groups_text(report, a1[0]).endswith("Jugend 2, ohne Gruppe 1")


def test_no_ranking_while_the_vote_is_open() -> None:
    board = filled_board()
    board["control"]["voting"]["state"] = "open"
    assert vote_ranking(build_report(make_input(board=board))) == []


# ---- labels: one language per PDF ---------------------------------------------------------

# labels the PDF never shows (other formats' column heads, calendar words)
_NOT_IN_PDF = ("csv.", "ics.", "kind.", "yes", "no", "note.text", "note.group", "note.author")


def _probes(locale: str) -> set[str]:
    """The longest literal piece of each PDF label (placeholders cut out), 4+ letters."""
    out = set()
    for key in labels.keys(locale):
        if key.startswith(_NOT_IN_PDF):
            continue
        pieces = [p.strip(" :;,.()–") for p in re.split(r"\{\w+\}", labels.t(locale, key))]
        longest = max(pieces, key=len)
        if len(longest) >= 4:
            out.add(squash(longest))
    return out


def _has(text: str, probe: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(probe)}(?!\w)", text) is not None


def test_pdf_labels_come_from_its_own_locale_only(neutral_pdf: tuple[str, str]) -> None:
    locale, text = neutral_pdf
    other = "en" if locale == "de" else "de"
    own = _probes(locale)
    foreign = sorted(p for p in _probes(other) - own if _has(text, p))
    assert not foreign, f"{other} labels in the {locale} PDF: {foreign}"
    for key in ("log.title", "roster.title", "agenda.title", "ranking.title", "roster.no_group"):
        assert squash(labels.t(locale, key)) in text, key


def test_pdf_shows_no_internal_op_name_or_server_summary(neutral_pdf: tuple[str, str]) -> None:
    _, text = neutral_pdf
    assert not [op for op in OPS if "." in op and op in text]
    for summary in ("time is up", "private notes revealed", "dots each", "agenda:"):
        assert summary not in text


# ---- extraction and archival format -------------------------------------------------------


def test_note_text_is_extractable_by_pypdf_pdfminer_and_pdftotext(filled_pdf: bytes) -> None:
    report = build_report(make_input())
    notes = [n for f in report.fields() if f.kind != "table" for n in f.notes]
    cells = [n for f in report.fields() if f.kind == "table" for n in f.notes]
    for tool, text in pdf_texts(filled_pdf).items():
        flat = re.sub(r"\s+", "", text)
        # pdfminer and poppler read Arabic runs in visual order
        missing = [
            n.text
            for n in notes
            if re.sub(r"\s+", "", n.text) not in flat and not n.text.startswith("م")
        ]
        assert not missing, (tool, missing)
        # table cells wrap and extractors interleave the columns: every word must be there
        words = {w for n in cells for w in re.findall(r"\w+", f"{n.text} {n.resources}")}
        assert not [w for w in words if w not in text and w[::-1] not in text], tool


def test_pdf_is_pdfa_3b_tagged_and_says_pdfua_1(filled_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(filled_pdf))
    root: Any = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/ID" in reader.trailer
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
    title = "Ko-Kreation Musterstadt – Smart City &amp; Quartier – Ergebnisprotokoll"
    assert title in xmp
    info = reader.metadata
    assert info is not None and info.title == title.replace("&amp;", "&")


def test_pdf_fonts_are_embedded_with_a_unicode_map(filled_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(filled_pdf))
    seen = 0
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()  # pypdf objects are loosely typed
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            assert "/ToUnicode" in font, font["/BaseFont"]
            seen += 1
    assert seen


def test_pdf_shows_ranking_roster_and_log_sentences(filled_pdf: bytes) -> None:
    text = squash(pdf_texts(filled_pdf)["pypdf"])
    for expected in (
        "Punktabfrage: Rangfolge",
        f"Moderation ({MODERATOR})",
        "Ohne Gruppe",
        "Zeit für Teil C: Umsetzung prüfen abgelaufen",
    ):
        assert expected in text, expected


def test_pdf_of_a_board_with_hostile_log_details_renders() -> None:
    board = copy.deepcopy(filled_board())
    board["control"]["log"] = [
        {"op": "vote.open", "details": {"fields": "A1", "per_person": "x"}},
        {"op": "timer.extend", "details": {"seconds": 1e300}},
        {"op": "snapshot.create", "summary": "snapshot __import__('os')"},
        {"op": "lock.set", "details": {"fields": [1, None, "<b>"], "locked": "yes"}},
    ]
    report = build_report(make_input(board=board))
    sentences = [log_sentence(report, e) for e in report.log]
    assert sentences[2] == "Zwischenstand gespeichert"
    assert render_pdf(make_input(board=board)).startswith(b"%PDF-")


def test_pdf_diagram_shows_dots_when_cards_would_heap_up() -> None:
    board = filled_board()
    for i in range(PDF_CARD_LIMIT + 1):
        board["notes"][f"dot-{i}"] = {"field": "A3", "text": f"I{i}", "x": 0.5, "y": i / 100}
    crowded = diagram_svg(build_report(make_input(board=board))).decode("utf-8")
    assert crowded.count("<circle") >= PDF_CARD_LIMIT + 1
    assert 'class="note"' not in crowded
    assert "Initiativen als Punkte" in crowded
    few = diagram_svg(build_report(make_input())).decode("utf-8")
    assert "<circle" not in few and 'class="note"' in few


def _structure(node: Any, found: dict[str, list[Any]], depth: int = 0) -> None:
    """Collect the structure elements by type (bounded depth: a tree, never a cycle)."""
    node = node.get_object()
    if depth > 60 or not hasattr(node, "get"):
        return
    kind = node.get("/S")
    if kind is not None:
        found.setdefault(str(kind), []).append(node)
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object"):
            _structure(kid, found, depth + 1)


def test_pdf_structure_has_headings_tables_and_a_described_figure(filled_pdf: bytes) -> None:
    root: Any = PdfReader(io.BytesIO(filled_pdf)).trailer["/Root"]
    found: dict[str, list[Any]] = {}
    _structure(root["/StructTreeRoot"], found)
    for kind in ("/Document", "/H1", "/H2", "/H3", "/P", "/Table", "/TH", "/TD"):
        assert found.get(kind), kind
    figures = found["/Figure"]
    assert figures and all(str(f.get("/Alt", "")).startswith("Diagramm:") for f in figures)


def test_markdown_has_the_ranking_roster_and_log_sentences_too() -> None:
    text = render_md(make_input()).decode("utf-8")
    assert "## Punktabfrage: Rangfolge" in text
    assert "| 1 | Klimaanpassung" in text
    assert f"- Moderation ({MODERATOR}): 1" in text
    assert "Zeit für Teil C: Umsetzung prüfen abgelaufen" in text
    assert not [op for op in OPS if "." in op and op in text]
