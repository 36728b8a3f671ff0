"""The update path runs compiled when built, and never from a build of other sources
(PROTOCOL.md P371)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server import native
from tests.support.live import ROOT

PROBE = """
import server, server.sync.policy as policy
print(server.native.STATE, policy.__file__.endswith(".py"))
"""


def _built() -> Path:
    if not (native.NATIVE_DIR / native.MANIFEST).is_file():
        if os.environ.get("CI"):
            pytest.fail("the update path is not compiled: make native")
        pytest.skip("the update path is not compiled: make native")
    return native.NATIVE_DIR


def _probe(**env: str) -> tuple[str, bool]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    state, source = run.stdout.split()
    return state, source == "True"


def test_p371_the_update_path_runs_compiled() -> None:
    _built()
    assert native.STATE == "on"
    for name in native.MODULES:
        importlib.import_module(name)
    assert native.loaded() == dict.fromkeys(native.MODULES, True)


def test_p371_a_changed_source_turns_every_compiled_module_off(tmp_path: Path) -> None:
    copy = tmp_path / "native"
    shutil.copytree(_built(), copy)
    assert _probe(COCANVAS_NATIVE_DIR=str(copy)) == ("on", False)

    manifest = json.loads((copy / native.MANIFEST).read_text())
    hashes = manifest["fingerprint"]["sources"]
    hashes["server/sync/policy.py"] = "0" * 64  # as if policy.py was edited since
    (copy / native.MANIFEST).write_text(json.dumps(manifest))
    assert _probe(COCANVAS_NATIVE_DIR=str(copy)) == ("stale", True)

    manifest["fingerprint"]["python"] = "another Python"
    (copy / native.MANIFEST).write_text(json.dumps(manifest))
    assert _probe(COCANVAS_NATIVE_DIR=str(copy)) == ("stale", True)

    (copy / native.MANIFEST).write_text("{ not json")
    assert _probe(COCANVAS_NATIVE_DIR=str(copy)) == ("stale", True)


def test_p371_without_a_build_or_when_turned_off_the_source_runs(tmp_path: Path) -> None:
    assert _probe(COCANVAS_NATIVE_DIR=str(tmp_path / "none")) == ("absent", True)
    assert _probe(COCANVAS_NATIVE="0") == ("off", True)
