"""Importing a RAD matrix of about 300 rows, and the API's action list over about 1.000 actions.

    .venv/bin/python -m bench.rad [--copies 7] [--api-scale 23] [--runs 30]

Matrix: the demo plan (44 actions with milestones, indicators, Kutim areas and agencies) exported and
repeated --copies times under new pillar numbers (7 gives 308 actions), written with the exporter
(untimed). Timed, as `flask rad import` runs them: read the file, preview, save and commit; (a) into an
empty database holding only the areas and reference lists, where every agency is created
(`--create-agencies`: one more preview) and every pillar, program, action, milestone and indicator is
new, then (b) the same file again (every action matched, nothing changes).

API: the demo at --api-scale (23 gives 1.012 actions); a coordinator's bearer token; in a fresh
process (as a server worker holds the app), after 5 warm-ups, `runs` timed GETs of
/api/v1/actions?per_page=1000 (all actions in one answer) and of the default first page.
Writes bench/results/rad-latest.md. Not a test: targets print PASS/FAIL; exit status 0 either way.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bench.pages import NOW, build_app, machine, publish, seed
from bench.reminders import peak_rss_mb
from coordinator.extensions import db

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "rad-latest.md"
IMPORT_TARGET_S = 3.0
API_TARGET_MS = 100.0


def import_once(app, data: bytes, create_agencies: bool) -> dict[str, float | int]:
    from coordinator.models import Action
    from coordinator.rad_matrix import importing as rad_import
    from coordinator.rad_matrix.parse import parse_matrix

    now = datetime.fromisoformat(NOW)
    with app.app_context():
        started = time.perf_counter()
        parsed = parse_matrix(data, "rad.xlsx")
        read = time.perf_counter()
        p = rad_import.preview(db.session, parsed, {}, now)
        agency_map = {u.key: "new" for u in p.unmapped} if create_agencies else {}
        if agency_map:
            p = rad_import.preview(db.session, parsed, agency_map, now)
        checked = time.perf_counter()
        result = rad_import.save(db.session, parsed, agency_map, now)
        db.session.commit()
        done = time.perf_counter()
        assert result.saved and not p.errors, [(e.message, e.params) for e in p.errors][:3]
        out = {"read_s": read - started, "preview_s": checked - read, "save_s": done - checked,
               "total_s": done - started, "actions": len(parsed.actions), "changes": p.changes,
               "in_db": db.session.scalar(select(func.count()).where(Action.deleted_at.is_(None)))}
        db.session.remove()
    return out


def empty_app(folder: Path):
    from coordinator.admin.reference_data import load_reference_lists
    from coordinator.setup.region import load_region, packaged_region

    app = build_app(folder)
    with app.app_context():
        load_reference_lists(db.session)
        load_region(db.session, packaged_region())
        db.session.commit()
        db.session.remove()
    return app


def big_matrix(copies: int) -> tuple[bytes, int]:
    """The demo plan (44 actions over real Kutim areas and agencies) repeated under new pillar numbers."""
    import copy as copying

    from coordinator.plan.editing import current_plan
    from coordinator.rad_matrix.collect import collect_matrix, matrix_year, title_lines
    from coordinator.rad_matrix.export import write_matrix

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        seed(app, 1)
        now = datetime.fromisoformat(NOW)
        with app.app_context():
            matrix, extras = collect_matrix(db.session, now)
            plan = current_plan(db.session)
            titles, year = title_lines(plan, now), matrix_year(plan, now)
            db.session.remove()
    pillars = max(a.pillar_number for a in matrix.actions)
    originals = list(matrix.actions)
    for k in range(1, copies):
        for a in originals:
            b = copying.deepcopy(a)
            b.pillar_number += k * pillars
            b.program_code = f"{b.pillar_number}.{a.program_code.split('.', 1)[1]}"
            b.code = f"{b.pillar_number}.{a.code.split('.', 1)[1]}"
            extras[b.code] = extras[a.code]
            matrix.actions.append(b)
    data = write_matrix(matrix, extras, titles, year)
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Matriks RAD"]
    rows = sum(1 for row in sheet.iter_rows(min_row=len(titles) + 4, values_only=True)
               if any(v not in (None, "") for v in row))
    return data, rows


def matrix_bench(copies: int) -> tuple[dict, dict, int]:
    data, rows = big_matrix(copies)
    with tempfile.TemporaryDirectory() as folder:
        app = empty_app(Path(folder))
        fresh = import_once(app, data, create_agencies=True)
        same = import_once(app, data, create_agencies=False)
    return same, fresh, rows


def api_bench(scale: int, runs: int) -> dict[str, object]:
    """Seeds here, then times the requests in a fresh process, as a server worker would hold the app."""
    from coordinator.accounts import api_tokens
    from coordinator.models import User

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        seed(app, scale)
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "koordinator@example.org"))
            _token, secret = api_tokens.create_token(db.session, user.id, "bench", None, None,
                                                     datetime.fromisoformat(NOW))
            db.session.commit()
            db.session.remove()
        (Path(folder) / "secret").write_text(secret)
        done = subprocess.run([sys.executable, "-m", "bench.rad", "--api-run", folder, "--runs", str(runs)],
                              check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def api_run(folder: str, runs: int) -> dict[str, object]:
    from config import TestingConfig
    from coordinator import create_app
    from coordinator.models import Action

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.db'}"
    app = create_app(cfg)
    app.config["FIXED_NOW"] = NOW
    headers = {"Authorization": "Bearer " + (Path(folder) / "secret").read_text()}
    client = app.test_client()
    out: dict[str, object] = {}
    for name, url in (("all", "/api/v1/actions?per_page=1000"), ("page", "/api/v1/actions")):
        times = []
        for i in range(5 + runs):
            t = time.perf_counter()
            resp = client.get(url, headers=headers)
            assert resp.status_code == 200, resp.status_code
            if i >= 5:
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = {"url": url, "items": len(resp.json["items"]), "median": statistics.median(times),
                     "p95": times[max(0, int(len(times) * 0.95) - 1)], "bytes": len(resp.data)}
    with app.app_context():
        out["actions"] = db.session.scalar(select(func.count()).where(Action.deleted_at.is_(None)))
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=7)
    parser.add_argument("--api-scale", type=int, default=23)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--api-run", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.api_run:
        print(json.dumps(api_run(args.api_run, args.runs)))
        return
    same, fresh, rows = matrix_bench(args.copies)
    api = api_bench(args.api_scale, args.runs)
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# SITISEK RAD matrix and API benchmark", "",
        f"{stamp} · `python -m bench.rad` · SQLite file, fixed now {NOW} UTC", "", "## Machine", "", *machine(), "",
        f"## Importing a matrix of {rows} rows ({same['actions']} actions: the demo plan {args.copies} times)", "",
        "| into | read s | preview s | save + commit s | total s | changes | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in (("an empty database (all new)", fresh), ("the same database again (all matched)", same)):
        lines.append(f"| {label} | {r['read_s']:.2f} | {r['preview_s']:.2f} | {r['save_s']:.2f} | "
                     f"{r['total_s']:.2f} | {r['changes']} | {verdict(r['total_s'] <= IMPORT_TARGET_S)} "
                     f"(≤ {IMPORT_TARGET_S:.0f} s) |")
    lines += ["", f"Peak memory of the benchmark process (seeding included): {peak_rss_mb():.0f} MB.", "",
              f"## API action list ({api['actions']} actions; demo scale {args.api_scale}; "
              f"{args.runs} timed requests after 5 warm-ups)", "",
              "| request | items | median ms | p95 ms | body bytes | target |", "|---|---:|---:|---:|---:|---|"]
    for name in ("all", "page"):
        r = api[name]  # type: ignore[assignment]
        lines.append(f"| `{r['url']}` | {r['items']} | {r['median']:.1f} | {r['p95']:.1f} | {r['bytes']} | "
                     f"{verdict(r['median'] <= API_TARGET_MS)} (median ≤ {API_TARGET_MS:.0f}) |")
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
