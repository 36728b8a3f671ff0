"""The session records in `board["control"]`: agenda, roster and decision log, for the report.

Defensive like the rest of the build: odd entries are skipped or read as empty. With the
anonymize option the log keeps roles only and scrubs author names from its summaries.
"""

from __future__ import annotations

import re
from typing import Any

from . import labels
from .readers import (
    dict_of,
    int_of,
    json_safe,
    list_of,
    ms_of,
    num_of,
    opt_str_of,
    str_of,
    text_of,
)
from .report import ANONYMOUS, AgendaItem, Group, LogEntry, RosterEntry

# Bound, so a hostile or broken board cannot make an export huge.
MAX_LOG = 5_000


def read_agenda(
    control: dict[str, Any], canvas: dict[str, Any], locale: str
) -> tuple[AgendaItem, ...]:
    planned = {str_of(a.get("id")): a for a in map(dict_of, list_of(canvas.get("agenda")))}
    parts = {str_of(p.get("id")): p for p in map(dict_of, list_of(canvas.get("parts")))}
    items = [dict_of(a) for a in list_of(control.get("agenda"))] or list(planned.values())
    out = []
    for item in items:
        aid = str_of(item.get("id"), 100)
        base = planned.get(aid, {})
        part = opt_str_of(item.get("part"), 20) or opt_str_of(base.get("part"), 20)
        label = str_of(item.get("label"), 300) or text_of(base.get("label"), locale)
        if not label and part in parts:
            label = labels.t(
                locale, "part.heading", id=part, label=text_of(parts[part].get("label"), locale)
            )
        started, ended = ms_of(item.get("started_at")), ms_of(item.get("ended_at"))
        actual = int_of(item.get("actual_ms"))
        if not actual and started is not None and ended is not None and ended > started:
            actual = ended - started
        minutes = num_of(item.get("minutes"))
        out.append(
            AgendaItem(
                id=aid,
                kind=str_of(item.get("kind"), 40) or str_of(base.get("kind"), 40),
                part=part,
                label=label or aid,
                planned_minutes=minutes if minutes is not None else num_of(base.get("minutes")),
                actual_ms=actual if actual else None,
                started_at=started,
                ended_at=ended,
            )
        )
    return tuple(out)


def read_roster(
    control: dict[str, Any], groups: tuple[Group, ...], locale: str
) -> tuple[RosterEntry, ...]:
    raw = {
        str(k): n for k, v in dict_of(control.get("roster")).items() if (n := int_of(v) or 0) > 0
    }
    order = [g.id for g in groups] + sorted(k for k in raw if k != ANONYMOUS) + [ANONYMOUS]
    labels_by_id = {g.id: g.label for g in groups}
    out: list[RosterEntry] = []
    seen: set[str] = set()
    for gid in order:
        if gid in raw and gid not in seen:
            seen.add(gid)
            label = (
                labels.t(locale, "roster.anonymous")
                if gid == ANONYMOUS
                else labels_by_id.get(gid, gid)
            )
            out.append(RosterEntry(group=gid, label=label, count=raw[gid]))
    return tuple(out)


def read_log(
    control: dict[str, Any], raw_notes: dict[str, Any], locale: str, anonymize: bool
) -> tuple[LogEntry, ...]:
    author_names = sorted(
        {n for v in raw_notes.values() if (n := str_of(dict_of(v).get("author"), 200).strip())},
        key=len,
        reverse=True,
    )
    log = []
    for entry in map(dict_of, list_of(control.get("log"))[-MAX_LOG:]):
        by = dict_of(entry.get("by"))
        role = str_of(by.get("role"), 40) or "server"
        name = opt_str_of(by.get("name"), 200) or None
        summary = str_of(entry.get("summary"), 2000)
        details = json_safe(dict_of(entry.get("details"))) or None
        if anonymize:
            role_label = (
                labels.t(locale, f"role.{role}") if labels.has(locale, f"role.{role}") else role
            )
            names = sorted({*author_names, *([name] if name else [])}, key=len, reverse=True)
            summary = _scrub(summary, names, role_label)
            name, details = None, None
        log.append(
            LogEntry(
                at=ms_of(entry.get("at")),
                role=role,
                name=name,
                op=str_of(entry.get("op"), 100),
                summary=summary,
                details=details,
            )
        )
    log.sort(key=lambda e: e.at if e.at is not None else -1)
    return tuple(log)


def _scrub(text: str, names: list[str], replacement: str) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", replacement, text)
    return text
