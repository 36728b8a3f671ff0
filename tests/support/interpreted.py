"""Tests that replace a function or method of a compiled module (P371) see their
replacement ignored: compiled code calls its own directly. They run again in a process
that runs the source, and pass only if they pass there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server import native
from tests.support.live import ROOT


def elsewhere(request: pytest.FixtureRequest) -> bool:
    """True when the compiled modules are loaded: the test then ran in a process of its
    own, without them, and passed (it fails here when it failed there)."""
    if native.STATE != "on":
        return False
    env = {**os.environ, "COCANVAS_NATIVE": "0"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0:
        pytest.fail(f"failed in a process running the source:\n{run.stdout[-4000:]}")
    return True
