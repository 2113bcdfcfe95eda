"""Importing a 50.000-row by-name list from XLSX, and a village verifier's list at that size.

    .venv/bin/python -m bench.verval [--rows 50000] [--runs 50]

A fresh SQLite database (migrations, the demo at scale 1, untimed), an XLSX of `rows` children spread
over the 141 desa (made with openpyxl, untimed). Timed: reading and checking every row (preview) and
saving them (as `flask verval import` does: one check, then the inserts), in a fresh process for its
peak memory. Then a verifier of the desa with the most children signs in and their list
(/verval/anak, first page, unverified first) is timed `runs` times after 5 warm-ups. Writes
bench/results/verval-latest.md. Not a test: targets are printed as PASS/FAIL; exit status 0 either way.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from bench.pages import NOW, build_app, machine, publish, seed
from bench.reminders import peak_rss_mb
from config import TestingConfig
from coordinator import create_app
from coordinator.extensions import db

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "verval-latest.md"
IMPORT_TARGET_S = 30.0
LIST_TARGET_MS = 50.0
HEADER = ["NIK", "NISN", "Nama", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Nama Ibu / Kepala Keluarga",
          "Dusun", "RT", "RW", "Desa/Kelurahan", "Kecamatan", "Kategori", "Jenjang/Kelas Terakhir", "NPSN", "Sumber"]


def make_xlsx(app, rows: int) -> bytes:
    from coordinator.models import Area

    with app.app_context():
        kec = dict(db.session.execute(select(Area.kode, Area.nama).where(Area.level == "kecamatan",
                                                                         Area.kode.like("64.08.%"))).all())
        desa = [(n, kec[p]) for n, p in db.session.execute(
            select(Area.nama, Area.parent_kode).where(Area.level == "desa", Area.parent_kode.in_(list(kec))))]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    first = date(2008, 1, 1)
    for i in range(rows):
        birth = first + timedelta(days=(i * 37) % 4000)
        sex = "P" if i % 2 else "L"
        day = birth.day + (40 if sex == "P" else 0)
        # Rows with the same birth date are i, i + 4000, ... (37 and 4000 are coprime): i // 4000 tells them apart.
        nik = f"640812{day:02d}{birth.month:02d}{birth.year % 100:02d}{i // 4000:04d}"  # not the demo's codes
        d, k = desa[i % len(desa)]
        ws.append([nik, f"{i:010d}", f"Anak {i}", sex, "Sangatta", birth.strftime("%d/%m/%Y"), f"Ibu {i}", "Dusun I",
                   str(i % 20 + 1), "1", d, k, ("BPB", "DO", "LTM")[i % 3], "Kelas 6", "30405060", "Pusdatin"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measure(folder: str) -> dict[str, float]:
    from coordinator.verval.child_data import key_from_config
    from coordinator.verval.importing import preview, save

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.db'}"
    app = create_app(cfg)
    data = (Path(folder) / "bnba.xlsx").read_bytes()
    with app.app_context():
        key = key_from_config(app.config)
        started = time.perf_counter()
        p = preview(db.session, data, "bnba.xlsx", key)
        checked = time.perf_counter()
        result = save(db.session, data, "bnba.xlsx", key, datetime.fromisoformat(NOW), None, "bench", checked=p)
        db.session.commit()
        done = time.perf_counter()
        out = {"preview_s": checked - started, "save_s": done - checked, "total_s": done - started,
               "created": result.created, "errors": p.error_count, "maxrss_mb": peak_rss_mb()}
        db.session.remove()
    return out


def verifier_list(folder: str, runs: int) -> dict[str, object]:
    from coordinator.models import Child, User, VerifierArea

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.db'}"
    app = create_app(cfg)
    app.config["FIXED_NOW"] = NOW
    with app.app_context():
        kode, n = db.session.execute(select(Child.desa_kode, func.count()).group_by(Child.desa_kode)
                                     .order_by(func.count().desc()).limit(1)).one()
        user = User(email="verifikator.bench@example.org", name="Kader PKK", role="verifikator", locale="id",
                    created_at=datetime.fromisoformat(NOW), active=True)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.flush()
        db.session.add(VerifierArea(user_id=user.id, area_kode=kode))
        db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": "bench-password"}).status_code == 302
        times = []
        for i in range(5 + runs):
            t = time.perf_counter()
            resp = client.get("/verval/anak")
            assert resp.status_code == 200, resp.status_code
            if i >= 5:
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        db.session.remove()
    return {"desa": kode, "children": int(n), "median_ms": statistics.median(times),
            "p95_ms": times[int(len(times) * 0.95) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--list", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.list:
        print(json.dumps(verifier_list(args.list, args.runs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        seed(app, 1)
        started = time.perf_counter()
        (Path(tmp) / "bnba.xlsx").write_bytes(make_xlsx(app, args.rows))
        made_s = time.perf_counter() - started
        size_mb = (Path(tmp) / "bnba.xlsx").stat().st_size / 1024 / 1024

        def run(*extra: str) -> dict:
            proc = subprocess.run([sys.executable, "-m", "bench.verval", *extra, tmp, "--runs", str(args.runs)],
                                  cwd=REPO, capture_output=True, text=True)
            if proc.returncode:
                raise SystemExit(proc.stderr[-3000:])
            return json.loads(proc.stdout.strip().splitlines()[-1])

        m = run("--measure")
        listing = run("--list")
    ok_import = m["total_s"] <= IMPORT_TARGET_S and not m["errors"]
    ok_list = listing["median_ms"] <= LIST_TARGET_MS
    lines = [f"# By-name list (verval) ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "", *machine(), "",
             f"- An XLSX of {args.rows:,} children ({size_mb:.1f} MB, made in {made_s:.1f} s, untimed) over the "
             "141 desa; SQLite; demo scale 1 seeded first.", "",
             "| measure | value | target | verdict |", "|---|---:|---:|---|",
             f"| import: read + check every row (preview) | {m['preview_s']:.1f} s | – | – |",
             f"| import: save ({m['created']:,} children, NIK hashed and encrypted) | {m['save_s']:.1f} s | – | – |",
             f"| import total | {m['total_s']:.1f} s | ≤ {IMPORT_TARGET_S:.0f} s | {'PASS' if ok_import else 'FAIL'} |",
             f"| import: max RSS | {m['maxrss_mb']:.0f} MB | – | – |",
             f"| verifier's list `/verval/anak` ({listing['children']} children in {listing['desa']}), median / p95 "
             f"| {listing['median_ms']:.1f} / {listing['p95_ms']:.1f} ms | ≤ {LIST_TARGET_MS:.0f} ms "
             f"| {'PASS' if ok_list else 'FAIL'} |"]
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
