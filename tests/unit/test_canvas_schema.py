"""canvas_schema: the Ko-Kreation canvas as data, validation, texts, migrations, export."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_schema import (
    SUPPORTED_LOCALES,
    Canvas,
    CanvasError,
    CanvasNotFoundError,
    FieldKind,
    Issue,
    Migration,
    MigrationError,
    canvas_to_json,
    list_canvases,
    load_canvas,
    load_canvas_file,
    migrate_board,
    missing_keys,
    summary_to_json,
    translate,
    validate,
    validate_board,
    write_ts_module,
)
from canvas_schema.catalog import shared_texts
from canvas_schema.export import main as export_main
from canvas_schema.issues import contrast
from canvas_schema.loader import CANVAS_DIR
from canvas_schema.migrations import MIGRATIONS

Json = dict[str, Any]
Mutation = Callable[[Json], None]


def ko_kreation_json() -> Json:
    data: Json = json.loads((CANVAS_DIR / "ko-kreation.json").read_text(encoding="utf-8"))
    return data


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def set_(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(data: Json) -> None:
        at(data, path[:-1])[path[-1]] = value

    return mutate


def delete(path: tuple[str | int, ...]) -> Mutation:
    def mutate(data: Json) -> None:
        del at(data, path[:-1])[path[-1]]

    return mutate


def add_field_a5(data: Json) -> None:
    data["grid"]["rows"] = 7
    layout = {"col": 1, "row": 7, "colspan": 2, "rowspan": 1}
    data["parts"][0]["fields"].append({"id": "A5", "kind": "notes", "layout": layout})


def write_canvas(directory: Path, data: Json, name: str | None = None) -> Path:
    path = directory / f"{name or data['id']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def city_canvas(canvas_id: str = "musterstadt") -> Json:
    """Ko-Kreation renamed, carrying all its texts inline (German only)."""
    data = ko_kreation_json()
    data["id"] = canvas_id
    data["locales"] = ["de"]
    prefix = "canvas.ko-kreation."
    data["texts"] = {
        "de": {
            f"canvas.{canvas_id}.{k.removeprefix(prefix)}": v for k, v in shared_texts("de").items()
        }
    }
    return data


def text_objects(value: object) -> Iterator[dict[str, Any]]:
    """Every `{"de": ..., "en": ...}` object inside resolved JSON."""
    if isinstance(value, dict):
        if set(value) == set(SUPPORTED_LOCALES):
            yield value
            return
        for item in value.values():
            yield from text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item)


@pytest.fixture
def canvas() -> Canvas:
    return load_canvas("ko-kreation")


# -- the Ko-Kreation canvas ---------------------------------------------------------------


def test_ko_kreation_file_validates_without_issues() -> None:
    assert validate(ko_kreation_json()) == []


def test_ko_kreation_has_three_parts_and_eleven_fields_of_the_right_kinds(canvas: Canvas) -> None:
    assert [p.id for p in canvas.parts] == ["A", "B", "C"]
    kinds = {f.id: f.kind for f in canvas.fields}
    assert list(kinds) == ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2", "C3"]
    special = {"A3": FieldKind.DIAGRAM, "B3": FieldKind.FORMATS}
    special |= {"B4": FieldKind.TABLE, "C3": FieldKind.ACTIONS}
    assert kinds == {f: special.get(f, FieldKind.NOTES) for f in kinds}


def test_a3_diagram_has_content_focus_and_governance_axes(canvas: Canvas) -> None:
    x, y = canvas.get_field("A3").axes
    assert (x.id, [(t.id, t.at) for t in x.ticks]) == (
        "x",
        [("sustainability", 0), ("technology", 1)],
    )
    ticks = [(t.id, t.at) for t in y.ticks]
    assert ticks == [("administration", 0), ("co-governance", 0.5), ("community", 1)]


def test_b4_and_c3_have_their_columns_and_b3_the_four_formats(canvas: Canvas) -> None:
    assert [c.id for c in canvas.get_field("B4").columns] == [
        "actor",
        "resources",
        "competences",
        "tasks",
    ]
    assert [c.id for c in canvas.get_field("C3").columns] == ["what", "who", "due", "done"]
    expected = [
        "smart-citizen-rat",
        "smart-city-fellowship",
        "civic-tech-partnership",
        "co-creation-fund",
    ]
    assert list(canvas.get_field("B3").formats) == expected
    assert [card.id for card in canvas.formats] == expected


def test_agenda_adds_up_to_a_three_to_four_hour_workshop(canvas: Canvas) -> None:
    assert 180 <= canvas.agenda_minutes <= 240


def test_agenda_gives_each_part_its_minutes_and_field_minutes_fit(canvas: Canvas) -> None:
    planned = {item.part: item.minutes for item in canvas.agenda if item.part}
    assert planned == {p.id: p.minutes for p in canvas.parts}
    for part in canvas.parts:
        assert sum(f.minutes or 0 for f in part.fields) <= part.minutes


def test_every_text_key_exists_in_german_and_english() -> None:
    assert missing_keys("de") == []
    assert missing_keys("en") == []
    assert missing_keys("en", "ko-kreation") == []


def test_catalogs_hold_exactly_the_needed_keys_and_no_empty_text(canvas: Canvas) -> None:
    for locale in SUPPORTED_LOCALES:
        texts = shared_texts(locale)
        assert sorted(texts) == sorted(canvas.text_keys())
        assert all(text.strip() == text and text for text in texts.values())


def test_texts_are_written_per_locale_not_copied(canvas: Canvas) -> None:
    de, en = shared_texts("de"), shared_texts("en")
    prompts = [canvas.key("field", f.id, "prompt") for f in canvas.fields]
    assert all(de[k] != en[k] for k in prompts)


def test_note_colours_keep_dark_text_readable(canvas: Canvas) -> None:
    assert len(canvas.note_colors) >= 6
    assert all(contrast(c.value, "#1a1a1a") >= 4.5 for c in canvas.note_colors)


def test_group_colours_are_distinct_and_visible_on_every_note(canvas: Canvas) -> None:
    colors = [g.color for g in canvas.groups]
    assert 8 <= len(colors) <= 9 and len(set(colors)) == len(colors)
    assert all(contrast(g, n.value) >= 3 for g in colors for n in canvas.note_colors)


# -- validation of broken canvases ---------------------------------------------------------

A3 = ("parts", 0, "fields", 2)
BROKEN: list[tuple[str, Mutation, str, str]] = [
    (
        "unknown field kind",
        set_(("parts", 0, "fields", 0, "kind"), "note"),
        "parts[0].fields[0].kind",
        "unknown field kind 'note'; expected one of: actions, diagram, formats, notes, table",
    ),
    ("bad canvas id", set_(("id",), "Ko_Kreation"), "id", "invalid canvas id 'Ko_Kreation'"),
    ("version zero", set_(("version",), 0), "version", "version must be a whole number from 1"),
    ("bad part id", set_(("parts", 0, "id"), "AB"), "parts[0].id", "invalid part id 'AB'"),
    (
        "field id of another part",
        set_(("parts", 1, "fields", 0, "id"), "A9"),
        "parts[1].fields[0].id",
        "field id 'A9' must start with its part id 'B'",
    ),
    (
        "diagram lacks y",
        delete((*A3, "axes", "y")),
        "parts[0].fields[2].axes.y",
        "missing axis 'y'",
    ),
    (
        "ticks out of order",
        set_((*A3, "axes", "y", "ticks", 2, "at"), 0.25),
        "parts[0].fields[2].axes.y.ticks[2].at",
        "ticks must be in ascending order; 0.25 is not above the previous 0.5",
    ),
    (
        "tick outside 0..1",
        set_((*A3, "axes", "x", "ticks", 1, "at"), 1.5),
        "parts[0].fields[2].axes.x.ticks[1].at",
        "tick position must be from 0 to 1, got number 1.5",
    ),
    (
        "axis with one tick",
        set_((*A3, "axes", "x", "ticks"), [{"id": "sustainability", "at": 0}]),
        "parts[0].fields[2].axes.x.ticks",
        "needs at least 2 ticks, got 1",
    ),
    (
        "table without columns",
        set_(("parts", 1, "fields", 3, "columns"), []),
        "parts[1].fields[3].columns",
        "needs at least 1 column, got 0",
    ),
    (
        "duplicate column",
        set_(("parts", 2, "fields", 2, "columns", 1, "id"), "what"),
        "parts[2].fields[2].columns[1].id",
        "duplicate column id 'what' (first used at parts[2].fields[2].columns[0].id)",
    ),
    (
        "unknown format card",
        set_(("parts", 1, "fields", 2, "formats", 0), "hackathon"),
        "parts[1].fields[2].formats[0]",
        "unknown format card 'hackathon'; known: civic-tech-partnership, co-creation-fund",
    ),
    (
        "columns on a notes field",
        set_(("parts", 0, "fields", 0, "columns"), [{"id": "x"}]),
        "parts[0].fields[0].columns",
        "'columns' is only used by table and actions fields, not by notes fields",
    ),
    (
        "agenda names unknown part",
        set_(("agenda", 1, "part"), "D"),
        "agenda[1].part",
        "unknown part 'D'; known parts: A, B, C",
    ),
    (
        "agenda zero minutes",
        set_(("agenda", 0, "minutes"), 0),
        "agenda[0].minutes",
        "from 1 to 240",
    ),
    (
        "unknown agenda kind",
        set_(("agenda", 2, "kind"), "pause"),
        "agenda[2].kind",
        "unknown agenda kind 'pause'; expected one of: break, intro, part, wrap-up",
    ),
    (
        "agenda minutes differ from part",
        set_(("agenda", 1, "minutes"), 50),
        "agenda[1].minutes",
        "50 minutes differ from the 60 at parts[0].minutes",
    ),
    (
        "field minutes exceed part",
        set_(("parts", 0, "fields", 0, "minutes"), 40),
        "parts[0].fields",
        "field minutes add up to 90, more than the part's 60",
    ),
    (
        "field outside the grid",
        set_(("parts", 0, "fields", 3, "layout", "colspan"), 4),
        "parts[0].fields[3].layout",
        "field reaches column 13, but the grid has 12 columns",
    ),
    (
        "overlapping fields",
        set_(("parts", 0, "fields", 1, "layout", "row"), 1),
        "parts[0].fields[1].layout",
        "overlaps field A1 at column 1, row 1",
    ),
    (
        "group colour not #rrggbb",
        set_(("groups", 0, "color"), "blue"),
        "groups[0].color",
        "invalid colour 'blue'; expected a colour written as '#rrggbb'",
    ),
    (
        "group colour invisible on notes",
        set_(("groups", 0, "color"), "#9ecbff"),
        "groups[0].color",
        "a group badge needs at least 3:1",
    ),
    (
        "dark note colour",
        set_(("note_colors", 0, "value"), "#555555"),
        "note_colors[0].value",
        "needs at least 4.5:1 (WCAG AA)",
    ),
    ("unknown top-level key", set_(("colour",), "red"), "colour", "unknown key 'colour'"),
    ("missing grid", delete(("grid",)), "grid", "missing required key 'grid'"),
    (
        "default locale not offered",
        set_(("default_locale",), "fr"),
        "default_locale",
        "default locale 'fr' is not one of: de, en",
    ),
    (
        "new field without texts",
        add_field_a5,
        "texts.en",
        "missing text for key 'canvas.ko-kreation.field.A5.help' in locale 'en'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [pytest.param(m, p, f, id=name) for name, m, p, f in BROKEN],
)
def test_broken_canvas_reports_precise_issue(mutate: Mutation, path: str, fragment: str) -> None:
    data = copy.deepcopy(ko_kreation_json())
    mutate(data)
    issues = validate(data)
    assert any(i.path == path and fragment in i.message for i in issues), issues


def test_duplicate_ids_name_the_first_occurrence() -> None:
    data = ko_kreation_json()
    data["parts"][0]["fields"][1]["id"] = "A1"
    data["groups"][1]["id"] = "administration"
    assert Issue(
        "parts[0].fields[1].id", "duplicate field id 'A1' (first used at parts[0].fields[0].id)"
    ) in validate(data)
    assert Issue(
        "groups[1].id", "duplicate group id 'administration' (first used at groups[0].id)"
    ) in validate(data)


def test_missing_required_key_is_reported_once() -> None:
    data = ko_kreation_json()
    del data["parts"][2]["fields"][2]["layout"]
    assert validate(data) == [Issue("parts[2].fields[2].layout", "missing required key 'layout'")]


def test_non_object_canvas_is_one_issue() -> None:
    assert validate([1, 2]) == [Issue("", "expected an object, got array")]


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(alphabet="aAzZ09-#.x ", max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "kind", "x", "y", "ticks", "at", "columns", "layout", "part"])
            | st.text(alphabet="abc", max_size=3),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(database=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_validate_returns_issues_for_any_json_instead_of_raising(data: object) -> None:
    issues = validate(data)
    assert all(isinstance(i, Issue) for i in issues)


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@settings(database=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_paths(ko_kreation_json())), json_values)
def test_validate_never_raises_on_a_canvas_with_one_value_replaced(
    path: tuple[str | int, ...], value: object
) -> None:
    data = ko_kreation_json()
    set_(path, value)(data)
    issues = validate(data)
    assert all(isinstance(i, Issue) for i in issues)


# -- loading ------------------------------------------------------------------------------


def test_unknown_canvas_id_error_lists_known_ids() -> None:
    with pytest.raises(CanvasNotFoundError) as caught:
        load_canvas("ko-creation")
    assert str(caught.value) == "unknown canvas 'ko-creation'; known canvases: ko-kreation"
    assert isinstance(caught.value, LookupError)


def test_canvas_id_with_path_characters_is_not_found() -> None:
    with pytest.raises(CanvasNotFoundError):
        load_canvas("../canvases/ko-kreation")


def test_loaded_canvas_is_cached_and_hashable() -> None:
    assert load_canvas("ko-kreation") is load_canvas("ko-kreation")
    assert len({load_canvas("ko-kreation"), load_canvas("ko-kreation")}) == 1


def test_extra_dir_file_named_not_like_a_canvas_id_is_an_error(tmp_path: Path) -> None:
    write_canvas(tmp_path, city_canvas(), name="Musterstadt")
    with pytest.raises(CanvasError, match="'Musterstadt.json' is not a canvas id"):
        list_canvases([tmp_path])


def test_missing_extra_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_canvas("ko-kreation", [tmp_path / "nope"])


def test_city_canvas_in_extra_dir_is_listed_with_its_inline_texts(tmp_path: Path) -> None:
    write_canvas(tmp_path, city_canvas())
    canvases = list_canvases([tmp_path])
    assert [c.id for c in canvases] == ["ko-kreation", "musterstadt"]
    city = load_canvas("musterstadt", [tmp_path])
    assert translate(city.key("field", "A1", "label"), "de", city) == "Begriffsklärung"


def test_inline_texts_override_shared_texts_for_that_canvas(tmp_path: Path) -> None:
    data = ko_kreation_json()
    data["texts"] = {"de": {"canvas.ko-kreation.field.A1.label": "Was heißt Ko-Kreation bei uns?"}}
    write_canvas(tmp_path, data)
    city = load_canvas("ko-kreation", [tmp_path])
    resolved = canvas_to_json(city)["fields"][0]["label"]
    assert resolved == {"de": "Was heißt Ko-Kreation bei uns?", "en": "Shared definition"}
    assert (
        canvas_to_json(load_canvas("ko-kreation"))["fields"][0]["label"]["de"] == "Begriffsklärung"
    )


def test_inline_text_for_a_key_the_canvas_lacks_is_an_issue() -> None:
    data = ko_kreation_json()
    data["texts"] = {"en": {"canvas.ko-kreation.field.A9.label": "Typo"}}
    assert Issue(
        'texts.en["canvas.ko-kreation.field.A9.label"]',
        "unused text key: the canvas has no element with this key; check the spelling",
    ) in validate(data)


def test_canvas_file_name_must_match_its_id(tmp_path: Path) -> None:
    write_canvas(tmp_path, city_canvas("musterstadt"), name="other")
    with pytest.raises(CanvasError) as caught:
        load_canvas("other", [tmp_path])
    assert "does not match the file name 'other.json'" in str(caught.value)


def test_invalid_json_file_raises_canvas_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": ', encoding="utf-8")
    with pytest.raises(CanvasError) as caught:
        load_canvas_file(path)
    assert caught.value.issues[0].message.startswith("not valid JSON")


def test_canvas_error_lists_each_issue_on_its_own_line(tmp_path: Path) -> None:
    data = ko_kreation_json()
    data["version"] = 0
    data["parts"][0]["fields"][0]["kind"] = "note"
    path = write_canvas(tmp_path, data)
    with pytest.raises(CanvasError) as caught:
        load_canvas_file(path)
    lines = str(caught.value).splitlines()
    assert len(caught.value.issues) == 2 and len(lines) == 3
    assert lines[1] == "  version: version must be a whole number from 1 to 1000000, got integer 0"
    assert lines[2].startswith("  parts[0].fields[0].kind: unknown field kind 'note'")


# -- texts --------------------------------------------------------------------------------


def test_translate_returns_the_text_of_the_locale(canvas: Canvas) -> None:
    key = canvas.key("field", "C3", "label")
    assert (translate(key, "de"), translate(key, "en")) == ("Nächste Schritte", "Next steps")


def test_translate_falls_back_to_the_canvas_default_locale(tmp_path: Path) -> None:
    write_canvas(tmp_path, city_canvas())
    city = load_canvas("musterstadt", [tmp_path])
    assert translate(city.key("field", "C3", "label"), "en", city) == "Nächste Schritte"


def test_translate_falls_back_to_german_then_to_the_key() -> None:
    assert translate("canvas.ko-kreation.field.A1.label", "fr") == "Begriffsklärung"
    assert translate("canvas.ko-kreation.nothing", "en") == "canvas.ko-kreation.nothing"


# -- boards -------------------------------------------------------------------------------


def board(**notes: Json) -> Json:
    return {"meta": {"canvas": "ko-kreation", "canvas_version": 1}, "notes": notes}


def test_valid_board_has_no_issues(canvas: Canvas) -> None:
    notes: dict[str, Json] = {
        "n1": {"field": "A3", "text": "Gieß den Kiez", "x": 0.2, "y": 1, "color": "green"},
        "n2": {"field": "B4", "kind": "partner", "text": "FabLab", "resources": "3D-Drucker"},
        "n3": {"field": "C3", "kind": "action", "text": "Anrufen", "owner": None, "done": False},
        "n4": {"field": "A1", "text": "", "group": "youth", "author": None},
    }
    assert validate_board(board(**notes), canvas) == []


def test_board_note_in_unknown_field_is_reported(canvas: Canvas) -> None:
    issues = validate_board(board(n1={"field": "D1", "text": "?"}), canvas)
    assert issues == [Issue("notes.n1.field", f"unknown field 'D1'; known fields: {FIELD_LIST}")]


FIELD_LIST = "A1, A2, A3, A4, B1, B2, B3, B4, C1, C2, C3"


def test_board_note_position_outside_the_field_is_reported(canvas: Canvas) -> None:
    issues = validate_board(board(n1={"field": "A3", "x": 1.2, "y": 0.5}), canvas)
    assert issues == [Issue("notes.n1.x", "x must be a number from 0 to 1, got number 1.2")]


def test_partner_note_in_a_notes_field_is_reported(canvas: Canvas) -> None:
    issues = validate_board(board(n1={"field": "A1", "kind": "partner"}), canvas)
    message = "a 'partner' note belongs in a table field, but A1 is a notes field"
    assert issues == [Issue("notes.n1.kind", message)]


def test_action_note_outside_the_actions_field_is_reported(canvas: Canvas) -> None:
    issues = validate_board(board(n1={"field": "B4", "kind": "action"}), canvas)
    assert [i.path for i in issues] == ["notes.n1.kind"]


def test_board_of_an_older_canvas_version_asks_for_migration(canvas: Canvas) -> None:
    old = {"meta": {"canvas": "ko-kreation", "canvas_version": 0}, "notes": {}}
    assert [i.path for i in validate_board(old, canvas)] == ["meta.canvas_version"]


# -- migrations ---------------------------------------------------------------------------


def rename_a1(board_json: Json) -> Json:
    for note in board_json["notes"].values():
        if note["field"] == "A1":
            note["field"] = "A0"
    board_json.setdefault("log", []).append("rename-a1")
    return board_json


def tag_notes(board_json: Json) -> Json:
    for note in board_json["notes"].values():
        note["tagged"] = note["field"]
    board_json.setdefault("log", []).append("tag-notes")
    return board_json


MADE_UP = {
    "ko-kreation": [
        Migration(1, 2, "rename-a1", rename_a1),
        Migration(2, 3, "tag-notes", tag_notes),
    ]
}


def test_migrations_apply_in_order_and_set_the_version() -> None:
    original = board(n1={"field": "A1", "text": "x"})
    migrated = migrate_board(original, "ko-kreation", 1, 3, registry=MADE_UP)
    assert migrated["log"] == ["rename-a1", "tag-notes"]
    assert migrated["notes"]["n1"] == {"field": "A0", "text": "x", "tagged": "A0"}
    assert migrated["meta"]["canvas_version"] == 3
    assert original["notes"]["n1"] == {"field": "A1", "text": "x"}


def test_migration_can_stop_at_an_intermediate_version() -> None:
    migrated = migrate_board(board(n1={"field": "A1"}), "ko-kreation", 1, 2, registry=MADE_UP)
    assert migrated["log"] == ["rename-a1"] and migrated["meta"]["canvas_version"] == 2


def test_missing_migration_step_raises() -> None:
    with pytest.raises(MigrationError, match="no migration from version 3"):
        migrate_board(board(), "ko-kreation", 1, 4, registry=MADE_UP)


def test_downgrade_is_refused() -> None:
    with pytest.raises(MigrationError, match="down from version 2"):
        migrate_board(board(), "ko-kreation", 2, 1, registry=MADE_UP)


def test_every_built_in_canvas_is_reachable_from_version_one() -> None:
    for canvas in list_canvases():
        migrated = migrate_board(board(), canvas.id, 1, canvas.version)
        assert migrated["meta"]["canvas_version"] == canvas.version
        assert canvas.id in MIGRATIONS


# -- export -------------------------------------------------------------------------------


def test_canvas_json_has_the_agreed_shape(canvas: Canvas) -> None:
    data = canvas_to_json(canvas)
    assert list(data) == [
        "id", "version", "locales", "default_locale", "title", "description", "grid",
        "parts", "fields", "agenda", "groups", "note_colors", "formats",
    ]  # fmt: skip
    assert data["grid"] == {"columns": 12, "rows": 6}
    assert data["parts"][0]["fields"] == ["A1", "A2", "A3", "A4"]
    assert [f["id"] for f in data["fields"]] == FIELD_LIST.split(", ")
    a3, b3, b4 = (data["fields"][i] for i in (2, 6, 7))
    assert set(a3) - set(b4) == {"axes"} and set(b4) - set(a3) == {"columns"}
    assert b3["formats"][0] == "smart-citizen-rat" and "columns" not in b3
    assert a3["axes"]["y"]["ticks"][1] == {
        "id": "co-governance",
        "at": 0.5,
        "label": {"de": "Gemeinsam gesteuert (Co-Governance)", "en": "Co-governance"},
    }
    assert data["agenda"][0]["part"] is None and data["agenda"][1]["part"] == "A"
    assert set(data["formats"][0]) == {
        "id",
        "title",
        "aim",
        "how",
        "time_frame",
        "example",
        "dos",
        "donts",
    }
    assert len(data["formats"][0]["dos"]) == len(data["formats"][0]["donts"]) == 3


def test_every_resolved_text_has_german_and_english(canvas: Canvas) -> None:
    texts = list(text_objects(canvas_to_json(canvas)))
    assert len(texts) == len(canvas.text_keys())
    assert all(t["de"] and t["en"] and not t["de"].startswith("canvas.") for t in texts)


def test_summary_json_is_the_list_entry(canvas: Canvas) -> None:
    summary = summary_to_json(canvas)
    assert list(summary) == ["id", "version", "locales", "default_locale", "title", "description"]
    assert summary["title"] == {"de": "Ko-Kreations-Canvas", "en": "Co-Creation Canvas"}


def test_ts_module_holds_every_field_id(tmp_path: Path, canvas: Canvas) -> None:
    out = tmp_path / "canvas.gen.ts"
    write_ts_module(out)
    text = out.read_text(encoding="utf-8")
    assert "Do not edit" in text.splitlines()[1]
    assert all(f'"id": "{f.id}"' in text for f in canvas.fields)
    body = text.split("export const CANVASES = ", 1)[1].split(" as const;", 1)[0]
    assert json.loads(body) == {"ko-kreation": canvas_to_json(canvas)}


def test_export_command_writes_the_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "canvas.gen.ts"
    assert export_main([str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("export const CANVASES") == 1
    assert export_main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_p33_a_plain_note_may_sit_in_any_field_and_the_rule_is_shared(canvas: Canvas) -> None:
    from canvas_schema import misplaced_kind, validate_board

    board = {"notes": {"n": {"field": "A1", "text": "x", "kind": "note"}}}
    assert validate_board(board, canvas) == []
    assert misplaced_kind("note", "A1", "notes") is None
    assert misplaced_kind("action", "C3", "actions") is None
    assert misplaced_kind("partner", "A1", "notes") == (
        "a 'partner' note belongs in a table field, but A1 is a notes field"
    )
