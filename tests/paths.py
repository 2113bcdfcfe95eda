"""Where things are, for tests in any folder: the repository and the sample files of tests/data."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
