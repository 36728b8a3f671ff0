"""How report values read in every format: authors, votes, axis positions, log labels.

Shared by the renderers so Markdown, PDF, CSV and the images word things the same way.
"""

from __future__ import annotations

import unicodedata

from . import labels
from .report import AgendaItem, AxisView, FieldView, Note, Report, RosterEntry


def axis_words(axis: AxisView, value: float | None, locale: str) -> str:
    """A position on an axis in words, from the nearest tick labels.

    Within 0.1 of a tick: that tick's label; within 0.1 of the middle between two ticks:
    "between A and B"; otherwise "mostly" plus the nearest tick.
    """
    if value is None or not axis.ticks:
        return labels.t(locale, "diagram.unplaced") if value is None else f"{value:.2f}"
    by_distance = sorted(axis.ticks, key=lambda t: (abs(t.at - value), t.at))
    nearest = by_distance[0]
    gap = abs(nearest.at - value)
    if gap <= 0.1:
        return nearest.label
    if len(by_distance) > 1 and abs(by_distance[1].at - value) - gap < 0.2:
        a, b = sorted(by_distance[:2], key=lambda t: t.at)
        return labels.t(
            locale, "diagram.between", a=_phrase(a.label, locale), b=_phrase(b.label, locale)
        )
    return labels.t(locale, "diagram.mostly", label=_phrase(nearest.label, locale))


def _phrase(label: str, locale: str) -> str:
    """Inside an English phrase, "Led by ..." reads "led by ..."; German keeps its nouns."""
    if locale == "en" and len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def role_label(locale: str, role: str) -> str:
    key = f"role.{role}"
    return labels.t(locale, key) if labels.has(locale, key) else role


def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Hebrew, Arabic, ...)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def note_by(report: Report, note: Note) -> str:
    """Who wrote a note, as shown: "Verwaltung · Petra", "anonym", or the group only.

    With `anonymize` no author is named, so anonymous and named notes look the same.
    """
    parts = [note.group_label] if note.group_label else []
    if not report.anonymize:
        parts.append(note.author if note.author else report.t("note.anonymous"))
    return " · ".join(parts)


def votes_text(report: Report, note: Note, detail: bool = True) -> str:
    """ "5 Stimmen (Verwaltung 3, Jugend 2)"; empty when no results are shown for the note."""
    if note.votes is None:
        return ""
    text = labels.votes(report.locale, note.votes)
    if detail and note.votes_by_group:
        text = f"{text} ({groups_text(report, note)})"
    return text


def shows_votes(field: FieldView) -> bool:
    return any(n.votes is not None for n in field.notes)


def partner_cell(note: Note, column: str) -> str:
    """B4 cells: the note text is the actor; the other columns are note keys."""
    if column == "actor":
        return note.text
    return {"resources": note.resources, "competences": note.competences, "tasks": note.tasks}.get(
        column, ""
    )


def minutes_of(ms: int | None) -> float | None:
    return None if ms is None else ms / 60_000


def minutes_text(report: Report, value: float | None) -> str:
    return "–" if value is None else labels.minutes(report.locale, value)


def _actual_text(report: Report, item: AgendaItem) -> str:
    text = minutes_text(report, minutes_of(item.actual_ms))
    return report.t("agenda.running", time=text) if item.running else text


RANKING_TOP = 5


def vote_ranking(report: Report, top: int = RANKING_TOP) -> list[tuple[FieldView, list[Note]]]:
    """Per voted field, its `top` notes with dots, most dots first (board order among ties).

    Empty unless the vote is closed and its results are shown.
    """
    if not report.voting.shown:
        return []
    out = []
    for field in report.fields():
        voted = [n for n in field.notes if n.votes]
        if field.id in report.voting.fields or voted:
            ranked = sorted(voted, key=lambda n: -(n.votes or 0))[:top]
            out.append((field, ranked))
    return out


def groups_text(report: Report, note: Note) -> str:
    """ "Verwaltung 3, Jugend 2": a note's dots by the voters' groups."""
    return ", ".join(f"{report.group_label(g)} {n}" for g, n in note.votes_by_group)


def agenda_table(report: Report) -> tuple[list[str], list[list[str]], list[str]]:
    """The agenda as plain text: header, a row per item (label, planned, actual, started)
    and the total row. Each format escapes and styles the cells its own way."""
    header = [
        report.t("agenda.item"),
        report.t("agenda.planned"),
        report.t("agenda.actual"),
        report.t("agenda.started"),
    ]
    rows = [
        [
            item.label,
            minutes_text(report, item.planned_minutes),
            _actual_text(report, item),
            report.clock(item.started_at) or "–",
        ]
        for item in report.agenda
    ]
    planned = sum(i.planned_minutes or 0 for i in report.agenda)
    actual = sum(i.actual_ms or 0 for i in report.agenda)
    total = [
        report.t("agenda.total"),
        minutes_text(report, planned),
        minutes_text(report, minutes_of(actual) if actual else None),
        "",
    ]
    return header, rows, total


def roster_label(entry: RosterEntry) -> str:
    """ "Moderation (Sabine Vogel)": a roster row's label with the names it lists."""
    return f"{entry.label} ({', '.join(entry.names)})" if entry.names else entry.label
