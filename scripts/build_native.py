"""Compile the modules of the update path with mypyc into server/_native (P371).

    .venv/bin/python scripts/build_native.py

Builds in a scratch folder and replaces server/_native only when every module compiled,
with a manifest naming the interpreter and a hash of each source; the server loads
the compiled modules only while those still match (server/native.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["COCANVAS_NATIVE"] = "0"  # importing `server` must not load an older build

from server import native  # noqa: E402

GROUP = "cocanvas_native"


def build(out: Path) -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution

    paths = [str(native.source(m).relative_to(ROOT)) for m in native.MODULES]
    with tempfile.TemporaryDirectory(prefix="native-") as tmp:
        work = Path(tmp)
        lib, temp = work / "lib", work / "temp"
        cwd = os.getcwd()
        os.chdir(ROOT)  # mypyc names modules by their path from here
        try:
            fingerprint = native.fingerprint()
            extensions = mypycify(
                paths, opt_level="3", group_name=GROUP, target_dir=str(work / "c")
            )
            # setup() would read pyproject.toml, which older setuptools refuse; the
            # Distribution builds the extensions only
            dist = Distribution({"name": "cocanvas-native", "ext_modules": extensions})
            dist.script_args = [
                "-q",
                "build_ext",
                "--build-lib",
                str(lib),
                "--build-temp",
                str(temp),
            ]
            dist.parse_command_line()
            dist.run_commands()
        finally:
            os.chdir(cwd)
        files: dict[str, str] = {}
        for built in lib.rglob("*.so"):
            rel = built.relative_to(lib)
            name = ".".join((*rel.parent.parts, rel.name.split(".")[0]))
            files[name] = str(rel)
        missing = [m for m in native.MODULES if m not in files]
        if missing or not any(name.endswith("__mypyc") for name in files):
            raise SystemExit(f"mypyc built no module for {', '.join(missing) or 'the group'}")
        fresh = out.with_name(out.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(lib, fresh)
        manifest = {"fingerprint": fingerprint, "files": files, "built": int(time.time())}
        (fresh / native.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        fresh.rename(out)


def main() -> None:
    started = time.monotonic()
    build(native.NATIVE_DIR)
    took = time.monotonic() - started
    print(f"compiled {len(native.MODULES)} modules into {native.NATIVE_DIR} in {took:.0f} s")


if __name__ == "__main__":
    main()
