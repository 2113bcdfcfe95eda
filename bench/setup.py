"""Time of `flask setup` on a new server: Kutim's 18 kecamatan and 141 desa, the reference lists, the agencies and the
first admin, on an empty migrated database.

    .venv/bin/python -m bench.setup [--runs 5]

Each run migrates a fresh database (not timed), then times the command as an operator runs it, a process of its
own from start to exit (Python start-up and the app's import included), on SQLite and, when it answers, on the
PostgreSQL at 127.0.0.1:5432 (a database of its own, dropped afterwards). Writes bench/results/setup-latest.md.
Target: ≤ 5 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psycopg

from bench.pages import load_average, machine, publish

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "setup-latest.md"
TARGET_S = 5.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "coordinator_bench_setup"
FLASK = Path(sys.executable).parent / "flask"


def _env(database_url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "COORDINATOR_INSTANCE": str(instance),
            "ADMIN_PASSWORD": "kata-sandi-bench-2026", "FLASK_APP": "coordinator"}


def _pg(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def _engines(folder: Path) -> list[tuple[str, str]]:
    engines = [("SQLite", f"sqlite:///{folder / 'setup.db'}")]
    try:
        _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        engines.append(("PostgreSQL", f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"))
    except psycopg.Error:
        print("PostgreSQL does not answer: SQLite only", file=sys.stderr)
    return engines


def _fresh(engine: str, url: str, folder: Path) -> None:
    if engine == "PostgreSQL":
        _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg(f"CREATE DATABASE {PG_DB}")
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run([str(FLASK), "db", "upgrade"], cwd=REPO, env=_env(url, folder), check=True,
                   capture_output=True, timeout=300)


def run(runs: int) -> tuple[dict[str, list[float]], str]:
    times: dict[str, list[float]] = {}
    output = ""
    with tempfile.TemporaryDirectory(prefix="sitisek-bench-setup-") as tmp:
        folder = Path(tmp)
        for engine, url in _engines(folder):
            for _ in range(runs):
                _fresh(engine, url, folder)
                started = time.perf_counter()
                done = subprocess.run([str(FLASK), "setup", "--admin-email", "admin@kutaitimurkab.go.id"],
                                      cwd=REPO, env=_env(url, folder), capture_output=True, text=True, timeout=300)
                elapsed = time.perf_counter() - started
                if done.returncode != 0:
                    raise SystemExit(f"flask setup failed on {engine}: {done.stderr or done.stdout}")
                output = done.stdout
                times.setdefault(engine, []).append(elapsed)
            print(f"  {engine}: median {statistics.median(times[engine]):.2f} s", file=sys.stderr)
            if engine == "PostgreSQL":
                _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return times, output


def report(times: dict[str, list[float]], output: str, load_before: str) -> str:
    lines = [
        "# SITISEK setup benchmark", "",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · `python -m bench.setup` · `flask setup` as its own "
        "process, on a freshly migrated empty database (migrations not timed).", "",
        "## Machine", "", *machine(),
        f"- Load average (1/5/15 min) before: {load_before}; after: {load_average()}", "",
        "## Results", "", "| engine | runs | median s | max s | target |", "|---|---:|---:|---:|---|",
    ]
    failures = []
    for engine, t in times.items():
        ok = max(t) <= TARGET_S
        if not ok:
            failures.append(f"{engine}: {max(t):.2f} s > {TARGET_S:.0f} s")
        lines.append(f"| {engine} | {len(t)} | {statistics.median(t):.2f} | {max(t):.2f} "
                     f"| {'PASS' if ok else 'FAIL'} (≤ {TARGET_S:.0f} s) |")
    lines += ["", "What it printed (last run):", "", "```", output.strip(), "```", "", "## Verdict", ""]
    lines += [f"- FAIL: {f}" for f in failures] or ["- All targets met."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    load_before = load_average()
    times, output = run(args.runs)
    publish(report(times, output, load_before), RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
