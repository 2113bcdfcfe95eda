"""bandit over the application code: no finding of high severity may land."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.engine_independent  # the code, not the database: once, in the SQLite run


def test_bandit_finds_nothing_high():
    result = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", "coordinator", "deploy", "config.py", "run.py",
                             "-f", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["errors"] == []
    high = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]
            if r["issue_severity"] == "HIGH"]
    assert high == []
    assert report["metrics"]["_totals"]["loc"] > 10000  # it really scanned the application
