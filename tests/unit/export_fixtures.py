"""A realistic, filled Ko-Kreation board view for the export tests and the export benchmark.

`filled_board()` has notes in every field in German, Turkish, Arabic and with emoji, hostile
text (formula injection, markup, CDATA ends), B4 partner rows, C3 actions with due dates and
done flags, an A3 initiative grid, closed voting results, an agenda with actuals, a decision
log, an anonymous note and notes outside any known field. `big_board(n)` scales it up.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from canvas_schema import Canvas, load_canvas
from server.export.labels import canvas_text
from server.export.model import ExportInput

Json = dict[str, Any]

# 2026-03-03 09:00 in Berlin (08:00 UTC): the workshop starts.
START_MS = int(datetime(2026, 3, 3, 8, 0, tzinfo=UTC).timestamp() * 1000)
EXPORTED_AT = START_MS / 1000 + 4 * 3600
MIN = 60_000

AUTHORS = ("Petra Schäfer", "Ayşe Yıldız", "Max Mustermann", "Lina Haddad", "Jonas Becker")
MODERATOR = "Sabine Vogel"
HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "</svg>",
    "]]>",
    "& < > \" '",
)
TURKISH = "Birlikte karar vermek: ağırlık, şeffaflık ve güven. İyi bir başlangıç!"
ARABIC = "مبادرة الحي الرقمي"
ARABIC_PARTNER = "جمعية الجالية العربية"
EMOJI = "Gemeinschaftsgarten ☀ mit Schulklassen 😀"


def canvas() -> Canvas:
    return load_canvas("ko-kreation")


class _Notes:
    """Builds the notes map with stable ids and increasing timestamps."""

    def __init__(self) -> None:
        self.notes: dict[str, Json] = {}
        self.clock = START_MS + 20 * MIN

    def add(
        self, note_id: str, field: str | None, text: str, drop: tuple[str, ...] = (), **extra: Any
    ) -> str:
        self.clock += 37_000
        index = len(self.notes)
        note: Json = {
            "text": text,
            # spread notes over the field like people do: three across, then the next row
            "x": round(0.17 + 0.33 * (index % 3), 4),
            "y": round(0.25 + 0.5 * ((index // 3) % 2), 4),
            "color": "yellow",
            "group": "administration",
            "author": AUTHORS[len(self.notes) % len(AUTHORS)],
            "author_id": f"pid{len(self.notes):04d}",
            "created_at": self.clock,
            "updated_at": self.clock + 5_000,
        }
        if field is not None:
            note["field"] = field
        note.update(extra)
        for key in drop:
            note.pop(key, None)
        self.notes[note_id] = note
        return note_id


def filled_board() -> Json:
    n = _Notes()
    # A1: shared definition, voted on
    n.add("a1-def", "A1", "Ko-Kreation heißt für uns: gemeinsam entscheiden, nicht nur anhören.")
    n.add("a1-tr", "A1", TURKISH, group="community-groups", color="green")
    n.add("a1-hyper", "A1", HOSTILE[0], group="initiatives")
    n.add(
        "a1-anon",
        "A1",
        "Ich wünsche mir, dass Ergebnisse wirklich umgesetzt werden.",
        author=None,
        author_id="pid-anon-would-link",  # must not reach any export
        group=None,
        color="pink",
    )
    # A2: strategy check
    n.add("a2-strat", "A2", "Smart-City-Strategie 2030, Kapitel 4: Beteiligung & Teilhabe")
    n.add("a2-plus", "A2", HOSTILE[1], group="politics")
    n.add("a2-minus", "A2", HOSTILE[2], group="politics")
    n.add("a2-at", "A2", HOSTILE[3], group="business")
    # A3: the initiative diagram (x: sustainability -> technology, y: administration -> community)
    n.add("a3-repair", "A3", "Repair-Café Nordstadt", x=0.1, y=0.92, group="civil-society")
    n.add(
        "a3-air", "A3", "Luftdaten-Sensoren (Citizen Science)", x=0.85, y=0.8, group="initiatives"
    )
    n.add("a3-portal", "A3", "Offenes Datenportal der Stadt", x=0.9, y=0.05)
    n.add("a3-garden", "A3", EMOJI, x=0.2, y=0.5, group="residents", color="green")
    n.add("a3-ar", "A3", ARABIC, x=0.55, y=0.45, group="community-groups")
    n.add("a3-unplaced", "A3", "FabLab im Technologiezentrum", drop=("x", "y"), group="science")
    # A4: future perspective, voted on
    n.add("a4-lab", "A4", "In fünf Jahren: ein offenes Labor im Rathaus, für alle erreichbar.")
    n.add("a4-script", "A4", HOSTILE[4], group="youth")
    n.add(
        "a4-multi",
        "A4",
        "Kurzfristig: Prototypen testen.\nLangfristig: gemeinsame Betriebsmodelle.",
        group="science",
    )
    # B1: fields of action, voted on
    n.add("b1-mob", "B1", "Mobilität", color="blue")
    n.add("b1-heat", "B1", "Klimaanpassung & Hitzeschutz", color="blue", group="civil-society")
    n.add("b1-health", "B1", "Gesundheit 😀 und Pflege im Quartier", color="blue")
    # B2: mission
    n.add(
        "b2-mission",
        "B2",
        "Bis 2028 machen wir mit Schulen und Initiativen Hitzeinseln sichtbar – "
        "gemeinsam gemessen, gemeinsam gelöst.",
    )
    n.add("b2-svg", "B2", HOSTILE[5], group="initiatives")
    # B3: format cards
    n.add("b3-ctp", "B3", "Passt zu unseren Sensor-Projekten", format="civic-tech-partnership")
    n.add("b3-fund", "B3", HOSTILE[6], format="co-creation-fund", group="business")
    # B4: project partners (text is the actor)
    n.add(
        "b4-lib",
        "B4",
        "Stadtbibliothek",
        kind="partner",
        resources="Räume, 3D-Drucker",
        competences="Medienbildung",
        tasks="Workshops für Jugendliche",
    )
    n.add(
        "b4-oklab",
        "B4",
        "OK Lab Musterstadt",
        kind="partner",
        resources="Freiwillige Entwickler:innen",
        competences="Open Data, Sensorik",
        tasks="Datenplattform mitbauen",
        group="initiatives",
    )
    n.add(
        "b4-parents",
        "B4",
        "Elternverein | Alleinerziehende",
        kind="partner",
        resources=HOSTILE[7],
        competences="Erfahrung mit Kinderbetreuung",
        tasks="Termine familienfreundlich planen",
        group="civil-society",
    )
    n.add(
        "b4-ar",
        "B4",
        ARABIC_PARTNER,
        kind="partner",
        resources="Übersetzungen",
        competences="Zugang zu arabischsprachigen Familien",
        tasks="Einladungen mehrsprachig verteilen",
        group="community-groups",
    )
    # C1, C2
    n.add("c1-budget", "C1", "Haushaltsmittel erst ab 2027 verfügbar")
    n.add("c1-dsgvo", "C1", "Datenschutz-Folgenabschätzung nötig (DSGVO)", group="science")
    n.add(
        "c2-verdict", "C2", "Ehrgeizig, aber machbar – wenn die Zuständigkeit im Dezernat klar ist."
    )
    # C3: next steps (text is "what", owner is "who")
    n.add(
        "c3-call",
        "C3",
        "Erstgespräch mit OK Lab vereinbaren",
        kind="action",
        owner="Amt für Digitalisierung (Fr. Demir)",
        due="2026-03-20",
        done=False,
    )
    n.add(
        "c3-minutes",
        "C3",
        "Protokoll an alle verschicken; Fotos anhängen, bitte",
        kind="action",
        owner="Moderation",
        due="2026-03-05",
        done=True,
    )
    n.add(
        "c3-funding",
        "C3",
        "Fördermittel prüfen\nund Antrag skizzieren",
        kind="action",
        owner="Kämmerei",
        due="2026-04-30",
        done=False,
    )
    n.add(
        "c3-overview",
        "C3",
        "Überblick über alle Initiativen erstellen, die im Diagramm auftauchen, mit "
        "Ansprechpersonen, Kontaktwegen und Zeitplänen für die nächsten Treffen",
        kind="action",
        owner="Quartiersmanagement Süd",
        due="2026-06-15",
        done=False,
    )
    n.add("c3-vague", "C3", "Rückmeldung an die Jugendgruppe", kind="action", due="bald")
    # notes outside the canvas: an old field id and a note without a field
    n.add("x-old", "Z9", "Notiz aus einem früheren Feld")
    n.add("x-nofield", None, "Notiz ohne Feldangabe")

    results = {
        "a1-def": {"total": 5, "by_group": {"administration": 3, "civil-society": 2}},
        "a1-tr": {"total": 7, "by_group": {"community-groups": 4, "youth": 2, "anonymous": 1}},
        "a1-anon": {"total": 2, "by_group": {"anonymous": 2}},
        "a4-lab": {"total": 4, "by_group": {"administration": 1, "initiatives": 3}},
        "b1-heat": {"total": 9, "by_group": {"civil-society": 4, "administration": 5}},
        "b1-mob": {"total": 1, "by_group": {"politics": 1}},
    }
    agenda = _agenda()
    # the log as the server writes it: op, an English summary for operators, details
    log = [
        _log(0, "agenda.set", "agenda: 7 items"),
        _log(20, "timer.start", "timer A 60 min", target="A", seconds=3600),
        _log(32, "private.set", "private writing in A1", field="A1"),
        _log(40, "private.reveal", "4 private notes revealed in A1", field="A1", count=4),
        _log(50, "timer.extend", "timer +2 min", target="A", seconds=120),
        _log(80, "vote.open", "vote opened on A1, A4, B1: 3 dots each", **_VOTE),
        _log(95, "vote.close", "vote closed: 14 voters, 28 dots", voters=14),
        _log(96, "lock.set", "field C2 locked", fields=["C2"], locked=True),
        _log(97, "snapshot.create", "snapshot 'Ende Teil B'", sid="s1"),
        _log(200, "timer.done", "time is up for C", role="server", name=None, target="C"),
    ]
    return {
        "meta": {
            "canvas": "ko-kreation",
            "canvas_version": 1,
            "title": "Ko-Kreation Musterstadt – Smart City & Quartier",
            "locale": "de",
            "created_at": START_MS - 2 * 24 * 3600 * 1000,
            "groups": [
                "administration",
                "politics",
                "civil-society",
                "initiatives",
                "community-groups",
                "youth",
            ],
            "anonymous_allowed": True,
        },
        "notes": n.notes,
        "control": {
            "agenda": agenda,
            "timer": {"target": "C3", "state": "done", "ends_at": None, "remaining_ms": 0},
            "locks": {"C2": True},
            "voting": {
                "state": "closed",
                "fields": ["A1", "A4", "B1"],
                "per_person": 3,
                "results": results,
            },
            "log": log,
            "roster": {
                "administration": 5,
                "civil-society": 3,
                "initiatives": 2,
                "community-groups": 2,
                "youth": 1,
                "anonymous": 2,
            },
        },
    }


def _agenda() -> list[Json]:
    planned = [
        ("intro", "intro", None, 15, 17),
        ("part-a", "part", "A", 60, 64),
        ("break-1", "break", None, 15, 12),
        ("part-b", "part", "B", 70, 75),
        ("break-2", "break", None, 10, 10),
        ("part-c", "part", "C", 45, 41),
        ("wrap-up", "wrap-up", None, 15, None),
    ]
    out: list[Json] = []
    clock = START_MS
    for aid, kind, part, minutes, actual in planned:
        item: Json = {
            "id": aid,
            "kind": kind,
            "part": part,
            "label": None,
            "minutes": minutes,
            "started_at": clock if actual is not None else None,
            "ended_at": clock + actual * MIN if actual is not None else None,
            "actual_ms": actual * MIN if actual is not None else 0,
        }
        out.append(item)
        clock += (actual or minutes) * MIN
    return out


_VOTE: Json = {"fields": ["A1", "A4", "B1"], "per_person": 3, "max_per_note": 3}


def _log(
    minute: int,
    op: str,
    summary: str,
    role: str = "moderator",
    name: str | None = MODERATOR,
    **details: Any,
) -> Json:
    return {
        "at": START_MS + minute * MIN,
        "by": {"role": role, "name": name},
        "op": op,
        "summary": summary,
        "details": details,
    }


def note_texts(board: Json) -> list[str]:
    """Every text a note carries (text, partner columns, owner), for "is it in the export"."""
    out: list[str] = []
    for note in board["notes"].values():
        for key in ("text", "resources", "competences", "tasks", "owner"):
            value = note.get(key)
            if isinstance(value, str) and value:
                out.append(value)
    return out


def field_titles(locale: str = "de") -> list[str]:
    own = canvas()
    return [canvas_text(own, locale, "field", f.id, "label") for f in own.fields]


def make_input(
    board: Json | None = None,
    locale: str = "de",
    anonymize: bool = False,
    source_label: str | None = "Zwischenstand „Ende Teil A“, 03.03.2026, 10:04",
) -> ExportInput:
    return ExportInput(
        board=board if board is not None else filled_board(),
        canvas=canvas(),
        locale=locale,
        exported_at=EXPORTED_AT,
        source_label=source_label,
        anonymize=anonymize,
        board_id="brd_test_0001",
    )


# ---- a big board for the benchmark --------------------------------------------------------

_WORDS = (
    "Quartier Beteiligung Daten Sensoren Nachbarschaft Schule Jugend Verwaltung Klima Hitze "
    "Mobilität Radweg Bibliothek Ehrenamt Förderung Strategie Plattform offen gemeinsam Zugang "
    "Straßenbäume Grünflächen Bürgerrat Werkstatt Prototyp Karte Initiative Verein Stadtteil"
).split()
_MIXED = (
    "Birlikte çalışmak güzel, ağaçlar ve şehir için",
    "حديقة مجتمعية في الحي",
    "Grünflächen für alle ☀",
    "Öffentliche Räume, Überdachung & Schatten",
)


def big_board(count: int = 500, seed: int = 7) -> Json:
    """The filled board plus generated notes spread over every field, `count` notes in all."""
    rng = random.Random(seed)
    board = filled_board()
    fields = [f.id for f in canvas().fields]
    groups = [g.id for g in canvas().groups]
    notes = board["notes"]
    i = 0
    while len(notes) < count:
        field = fields[i % len(fields)]
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 22)))
        text = f"{words}. {_MIXED[i % len(_MIXED)]}" if i % 5 == 0 else words.capitalize()
        note: Json = {
            "field": field,
            "text": text,
            "x": round(rng.random(), 4),
            "y": round(rng.random(), 4),
            "color": rng.choice(["yellow", "orange", "pink", "green", "blue", "purple"]),
            "group": rng.choice(groups),
            "author": rng.choice(AUTHORS) if i % 7 else None,
            "created_at": START_MS + i * 9_000,
            "updated_at": START_MS + i * 9_000 + 1_000,
        }
        if field == "B4":
            note.update(
                kind="partner", resources=words[:40], competences="Moderation", tasks="Mitmachen"
            )
        if field == "C3":
            note.update(
                kind="action", owner="Amt 61", due=f"2026-0{4 + i % 5}-1{i % 9}", done=i % 3 == 0
            )
        notes[f"gen-{i:04d}"] = note
        i += 1
    return board
