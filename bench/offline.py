"""A village verifier's offline package (verval without signal) of 500 children: its size and how fast it is ready.

    .venv/bin/python -m bench.offline [--children 500] [--runs 20]

A fresh SQLite database (migrations, the demo at scale 1, untimed); 500 children are added to the demo verifier's
first desa (untimed). Timed: POST /verval/luring/siapkan as the verifier, from request to the whole JSON body
received (a new device key, the package built, each child written to the access log, committed), `runs` times
after 2 warm-ups. Size: the JSON body as sent, and gzipped (as nginx sends it). Targets (issue 23): ≤ 300 KB and
ready in ≤ 1 s. Writes bench/results/offline-latest.md. Not a test: exit status 0 either way.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bench.pages import NOW, build_app, machine, publish, seed
from coordinator.demo.content import DEMO_PASSWORD
from coordinator.extensions import db
from coordinator.models import Child, User, VerifierArea

RESULTS = Path(__file__).resolve().parent / "results" / "offline-latest.md"
SIZE_TARGET_KB = 300.0
TIME_TARGET_S = 1.0


def add_children(app, n: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        verifier = db.session.scalar(select(User).where(User.role == "verifikator").order_by(User.id))
        desa = db.session.scalar(select(VerifierArea.area_kode).where(VerifierArea.user_id == verifier.id))
        now = datetime.fromisoformat(NOW)
        existing = len(db.session.scalars(select(Child.id).where(Child.desa_kode == desa)).all())
        for i in range(n - existing):
            db.session.add(Child(nik_hash=f"bench-offline-{i:06d}", nama=f"Anak Bench Luring {i:04d} binti Fulan",
                                 jenis_kelamin="L" if i % 2 else "P", birth_year=2010 + i % 8, dusun=f"Dusun {i % 7}",
                                 rt=f"{i % 20:03d}", rw=f"{i % 5:03d}", desa_kode=desa,
                                 kategori=("BPB", "DO", "LTM")[i % 3], created_at=now, updated_at=now))
        db.session.commit()
        email = verifier.email
        total = len(db.session.scalars(select(Child.id).where(Child.desa_kode == desa)).all())
        db.session.remove()
    return email, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        app.config["WTF_CSRF_ENABLED"] = False
        seed(app, 1)
        email, total = add_children(app, args.children)
        client = app.test_client()
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        times, body = [], b""
        for i in range(args.runs + 2):
            started = time.perf_counter()
            response = client.post("/verval/luring/siapkan", json={"device_id": "bench-device-0001"})
            body = response.get_data()
            if i >= 2:
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    raw_kb, gz_kb = len(body) / 1024, len(gzip.compress(body)) / 1024
    median = statistics.median(times)
    lines = [
        f"# Offline package of a village verifier ({datetime.now():%Y-%m-%d %H:%M})", "", *machine(), "",
        f"- {total} children in the verifier's desa; {args.runs} timed requests after 2 warm-ups", "",
        "| measure | value | target | verdict |", "|---|---:|---:|---|",
        f"| package as JSON | {raw_kb:.0f} KB (gzip {gz_kb:.0f} KB) | ≤ {SIZE_TARGET_KB:.0f} KB | "
        f"{'PASS' if raw_kb <= SIZE_TARGET_KB else 'FAIL'} |",
        f"| ready (request to whole body), median | {median * 1000:.0f} ms (max {max(times) * 1000:.0f} ms) | "
        f"≤ {TIME_TARGET_S:.0f} s | {'PASS' if median <= TIME_TARGET_S else 'FAIL'} |",
    ]
    publish("\n".join(lines) + "\n", RESULTS)


if __name__ == "__main__":
    main()
