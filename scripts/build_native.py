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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["COCANVAS_NATIVE"] = "0"  # importing `server` must not load an older build
# `make test` type-checks the tree while this builds: each mypy keeps its own cache
os.environ.setdefault("MYPY_CACHE_DIR", str(ROOT / ".mypy_cache" / "native"))

from server import native  # noqa: E402

GROUP = "cocanvas_native"


def _compile_side_by_side(  # the signature of distutils' CCompiler.compile
    self: Any,
    sources: list[str],
    output_dir: str | None = None,
    macros: Any = None,
    include_dirs: Any = None,
    debug: bool = False,
    extra_preargs: Any = None,
    extra_postargs: Any = None,
    depends: Any = None,
) -> Any:
    """CCompiler.compile with its gcc runs spread over the cores.

    distutils compiles the C files of one extension one after the other; mypyc's group is
    one extension of many files, so the build would use one core of several.
    """
    macros, objects, post, pp_opts, todo = self._setup_compile(
        output_dir, macros, include_dirs, sources, depends, extra_postargs
    )
    cc_args = self._get_cc_args(pp_opts, debug, extra_preargs)
    jobs = [(obj, *todo[obj]) for obj in objects if obj in todo]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        done = [pool.submit(self._compile, o, s, e, cc_args, post, pp_opts) for o, s, e in jobs]
        for fut in done:
            fut.result()  # a failed file fails the build
    return objects


def build(out: Path) -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution
    from setuptools._distutils import ccompiler

    ccompiler.CCompiler.compile = _compile_side_by_side

    paths = [str(native.source(m).relative_to(ROOT)) for m in native.MODULES]
    with tempfile.TemporaryDirectory(prefix="native-") as tmp:
        work = Path(tmp)
        lib, temp = work / "lib", work / "temp"
        cwd = os.getcwd()
        os.chdir(ROOT)  # mypyc names modules by their path from here
        try:
            fingerprint = native.fingerprint()
            # one C file per module, compiled side by side: gcc is most of the build
            extensions = mypycify(
                paths,
                opt_level="3",
                group_name=GROUP,
                target_dir=str(work / "c"),
                multi_file=True,
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
