"""iCalendar export: RFC 5545 line format, one VTODO per C3 action, escaping."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import icalendar
import pytest

from server.export.ics import escape_text, fold, render_ics
from tests.unit.export_fixtures import filled_board, make_input


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "bare LF: every line must end in CRLF"
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def todos(lines: list[str]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VTODO":
            current = {}
        elif line == "END:VTODO":
            assert current is not None
            out.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return out


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


@pytest.fixture(scope="module")
def data() -> bytes:
    return render_ics(make_input())


def test_ics_physical_lines_are_at_most_75_octets(data: bytes) -> None:
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character


def test_ics_is_one_calendar_with_one_vtodo_per_action(data: bytes) -> None:
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert len(todos(lines)) == 5


def test_ics_summary_is_the_action_text_escaped(data: bytes) -> None:
    items = todos(unfold(data))
    summaries = [t["SUMMARY"] for t in items]
    assert "Protokoll an alle verschicken\\; Fotos anhängen\\, bitte" in summaries
    assert "Fördermittel prüfen\\nund Antrag skizzieren" in summaries
    assert unescape(summaries[3]).startswith("Überblick über alle Initiativen erstellen, die")


def test_ics_due_status_and_owner(data: bytes) -> None:
    items = {unescape(t["SUMMARY"]): t for t in todos(unfold(data))}
    done = items["Protokoll an alle verschicken; Fotos anhängen, bitte"]
    assert done["DUE;VALUE=DATE"] == "20260305"
    assert done["STATUS"] == "COMPLETED"
    call = items["Erstgespräch mit OK Lab vereinbaren"]
    assert call["STATUS"] == "NEEDS-ACTION"
    assert unescape(call["DESCRIPTION"]).startswith("Verantwortlich: Amt für Digitalisierung")
    vague = items["Rückmeldung an die Jugendgruppe"]
    assert "DUE;VALUE=DATE" not in vague, "an invalid date is not a DUE"


def test_ics_uids_are_unique_and_stable(data: bytes) -> None:
    uids = [t["UID"] for t in todos(unfold(data))]
    assert len(set(uids)) == len(uids)
    assert uids == [t["UID"] for t in todos(unfold(render_ics(make_input())))]
    assert all(uid.endswith("@cocanvas") and "brd_test_0001" in uid for uid in uids)


def test_ics_escape_text_handles_every_special_character() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf\x07") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_ics_fold_keeps_multibyte_characters_whole() -> None:
    line = "SUMMARY:" + "ü" * 100
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_ics_without_actions_is_an_empty_calendar() -> None:
    lines = unfold(render_ics(make_input(board={})))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "BEGIN:VTODO" not in lines


def events(data: bytes) -> list[Any]:
    """The VEVENTs as the `icalendar` package parses them (its values are loosely typed)."""
    calendar = icalendar.Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def test_ics_each_dated_action_is_an_all_day_event(data: bytes) -> None:
    dated = {str(e["SUMMARY"]): e for e in events(data) if str(e["UID"]).startswith("event.")}
    assert sorted(dated) == sorted(
        [
            "Erstgespräch mit OK Lab vereinbaren",
            "Protokoll an alle verschicken; Fotos anhängen, bitte",
            "Fördermittel prüfen\nund Antrag skizzieren",
            "Überblick über alle Initiativen erstellen, die im Diagramm auftauchen, mit "
            "Ansprechpersonen, Kontaktwegen und Zeitplänen für die nächsten Treffen",
        ]
    )
    call = dated["Erstgespräch mit OK Lab vereinbaren"]
    assert call["DTSTART"].dt == date(2026, 3, 20) and call["DTEND"].dt == date(2026, 3, 21)
    assert not isinstance(call["DTSTART"].dt, datetime), "all-day: a date, not a time"
    assert str(call["DESCRIPTION"]).startswith("Verantwortlich: Amt für Digitalisierung")
    assert str(call["TRANSP"]) == "TRANSPARENT"


def test_ics_undated_actions_are_listed_in_one_summary_event(data: bytes) -> None:
    summary = [e for e in events(data) if str(e["UID"]).startswith("undated.")]
    assert len(summary) == 1
    assert str(summary[0]["SUMMARY"]) == "Nächste Schritte ohne Termin: 1"
    assert "- Rückmeldung an die Jugendgruppe (Fällig: bald)" in str(summary[0]["DESCRIPTION"])
    assert summary[0]["DTSTART"].dt == date(2026, 3, 3)  # the export day


@pytest.mark.parametrize("due", ["0202-03-20", "2026-02-30", "20260320", "2026-3-20", "9999-01-01"])
def test_ics_bad_or_absurd_due_dates_are_undated(due: str) -> None:
    board = filled_board()
    board["notes"]["c3-call"]["due"] = due
    found = {str(e["SUMMARY"]): e for e in events(render_ics(make_input(board=board)))}
    assert "Erstgespräch mit OK Lab vereinbaren" not in found
    undated = found["Nächste Schritte ohne Termin: 2"]
    assert "Erstgespräch mit OK Lab vereinbaren (Verantwortlich: " in str(undated["DESCRIPTION"])


def test_ics_without_dated_actions_has_no_events() -> None:
    assert events(render_ics(make_input(board={}))) == []
