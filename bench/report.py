"""Wall time, memory and where the time goes for the monthly PDF report, at demo scale 1 and 10.

    .venv/bin/python -m bench.report [--scales 1,10] [--runs 3]

Per scale: a fresh SQLite file built by the migrations and seed_demo(scale) at a fixed now (untimed,
in this process). Then, in a fresh process (so its peak memory is the report's own): close October
2026 (collects and freezes the month's facts), generate and archive the regency report from the
frozen facts (what a coordinator's "generate" and the scheduler do), then regenerate it `runs` times
split into its parts: facts (JSON) → report model, HTML (Jinja and the SVG charts), WeasyPrint
layout and PDF writing. Writes bench/results/report-latest.md. Not a test: targets are printed as
PASS/FAIL; exit status 0 either way.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.pages import NOW, build_app, machine, publish, seed
from bench.reminders import peak_rss_mb
from config import TestingConfig
from coordinator import create_app
from coordinator.extensions import db

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "report-latest.md"
PERIOD = date(2026, 10, 1)
TARGETS = {1: (3.0, 400.0), 10: (20.0, None)}  # seconds, MB
OUTSIDE_GOAL = 0.15


def measure(folder: str, runs: int) -> dict[str, object]:
    from coordinator.reports.archive import generate, load_report_settings
    from coordinator.reports.facts import close_month, load_facts
    from coordinator.reports.model import build_report
    from coordinator.reports.pdf import render_report

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.db'}"
    cfg.UPLOAD_DIR = str(Path(folder) / "uploads")
    app = create_app(cfg)
    now = datetime.fromisoformat(NOW)
    with app.app_context():
        started = time.perf_counter()
        snapshot = close_month(db.session, PERIOD, now, None)
        db.session.commit()
        close_s = time.perf_counter() - started
        started = time.perf_counter()
        archive = generate(db.session, snapshot, "kabupaten", "", "id", now, None, cfg.UPLOAD_DIR)
        db.session.commit()
        generate_s = time.perf_counter() - started
        parts: dict[str, list[float]] = {"model": [], "html": [], "layout": [], "total": []}
        settings = load_report_settings(db.session)
        for _ in range(runs):
            t0 = time.perf_counter()
            report = build_report(load_facts(snapshot))
            t1 = time.perf_counter()
            rendered = render_report(report, settings, "id", now, draft=False)
            t2 = time.perf_counter()
            parts["model"].append(t1 - t0)
            parts["layout"].append(rendered.seconds_layout)
            parts["html"].append(rendered.seconds_total - rendered.seconds_layout)
            parts["total"].append(t2 - t0)
        out = {"close_s": close_s, "generate_s": generate_s, "pages": archive.pages, "size": archive.size,
               "facts_kb": len(snapshot.facts) / 1024, "maxrss_mb": peak_rss_mb(),
               **{f"{k}_s": statistics.median(v) for k, v in parts.items()}}
        db.session.remove()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    rows = []
    for scale in (int(s) for s in args.scales.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            seed_s, counts = seed(build_app(Path(tmp)), scale)
            proc = subprocess.run([sys.executable, "-m", "bench.report", "--measure", tmp, "--runs", str(args.runs)],
                                  cwd=REPO, capture_output=True, text=True, check=True)
            m = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append((scale, counts, seed_s, m))
    lines = [f"# Monthly PDF report ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "", *machine(), "",
             f"- Report of October 2026, regency scope, Bahasa Indonesia; demo seeded at {NOW} UTC (untimed).",
             "- close = collect and freeze the month's facts (once per month); generate = build the closed month's "
             "report and archive it (what the coordinator's button, the CLI and the scheduler do);",
             f"  the split is the median of {args.runs} regenerations: model (frozen JSON → figures), HTML (Jinja + "
             "SVG charts), WeasyPrint (layout + PDF writing).", "",
             "| scale | actions | pages | close | generate | target | max RSS | target | model | HTML | WeasyPrint "
             "| outside WeasyPrint | verdict |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for scale, counts, _seed_s, m in rows:
        target_s, target_mb = TARGETS.get(scale, (None, None))
        wall = float(m["close_s"]) + float(m["generate_s"])
        outside = (float(m["model_s"]) + float(m["html_s"])) / float(m["total_s"])
        ok = (target_s is None or wall <= target_s) and (target_mb is None or float(m["maxrss_mb"]) <= target_mb)
        lines.append(
            f"| {scale} | {counts['actions']} | {m['pages']} | {float(m['close_s']):.2f} s | "
            f"{float(m['generate_s']):.2f} s | {f'≤ {target_s:.0f} s' if target_s else '–'} (close + generate "
            f"{wall:.2f} s) | {float(m['maxrss_mb']):.0f} MB | {f'≤ {target_mb:.0f} MB' if target_mb else '–'} | "
            f"{float(m['model_s']) * 1000:.0f} ms | {float(m['html_s']) * 1000:.0f} ms | "
            f"{float(m['layout_s']):.2f} s | {outside:.1%} (goal ≤ {OUTSIDE_GOAL:.0%}) | "
            f"{'PASS' if ok and outside <= OUTSIDE_GOAL else 'FAIL'} |")
    lines += ["", "Facts frozen per month: " + ", ".join(f"scale {s}: {float(m['facts_kb']):.0f} KB JSON"
                                                     for s, _c, _t, m in rows) + "."]
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
