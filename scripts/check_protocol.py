#!/usr/bin/env python3
"""Fail when PROTOCOL.md and the code disagree about rule IDs.

Every rule ID cited in code, tests or docs (`P20`, or a range `P100-P111` whose ends
both count) must be defined in server/sync/PROTOCOL.md as a `- **P<n>` item, and every
defined rule must be named by at least one test: a Python test function
`test_p20_...` (several: `test_p12_p13_...`) or a client test title mentioning `P20`.

Usage: python3 scripts/check_protocol.py [REPO_ROOT]; exit status 1 lists the problems.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

PROTOCOL = Path("server/sync/PROTOCOL.md")
CITING = (
    "server/**/*.py",
    "canvas_schema/**/*.py",
    "tests/**/*.py",
    "bench/**/*.py",
    "scripts/*.py",
    "client/src/**/*.ts",
    "README.md",
    "docs/*.md",
)
SKIP_PARTS = {"node_modules", "static", ".venv"}

DEFINITION = re.compile(r"^\s*[-*]\s+\*\*(P\d+)\b", re.M)
CITATION = re.compile(r"\bP(\d+)\b")
PY_TEST = re.compile(r"^\s*(?:async\s+)?def\s+test_((?:p\d+_)+)", re.M)
TS_TEST = re.compile(r"\b(?:test|it|describe)\(\s*[\"'`]([^\"'`]*)")


def defined_rules(text: str) -> tuple[set[str], list[str]]:
    seen: set[str] = set()
    twice: list[str] = []
    for rule in DEFINITION.findall(text):
        if rule in seen:
            twice.append(rule)
        seen.add(rule)
    return seen, twice


def sources(root: Path) -> Iterator[Path]:
    for pattern in CITING:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and not SKIP_PARTS & set(path.relative_to(root).parts):
                yield path


def citations(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        for found in CITATION.findall(line):
            yield number, f"P{found}"


def named_by_tests(path: Path, text: str) -> set[str]:
    names: set[str] = set()
    if path.suffix == ".py" and path.name.startswith("test_"):
        for ids in PY_TEST.findall(text):
            names.update(f"P{n}" for n in re.findall(r"p(\d+)_", ids))
    elif path.name.endswith(".test.ts"):
        for title in TS_TEST.findall(text):
            names.update(f"P{n}" for n in CITATION.findall(title))
    return names


def check(root: Path) -> list[str]:
    protocol = (root / PROTOCOL).read_text(encoding="utf-8")
    defined, twice = defined_rules(protocol)
    problems = [f"{PROTOCOL}: {rule} is defined more than once" for rule in twice]
    # PROTOCOL.md's headings name reserved ranges of rule IDs, which are not citations
    body = "\n".join("" if line.startswith("#") else line for line in protocol.splitlines())
    for number, rule in citations(body):
        if rule not in defined:
            problems.append(f"{PROTOCOL}:{number}: cites {rule}, which is not defined")
    named: set[str] = set()
    for path in sources(root):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root)
        for number, rule in citations(text):
            if rule not in defined:
                problems.append(f"{rel}:{number}: cites {rule}, not defined in {PROTOCOL}")
        named |= named_by_tests(path, text)
    for rule in sorted(defined - named, key=lambda r: int(r[1:])):
        problems.append(f"{PROTOCOL}: {rule} is named by no test (test_{rule.lower()}_...)")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} protocol rule problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
