"""Wall time and memory of one reminder run at demo scale 10 with both channels, without SMTP latency.

    .venv/bin/python -m bench.reminders [--scale 10]

A fresh SQLite file built by the migrations, seed_demo(scale) at a fixed now (untimed), then
run_reminders at 07:00 WITA on Monday 30 November 2026 (the heaviest kind of day: past the 25th,
so missing monthly updates fire, and a Monday, so coordinators get the weekly summary) with a
mailer that accepts every message instantly and WhatsApp through the Cloud API stand-in on loopback
(tests/whatsapp_server.py: real HTTP, one request per message; every demo focal point and coordinator opted in).
Timed: collecting, rendering, recording and delivering. Then the same run again (the idempotent rerun).
Peak memory: tracemalloc's peak during the run, and the process's maximum resident set size.
Writes bench/results/reminders-latest.md.
Not a test: targets are printed as PASS/FAIL; exit status 0 either way.
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.pages import NOW, build_app, machine, seed
from config import TestingConfig
from coordinator import create_app
from coordinator.core.clock import WITA
from coordinator.extensions import db
from coordinator.models import Notification, OutboxMessage
from coordinator.notifications.mailer import OutgoingMail
from coordinator.notifications.whatsapp import channel_from_config
from coordinator.reminders.due import run_reminders
from tests.whatsapp_server import WhatsAppServer

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "reminders-latest.md"
RUN_AT = datetime(2026, 11, 30, 7, 0, tzinfo=WITA).astimezone(UTC).replace(tzinfo=None)
TARGET_S = 10.0  # issue 23: both channels (issue 6's 5 s was email alone)
TARGET_MB = 200.0


class InstantMailer:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, mail: OutgoingMail) -> None:
        self.sent += 1


def peak_rss_mb() -> float:
    """VmHWM of this process: getrusage's ru_maxrss survives exec, so in a child started by the
    seeding process it would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(db_path: str, trace: bool) -> dict[str, float | int]:
    """In a fresh process, so max RSS is the run's own and not the seeding's. tracemalloc itself
    costs memory, so the traced run is a second process on a copy of the same database."""
    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
    app = create_app(cfg)
    server = WhatsAppServer()
    server.start()
    whatsapp = channel_from_config(server.config)
    with app.app_context():
        mailer = InstantMailer()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        result = run_reminders(db.session, RUN_AT, mailer, whatsapp=whatsapp)
        db.session.commit()
        first_s = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        started = time.perf_counter()
        again = run_reminders(db.session, RUN_AT, mailer, whatsapp=whatsapp)
        db.session.commit()
        rerun_s = time.perf_counter() - started
        out = {
            "first_s": first_s, "rerun_s": rerun_s, "peak_mb": peak / 1024 / 1024,
            "maxrss_mb": peak_rss_mb(),
            "reminders": len(result.reminders), "notifications": result.notifications, "enqueued": result.enqueued,
            "digests": len(result.digests), "weekly": len(result.weekly), "sent": mailer.sent,
            "whatsapp": len(result.whatsapp), "whatsapp_sent": len(server.received),
            "again_notifications": again.notifications, "again_enqueued": again.enqueued,
            "outbox": db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
            "notes": db.session.scalar(select(func.count(Notification.id))) or 0,
        }
        db.session.remove()
    server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.trace)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        seed_s, counts = seed(build_app(Path(tmp)), args.scale)
        db_file = Path(tmp) / "bench.db"
        copy = Path(tmp) / "traced.db"
        with sqlite3.connect(db_file) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)

        def run(path: Path, *extra: str) -> dict[str, float]:
            proc = subprocess.run([sys.executable, "-m", "bench.reminders", "--measure", str(path), *extra],
                                  cwd=REPO, capture_output=True, text=True, check=True)
            return json.loads(proc.stdout.strip().splitlines()[-1])

        m = run(db_file)
        traced = run(copy, "--trace")
    first_s, rerun_s, maxrss_mb = m["first_s"], m["rerun_s"], m["maxrss_mb"]
    peak_mb = traced["peak_mb"]
    verdict_t = "PASS" if first_s <= TARGET_S else "FAIL"
    verdict_m = "PASS" if max(peak_mb, maxrss_mb) <= TARGET_MB else "FAIL"
    lines = [
        f"# Reminder run at scale {args.scale} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        *machine(),
        "",
        f"- Data: {counts['actions']} actions, {counts['milestones']} milestones, {counts['updates']} updates, "
        f"{counts['agencies']} agencies (seeded at {NOW} UTC in {seed_s:.1f} s, untimed, in another process)",
        f"- Run at {RUN_AT:%Y-%m-%d %H:%M} UTC (07:00 WITA, Monday 30 November 2026), instant mailer (no SMTP), "
        "WhatsApp through the Cloud API stand-in on loopback",
        f"- WhatsApp digests recorded: {m['whatsapp']}; requests the stand-in accepted: {m['whatsapp_sent']}",
        f"- Reminders: {m['reminders']}; notifications recorded: {m['notifications']}; "
        f"emails recorded: {m['enqueued']} (digests {m['digests']}, weekly {m['weekly']}); sent: {m['sent']}",
        f"- Rerun of the same day: notifications {m['again_notifications']}, emails {m['again_enqueued']} "
        "(expected 0, 0)",
        f"- Rows after both runs: outbox {m['outbox']}, notifications {m['notes']}",
        "",
        "| measure | value | target | verdict |",
        "|---|---:|---:|---|",
        f"| wall time, first run (collect + render + record + deliver) | {first_s:.2f} s | ≤ {TARGET_S:.0f} s "
        f"| {verdict_t} |",
        f"| wall time, rerun (nothing new) | {rerun_s:.2f} s | – | – |",
        f"| Python allocations, tracemalloc peak during the run (separate process) | {peak_mb:.1f} MB "
        f"| ≤ {TARGET_MB:.0f} MB | {verdict_m} |",
        f"| max RSS of the process doing the run (interpreter + app + run) | {maxrss_mb:.1f} MB "
        f"| ≤ {TARGET_MB:.0f} MB | {verdict_m} |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)


if __name__ == "__main__":
    main()
