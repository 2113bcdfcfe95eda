"""A month with known figures for the monthly report tests (October 2026, on top of the World plan).

ATS (regency total): 2.611 at the baseline (31 March 2025), 2.140 on 30 September 2026, 2.045 on
31 October 2026, and a November snapshot the October report must not show. Sangatta Utara: 1.700 →
1.350 → 1.280. October reports: Dinsos on 1.1.1 (on time, 25 children reached, 9 returned, 13 in all
with September's 4), Disdikbud on 1.1.2 (late, made on 3 November); 1.1.2 was due 15 October: 16 days
late on 31 October.
"""
from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import (
    ActionFunding,
    AtsFigure,
    AtsSnapshot,
    Indicator,
    IndicatorTarget,
    ProgressOutcome,
    ProgressUpdate,
)

OCTOBER = date(2026, 10, 1)
DINSOS_OBSTACLE = "Anggaran transportasi pendamping belum cair."
DISDIK_OBSTACLE = "Petugas verval kurang di Sangatta Utara."


def _snapshot(as_of: date, kec04: tuple[int, int, int], kec05: tuple[int, int, int], residu: int = 0) -> None:
    s = AtsSnapshot(as_of=as_of, source="Pusdatin", created_at=datetime(2026, 11, 1))
    db.session.add(s)
    db.session.flush()
    for kode, counts in (("64.08.04", kec04), ("64.08.05", kec05)):
        for cat, n in zip(("BPB", "DO", "LTM"), counts, strict=True):
            db.session.add(AtsFigure(snapshot_id=s.id, kind="area", area_kode=kode, category=cat, detail="", count=n))
    if residu:
        db.session.add(AtsFigure(snapshot_id=s.id, kind="residu", area_kode=None, category="BPB", detail="",
                                 count=residu))


def _update(world, action, agency, author, period, created, percent, obstacles=None, outcomes=()):
    u = ProgressUpdate(action=action, agency=agency, author=author, period=period, percent_complete=percent,
                       achievements=f"Capaian {action.code} {period:%m/%Y}", obstacles=obstacles,
                       follow_up="Rapat koordinasi", created_at=created)
    db.session.add(u)
    db.session.flush()
    for kode, reached, formal, paket in outcomes:
        db.session.add(ProgressOutcome(update_id=u.id, area_kode=kode, reached=reached, returned_formal=formal,
                                       returned_paket=paket))
    return u


def build_october(world) -> None:
    world.plan.target_ats = 1500
    world.a1.areas = [world.desa]
    world.a2.areas = [world.kec]
    world.a2.due_date = date(2026, 10, 15)
    world.a1.budget_amount = 150_000_000
    world.a1.fundings = [ActionFunding(source="APBD", amount=100_000_000, position=0),
                         ActionFunding(source="CSR", amount=50_000_000, position=1)]
    _snapshot(date(2025, 3, 31), (1000, 400, 300), (600, 200, 100), residu=11)
    _snapshot(date(2026, 9, 30), (800, 300, 250), (550, 150, 90))
    _snapshot(date(2026, 10, 31), (760, 280, 240), (540, 140, 85))
    _snapshot(date(2026, 11, 15), (500, 299, 200), (500, 100, 80))
    _update(world, world.a1, world.dinsos, world.focal, date(2026, 9, 1), datetime(2026, 9, 20), 40,
            outcomes=[(world.desa.kode, 10, 4, 0)])
    _update(world, world.a1, world.dinsos, world.focal, OCTOBER, datetime(2026, 10, 20), 60, DINSOS_OBSTACLE,
            outcomes=[(world.desa.kode, 25, 7, 2)])
    _update(world, world.a2, world.disdik, world.coordinator, OCTOBER, datetime(2026, 11, 3), 30, DISDIK_OBSTACLE)
    ind = Indicator(plan=world.plan, code="I-1", name="Jumlah anak tidak sekolah", unit="anak", direction="turun",
                    baseline_value=2611, baseline_year=2025, ats_metric="total")
    db.session.add(ind)
    db.session.add(IndicatorTarget(indicator=ind, year=2026, quarter=None, value=2000))
    db.session.commit()


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    """All text (whitespace folded) and each page's text."""
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    return " ".join(pages), pages
