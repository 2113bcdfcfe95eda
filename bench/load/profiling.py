"""Where the time of one request goes, with gunicorn stopped: wall, CPU, SQL, and CPU by package.

Under load the times include queueing for a worker and for the CPU; this profile, one request at a
time in-process on the same database, shows what each page kind costs by itself and what to optimise.
"""
from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.load.constants import ACTION, AREA, ATS, FILTERED, LIST, MONITOR, REPO


def run_profile(env: dict[str, str], tmp: Path, runs: int) -> dict | None:
    """Runs `profile_pages` as `python -m bench.load --profile` in the production environment (None if it fails)."""
    print("one request at a time, per page kind (profile) …", file=sys.stderr)
    done = subprocess.run([sys.executable, "-m", "bench.load", "--profile", str(tmp / "profile.json"),
                           "--profile-runs", str(runs)], cwd=REPO, env=env, text=True,
                          stdout=subprocess.DEVNULL, stderr=sys.stderr, timeout=900, start_new_session=True)
    if done.returncode == 0:
        return json.loads((tmp / "profile.json").read_text(encoding="utf-8"))
    return None


def profile_pages(out: Path, runs: int) -> None:
    """One request at a time, in this process, on the load database: per page kind the wall time, the CPU
    time, the SQL statements and their time, and where the CPU goes (cProfile, grouped by package)."""
    import cProfile
    import pstats
    import random

    from sqlalchemy import event, select

    from coordinator import create_app
    from coordinator.extensions import db
    from coordinator.models import User

    prepared = json.loads(out.with_name("prepared.json").read_text(encoding="utf-8"))
    rng = random.Random(7)
    app = create_app()
    # What a page costs to build: with the page cache on, every timed request after the first would be a hit.
    app.config["PAGE_CACHE"] = False
    with app.app_context():
        engine = db.engine
        users = {role: db.session.scalar(select(User).where(User.role == role).order_by(User.id))
                 for role in ("koordinator", "fokal")}
        ids = {role: u.get_id() for role, u in users.items()}
        db.session.remove()
    focal = next(a for a in prepared["accounts"] if a["role"] == "fokal")
    kinds = {
        MONITOR: ("koordinator", ["/monitor"]),
        LIST: ("koordinator", prepared["urls"]["list"]),
        FILTERED: ("koordinator", prepared["urls"]["filtered"]),
        ACTION: ("koordinator", [f"/actions/{i}" for i in prepared["accounts"][0]["actions"]]),
        ACTION + " (focal point)": ("fokal", [f"/actions/{i}" for i in focal["actions"]]),
        ATS: ("koordinator", ["/ats"]),
        AREA: ("koordinator", prepared["urls"]["areas"]),
    }
    statements: list[tuple[str, float]] = []
    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, time.perf_counter() - started.pop(id(cursor), time.perf_counter())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.250"}
    result = {}
    for kind, (role, urls) in kinds.items():
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = ids[role], True
        wall, cpu, n_sql, sql_s = [], [], [], []
        shapes: Counter[str] = Counter()
        shape_s: Counter[str] = Counter()
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for PostgreSQL does not count
        # 3 warm-ups, `runs` timed, then `runs` under cProfile (its overhead inflates times: shares only).
        for i in range(3 + 2 * runs):
            url = rng.choice(urls)
            statements.clear()
            if i >= 3 + runs:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.get(url, headers=headers)
            t1, c1 = time.perf_counter(), time.process_time()
            profiler.disable()
            if resp.status_code != 200:
                raise SystemExit(f"profile: GET {url}: HTTP {resp.status_code}")
            if 3 <= i < 3 + runs:
                wall.append((t1 - t0) * 1000)
                cpu.append((c1 - c0) * 1000)
                n_sql.append(len(statements))
                sql_s.append(sum(d for _s, d in statements) * 1000)
                for stmt, d in statements:
                    shape = re.sub(r"\s+", " ", stmt).strip()[:150]
                    shapes[shape] += 1
                    shape_s[shape] += d * 1000
        by_package: Counter[str] = Counter()
        stats = pstats.Stats(profiler)
        for (filename, _line, _fn), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            by_package[_package(filename)] += tottime
        total = sum(by_package.values()) or 1.0
        top = sorted(((ct / total, f"{Path(fn[0]).name}:{fn[1]} {fn[2]}")
                      for fn, (_cc, _nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
                      if "/coordinator/" in fn[0]), reverse=True)[:8]
        result[kind] = {
            "wall_ms": statistics.median(wall), "cpu_ms": statistics.median(cpu),
            "sql_n": statistics.median(n_sql), "sql_ms": statistics.median(sql_s),
            "packages": {k: v / total for k, v in by_package.most_common()},
            "statements": [(n / runs, shape_s[sh] / runs, sh) for sh, n in
                           sorted(shapes.items(), key=lambda kv: -shape_s[kv[0]])[:6]],
            "coordinator_cumulative": top,
        }
        print(f"  {kind:<34} wall {result[kind]['wall_ms']:6.1f} ms  cpu {result[kind]['cpu_ms']:6.1f} ms  "
              f"{result[kind]['sql_n']:.0f} SQL {result[kind]['sql_ms']:6.1f} ms", file=sys.stderr)
    out.write_text(json.dumps(result), encoding="utf-8")


def _package(filename: str) -> str:
    if "/coordinator/" in filename:
        return "coordinator (views, services, templates)" if "/templates/" not in filename else "templates"
    for name in ("sqlalchemy", "jinja2", "psycopg", "babel", "flask_babel", "werkzeug", "flask", "wtforms",
                 "markupsafe"):
        if f"/{name}/" in filename:
            return name
    if filename.startswith("<template>") or filename.endswith(".html"):
        return "templates"
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "other Python"
