"""Server time of the leaders' summary (/ringkasan) and the public page (/publik) at demo scale 10, as served.

    .venv/bin/python -m bench.leaders [--scale 10] [--runs 50]

Both pages are built from the month's figures (the month's facts and report model, the map) once per data
revision and then served from the page cache (coordinator/web/page_cache.py), as in production: "first" is the
request that builds the page after a change of the data, "median"/"p95" the requests after it. The leader is
signed in; /publik is read anonymously with PUBLIC_PAGE on. Target (issue 21): median ≤ 50 ms at scale 10.
Writes bench/results/leaders-latest.md.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.pages import build_app, machine, publish, seed
from coordinator.demo.content import DEMO_PASSWORD

TARGET_MS = 50.0
RESULTS = Path(__file__).resolve().parent / "results" / "leaders-latest.md"


def timed(client, url: str) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    resp = client.get(url)
    elapsed = (time.perf_counter() - t) * 1000
    if resp.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {resp.status_code}")
    return elapsed


def median_p95(client, url: str, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median and 95th percentile, in ms, of `runs` requests after the ones the caller made first."""
    times = sorted(timed(client, url) for _ in range(runs))
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        app.config["PAGE_CACHE"] = True  # as served: built once per data revision
        app.config["PUBLIC_PAGE"] = True
        seeded, counts = seed(app, args.scale)
        leader, public = app.test_client(), app.test_client()
        resp = leader.post("/login", data={"email": "pimpinan@example.org", "password": DEMO_PASSWORD})
        if resp.status_code != 302:
            raise SystemExit(f"login failed: HTTP {resp.status_code}")
        rows = []
        for name, client, url in (("Leaders' summary", leader, "/ringkasan"), ("Public page", public, "/publik")):
            first = timed(client, url)
            median, p95 = median_p95(client, url, args.runs)
            rows.append(f"| {name} `{url}` | {args.scale} | {first:.0f} | {median:.1f} | {p95:.1f} | "
                        f"{'PASS' if median <= TARGET_MS else 'FAIL'} (≤ {TARGET_MS:.0f}) |")
    lines = [f"# Leaders' summary and public page ({datetime.now():%Y-%m-%d %H:%M})", "", *machine(), "",
             f"- Demo scale {args.scale}: {counts['actions']} actions, {counts['updates']} progress updates "
             f"(seeded in {seeded:.1f} s, not measured); page cache on, as served; {args.runs} timed requests.",
             "", "| page | scale | first (builds) ms | median ms | p95 ms | target |", "|---|---:|---:|---:|---:|---|",
             *rows]
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
