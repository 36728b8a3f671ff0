"""Compiled copies of the modules every keystroke runs through, used only while they match
their source (P371).

`make native` (part of `make run` and `make test`) compiles the modules in MODULES with
mypyc into `_native/` beside this file and writes a manifest: the interpreter they were
built for and a hash of every source they were built from. At import of the `server`
package a finder loads the compiled modules instead of the source, but only if the
manifest names this interpreter and every hash still matches: compiled modules call each
other directly, so one edited module makes all of them stale, and the process then runs
the source. `COCANVAS_NATIVE=0` turns them off.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
import sysconfig
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
NATIVE_DIR = Path(os.environ.get("COCANVAS_NATIVE_DIR") or Path(__file__).parent / "_native")
MANIFEST = "manifest.json"

# pure functions and plain classes on the update path: the pre-check, the policy and its
# reads, the wire's codec, the fan-out and a connection's queue. Nothing here is
# subclassed outside this list. The room's layers (durable.py to room.py) stay source:
# compiled classes take no weak references, which the unload tests rely on (P222).
MODULES = (
    "server.sync.precheck.limits",
    "server.sync.precheck.reader",
    "server.sync.precheck.ranges",
    "server.sync.precheck.parse",
    "server.sync.precheck.index",
    "server.sync.precheck.check",
    "server.sync.docreads",
    "server.sync.dates",
    "server.sync.clusters",
    "server.sync.partial",
    "server.sync.policy",
    "server.sync.writers",
    "server.sync.codec",
    "server.sync.reading",
    "server.sync.wsframe",
    "server.sync.fanout",
    "server.sync.budget",
    "server.sync.awareness",
    "server.sync.connection",
    "server.sync.revert",
    "server.sync.keystroke",
)

# what the process runs: "on" (compiled), "off" (COCANVAS_NATIVE=0), "absent" (never
# built), "stale" (built from other sources or for another interpreter)
STATE = "absent"


def source(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def sources() -> list[Path]:
    """What a build depends on: the compiled modules and every module they may read a
    constant of at compile time (mypyc inlines Final values of other modules)."""
    found: set[Path] = set()
    for folder in (ROOT / "server", ROOT / "canvas_schema"):
        found.update(folder.rglob("*.py"))
    return sorted(found)


def fingerprint() -> dict[str, object]:
    """What a build must have been made from to be loaded."""
    hashes = {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sources()
    }
    return {
        "abi": sysconfig.get_config_var("SOABI"),
        "python": sys.version,
        "sources": hashes,
    }


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def install(native_dir: Path = NATIVE_DIR) -> str:
    """Load the compiled modules from now on if they match their source; the state."""
    if os.environ.get("COCANVAS_NATIVE", "1") == "0":
        return "off"
    try:
        manifest = json.loads((native_dir / MANIFEST).read_text())
    except FileNotFoundError:
        return "absent"
    except (OSError, ValueError):
        return "stale"
    try:
        files = {name: native_dir / rel for name, rel in manifest["files"].items()}
        matches = manifest["fingerprint"] == fingerprint()
    except (KeyError, TypeError, AttributeError, OSError):
        return "stale"
    if not matches or not all(f.is_file() for f in files.values()):
        return "stale"
    if any(name in sys.modules for name in files):
        return "stale"  # imported as source already: two copies would disagree
    sys.meta_path.insert(0, _Finder(files))
    return "on"


def loaded() -> dict[str, bool]:
    """Each compiled module that is imported: whether it runs compiled."""
    out: dict[str, bool] = {}
    for name in MODULES:
        module = sys.modules.get(name)
        if module is not None:
            out[name] = not str(getattr(module, "__file__", "")).endswith(".py")
    return out


def report(log: logging.Logger) -> None:
    """Say at startup whether the update path runs compiled, and why not."""
    if STATE == "on":
        log.info("the update path runs compiled (%d modules, P371)", len(MODULES))
    elif STATE == "stale":
        log.warning(
            "the compiled modules do not match their source or this Python; running the "
            "source, which costs more CPU per update (make native builds them again)"
        )
    elif STATE == "absent":
        log.info("no compiled modules (make native builds them); running the source")
