"""`python -m bench.load` (the last step of `make bench`); also the --prepare and --profile subprocesses.

A Ctrl+C or SIGTERM arrives here as KeyboardInterrupt after the clean-up has run: exit 130, not a traceback.
"""
from __future__ import annotations

import sys

from bench.load.cli import main

if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted: processes stopped, database and folder removed", file=sys.stderr)
        raise SystemExit(130) from None
