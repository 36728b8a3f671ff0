"""`python -m server` runs the cocanvas command line (see server/cli/)."""

import sys

from .cli import main

sys.exit(main())
