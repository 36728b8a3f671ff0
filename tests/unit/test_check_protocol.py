"""scripts/check_protocol.py: rule IDs cited must be defined, defined ones tested."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.live import ROOT

SCRIPT = ROOT / "scripts" / "check_protocol.py"


def run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tree(tmp_path: Path, protocol: str, files: dict[str, str]) -> Path:
    (tmp_path / "server" / "sync").mkdir(parents=True)
    (tmp_path / "server" / "sync" / "PROTOCOL.md").write_text(protocol)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


PROTOCOL = "# Rules\n\n## Sync (P1-P9)\n\n- **P1 One.** first\n- **P2** second, see P1\n"


def test_this_repository_passes() -> None:
    done = run(ROOT)
    assert done.returncode == 0, done.stderr


def test_a_consistent_tree_passes(tmp_path: Path) -> None:
    tests = "def test_p1_p2_both() -> None: ...\n"
    done = run(tree(tmp_path, PROTOCOL, {"tests/test_x.py": tests, "server/a.py": "# P1-P2\n"}))
    assert done.returncode == 0, done.stderr


def test_a_citation_of_an_undefined_rule_fails(tmp_path: Path) -> None:
    files = {"tests/test_x.py": "def test_p1_p2_both() -> None: ...\n", "server/a.py": "# P3\n"}
    done = run(tree(tmp_path, PROTOCOL, files))
    assert done.returncode == 1
    assert "server/a.py:1: cites P3" in done.stderr


def test_a_rule_no_test_names_fails(tmp_path: Path) -> None:
    files = {"tests/test_x.py": "def test_p1_only() -> None: ...\n"}
    done = run(tree(tmp_path, PROTOCOL, files))
    assert done.returncode == 1
    assert "P2 is named by no test" in done.stderr and "P1 is named" not in done.stderr


def test_a_client_test_title_names_a_rule(tmp_path: Path) -> None:
    files = {
        "tests/test_x.py": "def test_p1_only() -> None: ...\n",
        "client/src/sync/x.test.ts": 'test("P2 second holds", () => {});\n',
    }
    assert run(tree(tmp_path, PROTOCOL, files)).returncode == 0


def test_a_rule_defined_twice_fails(tmp_path: Path) -> None:
    files = {"tests/test_x.py": "def test_p1_p2_both() -> None: ...\n"}
    done = run(tree(tmp_path, PROTOCOL + "- **P2** again\n", files))
    assert done.returncode == 1 and "P2 is defined more than once" in done.stderr
