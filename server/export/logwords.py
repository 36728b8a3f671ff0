"""The decision log in words: each logged op as one sentence of the board's language.

The server logs an op name, an English summary for operators and a `details` map. People
read none of the first two: the sentence is built from the op's label (`log.<op>`) and the
details, with field, part and agenda ids shown with their labels. An op without a label
reads as a neutral "other change", never as its internal name.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from . import labels
from .readers import int_of, list_of, str_of
from .report import LogEntry, Report

# Keys of `details` the sentences read; nothing else of a log entry reaches the reader.
SENTENCE_KEYS = frozenset(
    ("target", "seconds", "fields", "field", "locked", "follow", "count", "per_person")
    + ("voters", "role", "title", "groups", "anonymous_allowed", "private_anonymous")
    + ("show_join_code",)
    + ("text", "before")  # a decision's words (P230): the protocol's content, kept
)
_SETTINGS = ("title", "groups", "anonymous_allowed", "private_anonymous", "show_join_code")
_SNAPSHOT_SUMMARY = re.compile(r"^snapshot ('.{0,400}'|\".{0,400}\")$", re.DOTALL)


def place(report: Report, ident: str) -> str:
    """A field, part or agenda id as people read it: "A1 Begriffsklärung", "Teil A: …"."""
    for part in report.parts:
        if ident == part.id:
            return report.t("part.heading", id=part.id, label=part.label)
        for field in part.fields:
            if ident == field.id:
                return f"{field.id} {field.label}"
    for item in report.agenda:
        if ident == item.id:
            return item.label
    return f"„{ident}“" if report.locale == "de" else f"“{ident}”"


def _places(report: Report, value: Any) -> str:
    idents = [v for v in list_of(value) if isinstance(v, str) and v][:40]
    return ", ".join(place(report, i) for i in idents)


def _snapshot_label(summary: str) -> str:
    """The label the server wrote into the summary as a Python literal: `snapshot 'Ende A'`."""
    match = _SNAPSHOT_SUMMARY.match(summary)
    if match is None:
        return ""
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return ""
    return value.strip() if isinstance(value, str) else ""


def log_sentence(report: Report, entry: LogEntry) -> str:
    """What happened, in the report's language, from the entry's op and details."""
    d = entry.details or {}
    t = report.t
    target = place(report, str_of(d.get("target"), 100)) if str_of(d.get("target")) else ""
    minutes = _minutes(report, abs(int_of(d.get("seconds")) or 0))
    op = entry.op
    if op in ("timer.start", "timer.pause", "timer.resume", "timer.stop", "timer.done"):
        key = f"log.{op}" if target else f"log.{op}.plain"
        return t(key, target=target, minutes=minutes)
    if op == "timer.extend":
        shorter = (int_of(d.get("seconds")) or 0) < 0
        return t("log.timer.shorten" if shorter else "log.timer.extend", minutes=minutes)
    if op == "lock.set":
        fields = _places(report, d.get("fields"))
        key = "log.lock.on" if d.get("locked") is True else "log.lock.off"
        return t(key, fields=fields) if fields else t(f"{key}.plain")
    if op == "focus.set":
        field = str_of(d.get("field"), 100)
        if not field:
            return t("log.focus.off")
        sentence = t("log.focus.on", field=place(report, field))
        return sentence + (t("log.focus.follow") if d.get("follow") is True else "")
    if op in ("private.set", "private.reveal"):
        field = place(report, str_of(d.get("field"), 100)) if str_of(d.get("field")) else ""
        if op == "private.set":
            return t("log.private.set", field=field) if field else t("log.private.set.plain")
        count = max(0, int_of(d.get("count")) or 0)
        return t("log.private.reveal", field=field or "–", count=count)
    if op == "vote.open":
        return t(
            "log.vote.open",
            fields=_places(report, d.get("fields")) or "–",
            dots=max(0, int_of(d.get("per_person")) or 0),
        )
    if op == "vote.close":
        return t("log.vote.close", voters=max(0, int_of(d.get("voters")) or 0))
    if op == "snapshot.create":
        label = _snapshot_label(entry.summary)
        return t("log.snapshot.create", label=label) if label else t("log.snapshot.plain")
    if op == "board.settings":
        changed = [t(f"log.setting.{k}") for k in _SETTINGS if k in d]
        return t("log.board.settings", what=", ".join(changed) or "–")
    if op in ("decision", "decision.edit", "decision.delete"):
        text = str_of(d.get("text"), 2000).strip() or "–"
        before = str_of(d.get("before"), 2000).strip() or "–"
        return t(f"log.{op}", text=text, before=before)
    if op == "projector.push":
        show = str_of(d.get("show"), 20)
        if show == "field":
            return t("log.push.field", field=place(report, str_of(d.get("field"), 100)) or "–")
        return t(f"log.push.{show}") if show in ("timer", "results") else t("log.push.clear")
    if op in ("late.accept", "late.dismiss"):
        return t(f"log.{op}", field=place(report, str_of(d.get("field"), 100)) or "–")
    if op == "view.set":
        key = "log.view.compact" if d.get("compact") is True else "log.view.full"
        return t(key, field=place(report, str_of(d.get("field"), 100)) or "–")
    if op == "link.rotate":
        role = str_of(d.get("role"), 20)
        key = f"log.link.{role}"
        return t(key) if labels.has(report.locale, key) else t("log.link.other")
    key = f"log.{op}"
    return t(key) if op and labels.has(report.locale, key) else t("log.other")


def _minutes(report: Report, seconds: int) -> str:
    """Whole minutes as they are, others to a tenth in the report's language (90 s is
    "1,5" in German, not "1")."""
    if seconds % 60 == 0:
        return str(seconds // 60)
    text = f"{seconds / 60:.1f}"
    return text.replace(".", ",") if report.locale == "de" else text
