"""One wire vocabulary: the server's declarations and the client's generated copy agree,
the server sends only declared events, and the client holds no hand-written copies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from server.export import FORMATS
from server.history import ALL_FORMATS
from server.store.base import SnapshotKind
from server.sync import appmsg, vocabulary
from server.sync.errors import CloseCode
from server.sync.vocab_ts import GENERATED_PATH, render_ts

ROOT = Path(__file__).resolve().parents[2]
CLIENT_SRC = ROOT / "client" / "src"


def test_generated_client_vocabulary_is_up_to_date() -> None:
    committed = (ROOT / GENERATED_PATH).read_text(encoding="utf-8")
    assert committed == render_ts(), (
        f"{GENERATED_PATH} is stale: run `cd client && node build.mjs --gen-only` and commit it"
    )


def test_generated_module_names_every_declaration() -> None:
    text = render_ts()
    for name in vocabulary.EVENTS:
        assert f'"{name}": {{ required:' in text
    for code in CloseCode:
        assert f"{code.name}: {code.value}," in text
    for key in vocabulary.NOTE_KEYS:
        assert f'"{key}"' in text


def _literal_arg(call: ast.Call, index: int) -> str | None:
    arg = call.args[index] if len(call.args) > index else None
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None


def _events_sent_by_server() -> dict[str, list[str]]:
    """Every literal event name passed to `send_event(conn, NAME, ...)` or `encode_event(NAME)`."""
    sent: dict[str, list[str]] = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            index = {"send_event": 1, "encode_event": 0}.get(node.func.attr)
            if index is None:
                continue
            if len(node.args) > index and isinstance(node.args[index], ast.Name):
                continue  # a pass-through (`send_event` itself); encode_event checks at run time
            name = _literal_arg(node, index)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert name is not None, f"{where}: event names are literals, so tests can see them"
            sent.setdefault(name, []).append(where)
    return sent


def test_server_sends_exactly_the_declared_events() -> None:
    sent = _events_sent_by_server()
    undeclared = {name: where for name, where in sent.items() if name not in vocabulary.EVENTS}
    assert not undeclared, f"declare these in server/sync/vocabulary.py: {undeclared}"
    assert set(vocabulary.EVENTS) == set(sent), "a declared event that no code sends"


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ("timer.ended", {"target": "A1"}),
        ("join.code", {"join_code": "ABCD-2345", "extra": 1}),
        ("join.code", {}),
        ("rejected", {"code": "invalid"}),
    ],
)
def test_undeclared_event_or_field_cannot_be_sent(event: str, fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="vocabulary.py"):
        appmsg.encode_event(event, fields)


def test_declared_event_with_optional_fields_is_sent() -> None:
    out = appmsg.decode_server_message(appmsg.encode_event("vote.state", {"state": "idle"}))
    assert out == {"ev": "vote.state", "state": "idle"}


def test_export_formats_are_the_renderers() -> None:
    assert set(vocabulary.EXPORT_FORMATS) == set(FORMATS)
    assert set(ALL_FORMATS) == {*vocabulary.EXPORT_FORMATS, vocabulary.ARCHIVE_FORMAT}
    assert set(vocabulary.HEAVY_EXPORTS) <= set(vocabulary.EXPORT_FORMATS)


def test_store_snapshot_kinds_are_the_vocabulary() -> None:
    assert SnapshotKind is vocabulary.SnapshotKind


# ---- the client side: no hand-written copies ------------------------------------------------

_TOKEN = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`", re.S
)
_STRING_LIST = re.compile(r"\[\s*(?:(?:'[^']*'|\"[^\"]*\")\s*,?\s*){2,}\]")
_CLOSE_NUMBER = re.compile(r"\b4[45]\d\d\b")


def _code_only(source: str) -> str:
    """The source with comments removed and every string literal emptied (same offsets)."""

    def blank(m: re.Match[str]) -> str:
        text = m.group(0)
        if text.startswith(("//", "/*")):
            return re.sub(r"[^\n]", " ", text)
        return text[0] + " " * (len(text) - 2) + text[-1]

    return _TOKEN.sub(blank, source)


def _without_comments(source: str) -> str:
    return _TOKEN.sub(lambda m: " " if m.group(0).startswith(("//", "/*")) else m.group(0), source)


def _client_modules() -> list[Path]:
    return [
        p
        for p in sorted(CLIENT_SRC.rglob("*.ts"))
        if not p.name.endswith((".gen.ts", ".test.ts")) and "i18n" not in p.parts
    ]


def _vocabulary_sets() -> dict[str, set[str]]:
    from server.sync.ops import OPS

    return {
        "ROLES": set(vocabulary.ROLES),
        "ROOTS": {vocabulary.ROOT_META, vocabulary.ROOT_NOTES, vocabulary.ROOT_CONTROL},
        "OPS": set(OPS),
        "ERROR_CODES": {str(c) for c in appmsg.ErrorCode},
        "EVENTS": set(vocabulary.EVENTS),
        "NOTE_KEYS": set(vocabulary.NOTE_KEYS),
        "TEXT_KEYS": set(vocabulary.TEXT_KEYS),
        "NOTE_KINDS": set(vocabulary.NOTE_KINDS),
        "SNAPSHOT_KINDS": set(vocabulary.SNAPSHOT_KINDS),
        "TIMER_STATES": set(vocabulary.TIMER_STATES),
        "LOCK_CAUSES": set(vocabulary.LOCK_CAUSES),
        "EXPORT_FORMATS": {*vocabulary.EXPORT_FORMATS, vocabulary.ARCHIVE_FORMAT},
    }


def copies_in(source: str) -> list[str]:
    """Lists that copy a whole vocabulary set, perhaps plus one or two local names (a subset
    is a choice, and typed), and close codes written as numbers."""
    found = []
    sets = _vocabulary_sets()
    for m in _STRING_LIST.finditer(_without_comments(source)):
        items = set(re.findall(r"'([^']*)'|\"([^\"]*)\"", m.group(0)))
        names = {a or b for a, b in items}
        for set_name, members in sets.items():
            if members <= names and len(names - members) <= 2:
                found.append(f"{m.group(0)[:60]} copies {set_name}")
                break
    for m in _CLOSE_NUMBER.finditer(_code_only(source)):
        found.append(f"close code {m.group(0)} (use CLOSE from vocab.gen.ts)")
    return found


def test_scanner_finds_hand_written_copies() -> None:
    kinds = "['manual', 'auto', 'part-end', 'last-leave', 'before-restore']"
    assert copies_in(f"const K = {kinds} as const") == [f"{kinds[:60]} copies SNAPSHOT_KINDS"]
    assert copies_in("const K = ['auto', 'manual'] as const") == []
    assert copies_in("if (code === 4403) stop()") == [
        "close code 4403 (use CLOSE from vocab.gen.ts)"
    ]
    assert copies_in("t('error.4403') // was 4403\nconst x = ['a', 'b']") == []


def test_client_has_no_hand_written_vocabulary() -> None:
    modules = _client_modules()
    assert len(modules) > 50, "the client sources were not found"
    problems = [
        f"{p.relative_to(ROOT)}: {c}" for p in modules for c in copies_in(p.read_text("utf-8"))
    ]
    assert not problems, "import these from client/src/sync/vocab.gen.ts:\n" + "\n".join(problems)


def test_p33_note_kinds_of_the_wire_are_the_kinds_the_canvas_rule_knows() -> None:
    import canvas_schema

    assert vocabulary.NOTE_KINDS == tuple(canvas_schema.NOTE_KINDS)
