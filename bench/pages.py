"""Server time and SQL statements of the pages people open most, at demo scale 1 and 10.

    .venv/bin/python -m bench.pages [--scales 1,10] [--warmup 5] [--runs 50]

For each scale: a fresh SQLite file built by the migrations, seed_demo(scale=N) at a
fixed now, then Flask's test client signed in as the coordinator requests each page
`warmup` times untimed and `runs` times timed. Seeding is timed separately and kept
out of the page numbers. Prints a Markdown report and writes it to
bench/results/pages-latest.md. Not a test: targets are printed as PASS/FAIL and the
exit status is 0 either way unless a page does not answer 200.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from config import TestingConfig
from coordinator import create_app
from coordinator.demo.seed import seed_demo
from coordinator.extensions import db
from coordinator.models import Action, Agency, Milestone, Pillar, ProgressUpdate

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "pages-latest.md"
NOW = "2026-11-27T02:00:00"  # UTC; 10:00 WITA on 27 November 2026
USER = "koordinator@example.org"
PASSWORD = "demo-kutim-2026"  # noqa: S105 - the published demo password
KECAMATAN = "64.08.04"  # Sangatta Utara
TARGET_MS = {1: 30.0}  # median at scale 1; every larger scale: DEFAULT_TARGET_MS
DEFAULT_TARGET_MS = 80.0


@dataclass
class Page:
    name: str
    url: str


@dataclass
class Result:
    page: str
    url: str
    scale: int
    times_ms: list[float]
    cpu_ms: list[float]
    statements: list[str]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def target(self) -> float:
        return TARGET_MS.get(self.scale, DEFAULT_TARGET_MS)


@dataclass
class ScaleRun:
    scale: int
    seed_s: float
    counts: dict[str, int]
    results: list[Result] = field(default_factory=list)


# Machine -----------------------------------------------------------------------------------

def machine() -> list[str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Hardware")) and ":" in line:
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- CPU: {cpu}",
        f"- Cores: {os.cpu_count()} logical ({usable} usable by this process)",
        f"- RAM: {ram}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}",
        f"- OS: {platform.system()} {platform.release()} ({platform.machine()})",
    ]


# Setup -------------------------------------------------------------------------------------

def build_app(folder: Path) -> Flask:
    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.db'}"
    cfg.UPLOAD_DIR = str(folder / "uploads")
    app = create_app(cfg)
    app.config["FIXED_NOW"] = NOW
    # What building each page costs: with the page cache on, every timed request would be served from it
    # (the cache under load: bench/load).
    app.config["PAGE_CACHE"] = False
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
        upgrade(directory=str(REPO / "migrations"))  # alembic logs its steps to stderr: keep them quiet
    return app


def seed(app: Flask, scale: int) -> tuple[float, dict[str, int]]:
    with app.app_context():
        started = time.perf_counter()
        seed_demo(db.session, datetime.fromisoformat(NOW), scale=scale)
        db.session.commit()
        elapsed = time.perf_counter() - started
        counts = {
            "actions": db.session.scalar(select(func.count(Action.id))),
            "milestones": db.session.scalar(select(func.count(Milestone.id))),
            "updates": db.session.scalar(select(func.count(ProgressUpdate.id))),
            "agencies": db.session.scalar(select(func.count(Agency.id))),
        }
        db.session.remove()
    return elapsed, counts


def pages(app: Flask) -> list[Page]:
    """The same items at every scale: the first regency copy is seeded identically."""
    with app.app_context():
        pillar_2 = db.session.scalar(select(Pillar.id).where(Pillar.number == 2))
        disdikbud = db.session.scalar(select(Agency.id).where(Agency.code == "DISDIKBUD"))
        # The first-copy action with the most updates among those with at least three milestones.
        n_updates = (select(ProgressUpdate.action_id, func.count(ProgressUpdate.id).label("n"))
                     .group_by(ProgressUpdate.action_id).subquery())
        n_milestones = (select(Milestone.action_id, func.count(Milestone.id).label("n"))
                        .group_by(Milestone.action_id).subquery())
        candidates = db.session.execute(
            select(Action.id, Action.code, n_updates.c.n)
            .join(n_updates, n_updates.c.action_id == Action.id)
            .join(n_milestones, n_milestones.c.action_id == Action.id)
            .where(n_milestones.c.n >= 3, ~Action.code.startswith("K"), Action.deleted_at.is_(None))
        ).all()
        action_id, action_code, updates = max(candidates, key=lambda r: (r.n, [-ord(c) for c in r.code]))
        db.session.remove()
    assert pillar_2 and disdikbud and updates >= 3
    return [
        Page("Deadline monitor", "/monitor"),
        Page("Actions: late, by due date", "/actions?status=terlambat&sort=due_date"),
        Page("Actions: pillar 2 + kecamatan", f"/actions?pillar={pillar_2}&kecamatan={KECAMATAN}"),
        Page(f"Action {action_code} ({updates} updates)", f"/actions/{action_id}"),
        Page("Agency DISDIKBUD", f"/agencies/{disdikbud}"),
    ]


def login(client: FlaskClient) -> None:
    resp = client.post("/login", data={"email": USER, "password": PASSWORD})
    if resp.status_code != 302:
        raise SystemExit(f"login as {USER} failed: HTTP {resp.status_code}")


# Measuring ---------------------------------------------------------------------------------

@contextlib.contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def get_ok(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    if resp.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {resp.status_code}")
    resp.close()


def measure(app: Flask, client: FlaskClient, page: Page, scale: int, warmup: int, runs: int) -> Result:
    for _ in range(warmup):
        get_ok(client, page.url)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        get_ok(client, page.url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with recorded_statements(app) as statements:
        get_ok(client, page.url)  # counted apart, so the listener costs nothing in the timings
    return Result(page.name, page.url, scale, times, cpu, list(statements))


def run_scale(scale: int, warmup: int, runs: int) -> ScaleRun:
    with tempfile.TemporaryDirectory(prefix=f"sitisek-bench-{scale}-") as tmp:
        app = build_app(Path(tmp))
        seed_s, counts = seed(app, scale)
        run = ScaleRun(scale, seed_s, counts)
        print(f"scale {scale}: seeded {counts['actions']} actions, {counts['milestones']} milestones, "
              f"{counts['updates']} updates in {seed_s:.1f} s (not measured)", file=sys.stderr)
        client = app.test_client()
        login(client)
        for page in pages(app):
            result = measure(app, client, page, scale, warmup, runs)
            print(f"  {page.name:<40} median {result.median:7.1f} ms  p95 {result.p95:7.1f} ms  "
                  f"cpu {result.cpu_median:7.1f} ms  {len(result.statements)} SQL", file=sys.stderr)
            run.results.append(result)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return run


# Report ------------------------------------------------------------------------------------

def normalise(statement: str) -> str:
    """Same shape, different literals: one key (IN lists and numbers folded)."""
    s = re.sub(r"\s+", " ", statement).strip()
    s = re.sub(r"\((?:\s*\?\s*,?)+\)", "(?…)", s)
    s = re.sub(r"__\[POSTCOMPILE_\w+\]", "(?…)", s)
    return re.sub(r"\b\d+\b", "N", s)


def repeated(result: Result) -> list[tuple[int, str]]:
    counts = Counter(normalise(s) for s in result.statements)
    return [(n, s) for s, n in counts.most_common() if n > 1]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(runs: list[ScaleRun], warmup: int, runs_per_page: int, load_before: str) -> str:
    lines = [
        "# SITISEK page benchmark",
        "",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · `python -m bench.pages` · Flask test client "
        f"(no network), SQLite file, signed in as {USER}, fixed now {NOW} UTC · "
        f"{warmup} warm-up + {runs_per_page} timed requests per page · SQL counted in one extra request.",
        "",
        "## Machine",
        "",
        *machine(),
        f"- Load average (1/5/15 min) before: {load_before}; after: {load_average()}",
        "",
        "## Data",
        "",
        "| scale | actions | milestones | progress updates | agencies | seeding (not measured) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        c = run.counts
        lines.append(f"| {run.scale} | {c['actions']} | {c['milestones']} | {c['updates']} | {c['agencies']} "
                     f"| {run.seed_s:.1f} s |")
    base = {r.page: len(r.statements) for r in runs[0].results}
    lines += [
        "",
        "## Results",
        "",
        "| page | scale | median ms | p95 ms | SQL statements | time target | statements target | CPU median ms |",
        "|---|---:|---:|---:|---:|---|---|---:|",
    ]
    failures = []
    for run in runs:
        for r in run.results:
            time_ok = r.median <= r.target
            same = len(r.statements) == base.get(r.page)
            if not time_ok:
                failures.append(f"{r.page} at scale {r.scale}: median {r.median:.1f} ms > {r.target:.0f} ms")
            if not same:
                failures.append(f"{r.page}: {base.get(r.page)} statements at scale {runs[0].scale}, "
                                f"{len(r.statements)} at scale {r.scale}")
            lines.append(
                f"| {r.page} `{r.url}` | {r.scale} | {r.median:.1f} | {r.p95:.1f} | {len(r.statements)} "
                f"| {'PASS' if time_ok else 'FAIL'} (≤ {r.target:.0f}) "
                f"| {'PASS' if same else 'FAIL'} ({'same' if same else 'differs'}) | {r.cpu_median:.1f} |"
            )
    lines += ["", "Targets: median ≤ 30 ms at scale 1, ≤ 80 ms at larger scales; the same number of "
              "statements per page at every scale. Times are wall-clock per request, measured in-process; "
              "CPU median ms is this process's CPU time per request, which other busy processes on the "
              "machine inflate much less (compare the load averages above)."]
    lines += ["", "## Verdict", ""]
    lines += [f"- FAIL: {f}" for f in failures] or ["- All targets met."]
    rep = [(run.scale, r, repeated(r)) for run in runs for r in run.results]
    rep = [x for x in rep if x[2]]
    if rep:
        lines += ["", "## Statements run more than once in one request", ""]
        for scale, r, items in rep:
            lines.append(f"- {r.page}, scale {scale}:")
            for n, s in items[:5]:
                lines.append(f"  - {n}× `{s[:160]}{'…' if len(s) > 160 else ''}`")
    return "\n".join(lines) + "\n"


def publish(text: str, out: Path) -> None:
    """Prints the report and keeps it as the latest result."""
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated demo scales (default: 1,10)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    if not scales or min(scales) < 1 or max(scales) > 30:
        parser.error("--scales takes numbers from 1 to 30, e.g. 1,10")
    load_before = load_average()
    runs = [run_scale(scale, args.warmup, args.runs) for scale in scales]
    text = report(runs, args.warmup, args.runs, load_before)
    publish(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
