"""The load itself and its figures: Locust started on the plan, its samples read back, percentiles computed.

Locust's own percentiles are rounded, so the locustfile records every request and the figures here are
computed from those samples (nearest rank). gunicorn's access log gives the server's own time for the
same requests, grouped into the same page kinds.
"""
from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.load.constants import ACTION, AREA, ATS, BIN, FILTERED, LIST, LOCUSTFILE, MONITOR, REPO
from bench.load.server import stop_process


@dataclass
class Sample:
    """One request as the locustfile recorded it (a line of samples.jsonl)."""

    kind: str
    start: float
    ms: float
    status: int
    error: str | None


# The Locust run -----------------------------------------------------------------------------------

def write_plan(tmp: Path, sessions: list[dict], think: float, env: dict[str, str]) -> dict[str, str]:
    """The plan for the locustfile; returns Locust's environment, which names the plan and the samples file."""
    plan = {"seed": 2026, "sessions": sessions, "think": think}
    (tmp / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return {**env, "LOAD_PLAN": str(tmp / "plan.json"), "LOAD_SAMPLES": str(tmp / "samples.jsonl")}


def start_locust(locust_env: dict[str, str], tmp: Path, users: int, duration: int, port: int) -> subprocess.Popen:
    """Headless, all users at once, for `duration` seconds; its output goes to locust.log in the run's folder."""
    with (tmp / "locust.log").open("wb") as locust_out:
        return subprocess.Popen(
            [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--users",
             str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s", "--host",
             f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
             "--stop-timeout", "0"], cwd=REPO, env=locust_env, stdout=locust_out, stderr=subprocess.STDOUT,
            start_new_session=True)


def wait_locust(locust: subprocess.Popen, duration: int) -> None:
    try:
        locust.wait(timeout=duration + 120)
    except subprocess.TimeoutExpired:
        stop_process(locust)
        raise SystemExit("Locust did not stop in time") from None


def read_samples(tmp: Path) -> list[Sample]:
    """Every request the locustfile recorded; none at all stops the run with Locust's log."""
    samples_file = tmp / "samples.jsonl"
    samples = [Sample(**json.loads(line)) for line in samples_file.read_text(encoding="utf-8").splitlines()
               if line.strip()] if samples_file.exists() else []
    if not samples:
        raise SystemExit("Locust recorded no request:\n" + (tmp / "locust.log").read_text(errors="replace")[-3000:])
    return samples


# Figures --------------------------------------------------------------------------------------------

def nearest_rank(ordered: list[float], q: float) -> float:
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def figures(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median": statistics.median(ordered) if ordered else float("nan"), "p95": nearest_rank(ordered, 0.95),
            "p99": nearest_rank(ordered, 0.99), "max": ordered[-1] if ordered else float("nan")}


def classify(path: str) -> str:
    route, _, query = path.partition("?")
    if route == "/monitor":
        return MONITOR
    if re.fullmatch(r"/actions/\d+", route):
        return ACTION
    if route in ("/actions", "/actions/mine"):
        keys = {part.split("=", 1)[0] for part in query.split("&") if part}
        return FILTERED if keys - {"page", "sort", "dir"} else LIST
    if route == "/ats":
        return ATS
    if route.startswith("/ats/area/"):
        return AREA
    if re.fullmatch(r"/actions/\d+/progress/new", route):
        return "progress form"
    return route


def server_times(log: Path, start_offset: int, end_offset: int) -> tuple[dict[str, list[float]], Counter[str]]:
    """gunicorn's access log between two offsets: server milliseconds per kind, and status codes."""
    times: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    line_re = re.compile(r'^(\d{3}) (\d+) "(\w+) (\S+) ')
    with log.open("rb") as f:
        f.seek(start_offset)
        chunk = f.read(end_offset - start_offset).decode("utf-8", "replace")
    for line in chunk.splitlines():
        found = line_re.match(line)
        if found:
            statuses[found.group(1)] += 1
            times[classify(found.group(4))].append(int(found.group(2)) / 1000)
    return times, statuses
