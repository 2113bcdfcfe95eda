"""ruff over everything we write, and mypy over the domain modules (pyproject.toml says which): the suite fails
on a finding, so a change that breaks either does not land."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.engine_independent  # the code, not the database: once, in the SQLite run


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", "coordinator", "tests", "bench", "deploy", "config.py", "run.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_the_domain_modules():
    result = _run("mypy", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found in" in result.stdout
    checked = int(result.stdout.rsplit("no issues found in", 1)[1].split()[0])
    assert checked > 80  # it really checked every capability's domain modules, not an empty list
