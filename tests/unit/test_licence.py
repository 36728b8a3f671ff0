"""One licence: the full AGPL v3 text in LICENSE and the same SPDX id in every manifest."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPDX = "AGPL-3.0-or-later"
# sha256 of the Free Software Foundation's agpl-3.0.txt, unchanged
AGPL_SHA256 = "57c8ff33c9c0cfc3ef00e650a1cc910d7ee479a8bc509f6c9209a7c2a11399d6"


def test_licence_file_is_the_verbatim_agpl_v3() -> None:
    data = (ROOT / "LICENSE").read_bytes()
    assert data.lstrip().startswith(b"GNU AFFERO GENERAL PUBLIC LICENSE")
    assert hashlib.sha256(data).hexdigest() == AGPL_SHA256


def test_python_package_declares_the_licence() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == SPDX


@pytest.mark.parametrize("folder", ["client", "tests/interop", "bench"])
def test_node_packages_declare_the_licence(folder: str) -> None:
    manifest = json.loads((ROOT / folder / "package.json").read_text("utf-8"))
    assert manifest["license"] == SPDX
