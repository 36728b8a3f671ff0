"""PDF protocol: every note and field title in the text, fonts embedded, escaping."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from typing import Any

import pytest
from pypdf import PdfReader

from server.export.build import build_report
from server.export.pdf import render_pdf
from server.export.pdf_fonts import font_files
from server.export.pdf_html import build_html
from tests.unit.export_fixtures import (
    ARABIC,
    ARABIC_PARTNER,
    AUTHORS,
    field_titles,
    filled_board,
    make_input,
    note_texts,
)


def flat(text: str) -> str:
    """Text without any whitespace: line breaks in the PDF fall anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(make_input())


@pytest.fixture(scope="module")
def text(pdf: bytes) -> str:
    return pdf_text(pdf)


def test_pdf_is_a_pdf_with_several_pages(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 5


def test_pdf_contains_every_field_title(text: str) -> None:
    for title in field_titles("de"):
        assert flat(title) in flat(text), title


def test_pdf_contains_every_note_text(text: str) -> None:
    found = flat(text)
    missing = [t for t in note_texts(filled_board()) if flat(t) not in found]
    assert not missing


def test_pdf_contains_the_arabic_words(text: str) -> None:
    # shaping and bidi may reorder runs; each word must still be there (in either order)
    for word in (ARABIC + " " + ARABIC_PARTNER).split():
        assert word in text or word[::-1] in text, word


def test_pdf_has_cover_agenda_roster_log_and_page_numbers(text: str) -> None:
    for expected in (
        "Ergebnisprotokoll",
        "Teilnehmende nach Gruppe",
        "Ablauf: geplant und tatsächlich",
        "Entscheidungsprotokoll",
        "Weitere Notizen",
        "Zwischenstand „Ende Teil A“",
        "Seite 1 von",
        "Erstgespräch mit OK Lab vereinbaren",
        "Amt für Digitalisierung (Fr. Demir)",
        "20.03.2026",
        "9 Stimmen",
    ):
        assert flat(expected) in flat(text), expected


def test_pdf_names_diagram_positions_in_words(text: str) -> None:
    assert flat("Inhaltlicher Schwerpunkt: eher „Technologie & Innovation“") in flat(text)


def _fonts(pdf: bytes) -> list[dict[str, Any]]:
    reader = PdfReader(io.BytesIO(pdf))
    descriptors: list[dict[str, Any]] = []
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()  # pypdf objects are loosely typed
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(dict(descendant.get_object()["/FontDescriptor"].get_object()))
            if "/FontDescriptor" in font:
                descriptors.append(dict(font["/FontDescriptor"].get_object()))
    return descriptors


def test_pdf_embeds_every_font(pdf: bytes) -> None:
    descriptors = _fonts(pdf)
    assert descriptors
    for descriptor in descriptors:
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, descriptor["/FontName"]


def test_pdf_uses_the_dejavu_font_face_when_installed(pdf: bytes) -> None:
    if not font_files():
        message = "DejaVu Sans is not installed: the PDF falls back to fontconfig fonts"
        if os.environ.get("CI"):
            pytest.fail(message + " (make test installs fonts-dejavu-core)")
        pytest.skip(message)
    names = {str(d["/FontName"]) for d in _fonts(pdf)}
    assert any(name.endswith("+CocanvasSans") for name in names), names


def test_pdf_draws_emoji_from_an_emoji_font() -> None:
    """People write 👍 and 💡 on sticky notes; without an emoji font they became empty boxes."""
    fc_list = shutil.which("fc-list")
    found = (
        fc_list
        and subprocess.run(
            [fc_list, ":charset=1f4a1", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not found:
        message = "no emoji font is installed: emoji in notes print as empty boxes"
        if os.environ.get("CI"):
            pytest.fail(message + " (make test installs fonts-noto-color-emoji)")
        pytest.skip(message)
    board = filled_board()
    board["notes"]["a1-def"]["text"] = "Idee 💡 Trinkbrunnen 👍"
    pdf = render_pdf(make_input(board))
    names = {str(d["/FontName"]) for d in _fonts(pdf)}
    assert any("Emoji" in name for name in names), names
    assert flat("Trinkbrunnen") in flat(pdf_text(pdf))


def test_pdf_html_escapes_user_text_and_sets_language() -> None:
    markup = build_html(build_report(make_input(locale="en")))
    assert "<script>alert" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert '<html lang="en">' in markup
    assert 'dir="rtl"' in markup  # the Arabic notes; other text needs no dir


def test_pdf_title_metadata_is_the_board_title_and_kind(pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(pdf)).metadata
    title = "Ko-Kreation Musterstadt – Smart City & Quartier – Ergebnisprotokoll"
    assert info is not None and info.title == title


def test_pdf_anonymized_names_no_author(text: str) -> None:
    anonymous = pdf_text(render_pdf(make_input(anonymize=True)))
    assert any(name in text for name in AUTHORS)
    for name in AUTHORS:
        assert name not in anonymous


def test_pdf_text_by_poppler_has_every_note(pdf: bytes) -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: make test installs poppler-utils")
        pytest.skip("poppler-utils not installed")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    # poppler joins "3D-" + "Drucker" at a line end to "3DDrucker": compare without hyphens;
    # it interleaves the lines of wrapped table cells, so those are compared word by word
    text = result.stdout.decode("utf-8")
    found = flat(text).replace("-", "")
    blocks = [n for k, n in filled_board()["notes"].items() if not k.startswith("b4-")]
    assert not [
        t
        for t in note_texts({"notes": dict(enumerate(blocks))})
        if flat(t).replace("-", "") not in found
    ]
    words = {w for t in note_texts(filled_board()) for w in re.findall(r"\w+", t)}
    assert not [w for w in words if w not in text and w[::-1] not in text]


def test_pdf_of_an_empty_board_renders() -> None:
    text = pdf_text(render_pdf(make_input(board={}, source_label=None)))
    assert "Keine Beiträge." in text
    assert flat("Live-Board") in flat(text)
