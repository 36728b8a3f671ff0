"""The session records in `board["control"]`: agenda, roster and decision log, for the report.

Defensive like the rest of the build: odd entries are skipped or read as empty. With the
anonymize option the log keeps roles only and scrubs author names from its summaries.
"""

from __future__ import annotations

import re
from typing import Any

from canvas_schema import Canvas

from . import labels
from .labels import canvas_text
from .logwords import SENTENCE_KEYS
from .readers import (
    dict_of,
    int_of,
    json_safe,
    list_of,
    ms_of,
    num_of,
    opt_str_of,
    str_of,
)
from .report import ANONYMOUS, AgendaItem, Decision, Group, LogEntry, RosterEntry

MODERATOR = "moderator"

# Bound, so a hostile or broken board cannot make an export huge.
MAX_LOG = 5_000
MAX_DECISIONS = 500
NOTE_EXCERPT = 80


def read_agenda(
    control: dict[str, Any], canvas: Canvas, locale: str, now_ms: int
) -> tuple[AgendaItem, ...]:
    """The agenda with actual times; the item a running timer counts for gets its time
    so far (`now_ms` minus the running segment's start), so a part still under way never
    reads "0 min"."""
    planned = {a.id: a for a in canvas.agenda}
    part_ids = {p.id for p in canvas.parts}
    # without a recorded agenda the board follows the canvas's plan
    items = [dict_of(a) for a in list_of(control.get("agenda"))] or [
        {"id": a.id, "part": a.part} for a in canvas.agenda
    ]
    running_id, running_ms = _running(control, canvas, items, now_ms)
    out = []
    for item in items:
        aid = str_of(item.get("id"), 100)
        base = planned.get(aid)
        part = opt_str_of(item.get("part"), 20) or (
            base.part[:20] if base and base.part is not None else None
        )
        label = str_of(item.get("label"), 300) or (
            canvas_text(canvas, locale, "agenda", aid, "label") if base else ""
        )
        if not label and part in part_ids:
            label = labels.t(
                locale,
                "part.heading",
                id=part,
                label=canvas_text(canvas, locale, "part", part or "", "label"),
            )
        started, ended = ms_of(item.get("started_at")), ms_of(item.get("ended_at"))
        actual = int_of(item.get("actual_ms"))
        if not actual and started is not None and ended is not None and ended > started:
            actual = ended - started
        running = aid == running_id and running_ms is not None
        if running and running_ms is not None:
            actual = (actual or 0) + running_ms
        minutes = num_of(item.get("minutes"))
        out.append(
            AgendaItem(
                id=aid,
                kind=str_of(item.get("kind"), 40) or (str(base.kind)[:40] if base else ""),
                part=part,
                label=label or aid,
                planned_minutes=minutes
                if minutes is not None
                else (float(base.minutes) if base else None),
                actual_ms=actual if actual else None,
                started_at=started,
                ended_at=ended,
                running=running,
            )
        )
    return tuple(out)


def _running(
    control: dict[str, Any], canvas: Canvas, items: list[dict[str, Any]], now_ms: int
) -> tuple[str | None, int | None]:
    """(agenda item id, ms run in the current segment) of a running timer, else (None, None).

    The item is found the way the server accrues time: the target itself when it is an
    agenda id, else the first item of the target's part (a part id or a field's part).
    """
    timer = dict_of(control.get("timer"))
    started = ms_of(timer.get("segment_started"))
    target = str_of(timer.get("target"), 100)
    if timer.get("state") != "running" or started is None or not target:
        return None, None
    ids = [str_of(i.get("id"), 100) for i in items]
    item_id: str | None = target if target in ids else None
    if item_id is None:
        part_ids = {p.id for p in canvas.parts}
        field_part = {f.id: f.part for f in canvas.fields}
        part = target if target in part_ids else field_part.get(target)
        item_id = next(
            (str_of(i.get("id"), 100) for i in items if part and i.get("part") == part), None
        )
    return item_id, max(0, now_ms - started)


def read_roster(
    control: dict[str, Any], groups: tuple[Group, ...], locale: str, anonymize: bool
) -> tuple[RosterEntry, ...]:
    """People per group, moderators on a row of their own.

    The server counts each person once under the group they chose, and "anonymous" for
    no group: that key means "no group", not "no name". Moderators choose no group, so
    those the decision log names are taken out of the no-group count and listed as
    moderation (with their names unless the export is anonymized).
    """
    raw = {
        str(k): n for k, v in dict_of(control.get("roster")).items() if (n := int_of(v) or 0) > 0
    }
    names, unnamed = _moderators(control)
    moderators = len(names) + (1 if unnamed and not names else 0)
    if MODERATOR in raw:  # a server that counts moderators itself
        moderators = raw.pop(MODERATOR)
    elif moderators and raw.get(ANONYMOUS):
        taken = min(moderators, raw[ANONYMOUS])
        raw[ANONYMOUS] -= taken
        moderators = taken
        if not raw[ANONYMOUS]:
            del raw[ANONYMOUS]
    else:
        moderators = 0
    order = [g.id for g in groups] + sorted(k for k in raw if k != ANONYMOUS) + [ANONYMOUS]
    labels_by_id = {g.id: g.label for g in groups}
    out: list[RosterEntry] = []
    if moderators:
        shown = () if anonymize else tuple(names[:moderators])
        label = labels.t(locale, "roster.moderation")
        out.append(RosterEntry(group=MODERATOR, label=label, count=moderators, names=shown))
    seen: set[str] = set()
    for gid in order:
        if gid in raw and gid not in seen:
            seen.add(gid)
            label = (
                labels.t(locale, "roster.no_group")
                if gid == ANONYMOUS
                else labels_by_id.get(gid, gid)
            )
            out.append(RosterEntry(group=gid, label=label, count=raw[gid]))
    return tuple(out)


def _moderators(control: dict[str, Any]) -> tuple[list[str], bool]:
    """Distinct moderator names in the log (first seen first), and whether one was unnamed."""
    names: dict[str, None] = {}
    unnamed = False
    for entry in map(dict_of, list_of(control.get("log"))[-MAX_LOG:]):
        by = dict_of(entry.get("by"))
        if by.get("role") != MODERATOR:
            continue
        name = str_of(by.get("name"), 200).strip()
        if name:
            names.setdefault(name, None)
        else:
            unnamed = True
    return list(names), unnamed


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
            # the sentence keys carry ids, counts and flags, never a person's name
            kept = {k: v for k, v in (details or {}).items() if k in SENTENCE_KEYS}
            role_label = (
                labels.t(locale, f"role.{role}") if labels.has(locale, f"role.{role}") else role
            )
            names = sorted({*author_names, *([name] if name else [])}, key=len, reverse=True)
            summary = _scrub(summary, names, role_label)
            name, details = None, kept or None
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


def read_decisions(
    control: dict[str, Any],
    raw_notes: dict[str, Any],
    field_labels: dict[str, str],
    locale: str,
    anonymize: bool,
) -> tuple[Decision, ...]:
    """The group's decisions (P230), oldest first, each with its field or note in words."""
    out = []
    for item in map(dict_of, list_of(control.get("decisions"))[:MAX_DECISIONS]):
        text = str_of(item.get("text"), 2000).strip()
        if not text:
            continue
        by = dict_of(item.get("by"))
        field = opt_str_of(item.get("field"), 100) or None
        note = opt_str_of(item.get("note"), 100) or None
        link = ""
        if note is not None:
            raw = raw_notes.get(note)
            words = " ".join(str_of(dict_of(raw).get("text"), 2000).split())
            if raw is None:
                link = labels.t(locale, "decisions.note_gone")
            elif words:
                if len(words) > NOTE_EXCERPT:
                    words = words[: NOTE_EXCERPT - 1].rstrip() + "…"
                link = labels.t(locale, "decisions.note", text=words)
        if field is not None:
            place = f"{field} {field_labels[field]}" if field in field_labels else field
            link = f"{place}: {link}" if link else place
        out.append(
            Decision(
                id=str_of(item.get("id"), 100),
                text=text,
                at=ms_of(item.get("at")),
                role=str_of(by.get("role"), 40) or "moderator",
                name=None if anonymize else (opt_str_of(by.get("name"), 200) or None),
                field=field,
                note=note,
                link=link,
                edited_at=ms_of(item.get("edited_at")),
            )
        )
    out.sort(key=lambda d: d.at if d.at is not None else -1)
    return tuple(out)
