"""Apply updates to fresh pycrdt Docs in a child process, so a crash cannot end the test run.

Protocol on stdin/stdout, one line each: ``<base hex> <update hex>`` -> ``ok`` or
``error <ExceptionName>: <message>``. A Rust panic is reported like any exception; a stack
overflow ends the process, which the parent sees as EOF.
"""

from __future__ import annotations

import sys
from typing import Any

from pycrdt import Doc, Map


def apply(base: bytes, update: bytes) -> None:
    doc: Doc[Any] = Doc()
    if base:
        doc.apply_update(base)
    doc.apply_update(update)
    # what the room and the exports do next with an applied update
    for name in ("meta", "notes", "control"):
        doc.get(name, type=Map).to_py()
    doc.get_update()


def main() -> None:
    for line in sys.stdin:
        base_hex, update_hex = line.split()
        try:
            apply(bytes.fromhex(base_hex.strip("-")), bytes.fromhex(update_hex))
        except BaseException as exc:  # a Rust panic is a BaseException
            print(f"error {type(exc).__name__}: {str(exc)[:200]}", flush=True)
        else:
            print("ok", flush=True)


if __name__ == "__main__":
    main()
