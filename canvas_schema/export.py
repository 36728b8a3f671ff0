"""Export canvases for the HTTP API and the client; `python -m canvas_schema.export OUT.ts`.

The functions live in `resolve.py` so that the package does not import this
module, which `python -m` runs as `__main__` (runpy warns otherwise).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .resolve import canvas_to_json as canvas_to_json
from .resolve import render_ts_module as render_ts_module
from .resolve import summary_to_json as summary_to_json
from .resolve import write_ts_module as write_ts_module

USAGE = "usage: python -m canvas_schema.export OUT.ts"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the TypeScript module of all built-in canvases to the one path given."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    write_ts_module(args[0])
    print(f"wrote {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
