"""JSON export: valid against its documented schema, complete, privacy kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from server.export.json_export import load_schema, render_json
from tests.unit.export_fixtures import filled_board, make_input


def validate(data: Any) -> None:
    Draft202012Validator(
        load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    ).validate(data)


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_json_schema_documents_every_property() -> None:
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "description" in sub, f"{path}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(load_schema(), "$")


@pytest.mark.parametrize("anonymize", [False, True])
@pytest.mark.parametrize("locale", ["de", "en"])
def test_json_export_validates_against_the_schema(locale: str, anonymize: bool) -> None:
    validate(json.loads(render_json(make_input(locale=locale, anonymize=anonymize))))


def test_json_export_of_an_empty_board_validates() -> None:
    data = json.loads(render_json(make_input(board={}, source_label=None)))
    validate(data)
    assert data["notes"] == []
    assert data["source"] is None


def test_json_export_has_every_note_once() -> None:
    data = json.loads(render_json(make_input()))
    assert sorted(n["id"] for n in data["notes"]) == sorted(filled_board()["notes"])


def test_json_note_keeps_structured_keys_and_votes() -> None:
    data = json.loads(render_json(make_input()))
    notes = {n["id"]: n for n in data["notes"]}
    assert notes["c3-minutes"]["kind"] == "action"
    assert notes["c3-minutes"]["done"] is True
    assert notes["c3-minutes"]["due"] == "2026-03-05"
    assert notes["b4-lib"]["resources"] == "Räume, 3D-Drucker"
    assert notes["b1-heat"]["votes"] == 9
    assert notes["b1-heat"]["votes_by_group"] == {"administration": 5, "civil-society": 4}
    assert notes["a2-strat"]["votes"] is None
    assert notes["x-old"]["field"] == "other"
    assert notes["x-old"]["stored_field"] == "Z9"
    assert notes["a1-anon"]["anonymous"] is True and notes["a1-anon"]["author"] is None


def test_json_times_are_utc_iso_8601() -> None:
    data = json.loads(render_json(make_input()))
    assert data["exported_at"] == "2026-03-03T12:00:00.000Z"
    assert data["agenda"][0]["started_at"] == "2026-03-03T08:00:00.000Z"


def test_json_hides_votes_of_an_open_vote() -> None:
    board = filled_board()
    board["control"]["voting"]["state"] = "open"
    data = json.loads(render_json(make_input(board=board)))
    validate(data)
    assert all(n["votes"] is None for n in data["notes"])
    assert data["voting"]["results_shown"] is False
