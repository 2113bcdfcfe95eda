"""Server time of the coordinator's review queue (/reviews) with 1.000 reports waiting, at demo scale 10.

    .venv/bin/python -m bench.review [--scale 10] [--waiting 1000] [--runs 50]

The demo at scale 10 is seeded, then the newest current reports are put back in the queue until `waiting` wait
(as if nobody had reviewed for a month). Timed: the queue's first page, the queue filtered by an agency and a
month, and one report's review page (this month's beside last month's, its evidence and rounds). The queue is
read fresh on every request (no page cache). Target (issue 22): median ≤ 80 ms. Writes
bench/results/review-latest.md.
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update

from bench.leaders import median_p95, timed
from bench.pages import build_app, machine, publish, seed
from coordinator.demo.content import DEMO_PASSWORD
from coordinator.extensions import db
from coordinator.models import REVIEW_SUBMITTED, ProgressUpdate

TARGET_MS = 80.0
RESULTS = Path(__file__).resolve().parent / "results" / "review-latest.md"


def _fill_queue(waiting: int) -> tuple[int, int, str, int]:
    """Puts the newest current reports back in the queue; returns (waiting, an agency id, a month, a report id)."""
    current = select(ProgressUpdate.id).where(ProgressUpdate.superseded_at.is_(None)) \
        .order_by(ProgressUpdate.created_at.desc()).limit(waiting)
    ids = list(db.session.scalars(current))
    db.session.execute(update(ProgressUpdate).where(ProgressUpdate.id.in_(ids))
                       .values(review_status=REVIEW_SUBMITTED, counted=False, reviewed_at=None, reviewed_by_id=None))
    db.session.commit()
    n = db.session.scalar(select(func.count()).select_from(ProgressUpdate).where(
        ProgressUpdate.review_status == REVIEW_SUBMITTED, ProgressUpdate.superseded_at.is_(None))) or 0
    sample = db.session.get(ProgressUpdate, ids[len(ids) // 2])
    assert sample is not None
    return n, sample.agency_id, f"{sample.period:%Y-%m}", sample.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        seeded, counts = seed(app, args.scale)
        with app.app_context():
            waiting, agency_id, month, report_id = _fill_queue(args.waiting)
        client = app.test_client()
        resp = client.post("/login", data={"email": "koordinator@example.org", "password": DEMO_PASSWORD})
        if resp.status_code != 302:
            raise SystemExit(f"login failed: HTTP {resp.status_code}")
        rows = []
        for name, url in (("Queue, first page", "/reviews"),
                          ("Queue, one agency and month", f"/reviews?agency={agency_id}&period={month}"),
                          ("Queue, last page", "/reviews?page=1000"),
                          ("One report's review page", f"/reviews/{report_id}")):
            timed(client, url)  # warm-up: templates compiled
            median, p95 = median_p95(client, url, args.runs)
            rows.append(f"| {name} `{url}` | {median:.1f} | {p95:.1f} | "
                        f"{'PASS' if median <= TARGET_MS else 'FAIL'} (≤ {TARGET_MS:.0f}) |")
    lines = [f"# Review queue ({datetime.now():%Y-%m-%d %H:%M})", "", *machine(), "",
             f"- Demo scale {args.scale}: {counts['actions']} actions, {counts['updates']} progress updates "
             f"(seeded in {seeded:.1f} s, not measured); {waiting} reports waiting for review; {args.runs} timed "
             "requests each after one warm-up.", "",
             "| page | median ms | p95 ms | target |", "|---|---:|---:|---|", *rows]
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
