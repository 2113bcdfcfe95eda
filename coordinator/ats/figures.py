"""Reading ATS snapshots: totals per area and category, with the counting rules.

The rules are Pusdatin's: a kecamatan's figure counts every child whose kecamatan is known, including those whose
desa is not. So where a snapshot has a kecamatan's desa table, the kecamatan is the sum of its desa rows plus that
table's Residu row ("tanpa desa", `without_desa`); else it is the kecamatan's row of the regency table. The
regency's Residu (children whose kecamatan is unknown) is its own figure, counted in the regency total and never in
an area. Regency total = kecamatan + regency residu. `detail` rows are the portal's breakdown; only detail "" (the
category total) is counted.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import ATS_CATEGORIES, FIGURE_AREA, FIGURE_RESIDU, Area, AtsFigure, AtsSnapshot

Counts = dict[str, int]  # {"BPB": n, "DO": n, "LTM": n, "total": n}


def empty_counts() -> Counts:
    return {"BPB": 0, "DO": 0, "LTM": 0, "total": 0}


def add_to(counts: Counts, category: str, n: int) -> None:
    counts[category] += n
    counts["total"] += n


@dataclass
class SnapshotTotals:
    snapshot: AtsSnapshot
    kecamatan: dict[str, Counts] = field(default_factory=dict)  # kode -> counts (desa rule applied)
    desa: dict[str, Counts] = field(default_factory=dict)  # kode -> counts
    kecamatan_rows: dict[str, Counts] = field(default_factory=dict)  # as imported, before the desa rule
    from_desa: set[str] = field(default_factory=set)  # kecamatan whose total is the sum of its desa
    residu: Counts = field(default_factory=empty_counts)  # the regency's: kecamatan unknown
    residu_by_scope: dict[str | None, Counts] = field(default_factory=dict)  # None = regency table
    without_desa: dict[str, Counts] = field(default_factory=dict)  # kecamatan -> its desa table's residu
    total: Counts = field(default_factory=empty_counts)

    def mismatches(self) -> list[tuple[str, int, int]]:
        """Kecamatan whose desa sum plus that table's residu disagrees with its kecamatan row."""
        out = []
        for kode in sorted(self.from_desa & set(self.kecamatan_rows)):
            desa_sum, row = self.kecamatan[kode]["total"], self.kecamatan_rows[kode]["total"]
            if desa_sum != row:
                out.append((kode, desa_sum, row))
        return out


def live_snapshots(session: Session) -> list[AtsSnapshot]:
    return list(session.scalars(
        select(AtsSnapshot).where(AtsSnapshot.replaced_at.is_(None)).order_by(AtsSnapshot.as_of)
    ))


def snapshot_on_or_before(session: Session, as_of: date | None) -> AtsSnapshot | None:
    stmt = select(AtsSnapshot).where(AtsSnapshot.replaced_at.is_(None))
    if as_of is not None:
        stmt = stmt.where(AtsSnapshot.as_of <= as_of)
    return session.scalar(stmt.order_by(AtsSnapshot.as_of.desc(), AtsSnapshot.id.desc()).limit(1))


def snapshot_before(session: Session, as_of: date) -> AtsSnapshot | None:
    """The latest live snapshot strictly before `as_of`."""
    return session.scalar(
        select(AtsSnapshot).where(AtsSnapshot.replaced_at.is_(None), AtsSnapshot.as_of < as_of)
        .order_by(AtsSnapshot.as_of.desc(), AtsSnapshot.id.desc()).limit(1)
    )


def previous_snapshot(session: Session, snapshot: AtsSnapshot) -> AtsSnapshot | None:
    return snapshot_before(session, snapshot.as_of)


def area_parents(session: Session) -> dict[str, str | None]:
    return dict(session.execute(select(Area.kode, Area.parent_kode)).all())


PlainFigure = tuple[str, str | None, str, int]  # kind, area_kode, category, count (detail "" only)


def apply_rules(totals: SnapshotTotals, figures: Iterable[PlainFigure], parents: dict[str, str | None]
                ) -> SnapshotTotals:
    """Fills `totals` from category-total figures with the counting rules of this module (the one place
    they are written): desa and their table's residu summed into their kecamatan, a kecamatan row only where the
    kecamatan has no desa table, the regency's residu apart."""
    for kind, kode, category, count in figures:
        if kind == FIGURE_RESIDU:
            add_to(totals.residu_by_scope.setdefault(kode, empty_counts()), category, count)
            if kode is None:
                add_to(totals.residu, category, count)
            else:
                add_to(totals.without_desa.setdefault(kode, empty_counts()), category, count)
        elif kind == FIGURE_AREA and kode is not None:
            if parents.get(kode) is None:  # a kecamatan row
                add_to(totals.kecamatan_rows.setdefault(kode, empty_counts()), category, count)
            else:
                add_to(totals.desa.setdefault(kode, empty_counts()), category, count)
    desa_sums: dict[str, Counts] = defaultdict(empty_counts)
    for kode, counts in [*((parents[k] or "", c) for k, c in totals.desa.items()), *totals.without_desa.items()]:
        for cat in ATS_CATEGORIES:
            add_to(desa_sums[kode], cat, counts[cat])
    totals.from_desa = set(desa_sums)
    for kode in set(totals.kecamatan_rows) | set(desa_sums):
        totals.kecamatan[kode] = desa_sums[kode] if kode in desa_sums else totals.kecamatan_rows[kode]
    for counts in list(totals.kecamatan.values()) + [totals.residu]:
        for cat in ATS_CATEGORIES:
            add_to(totals.total, cat, counts[cat])
    return totals


def totals_for(session: Session, snapshots: list[AtsSnapshot], parents: dict[str, str | None] | None = None
               ) -> dict[int, SnapshotTotals]:
    """Totals of several snapshots in one statement (the overview's time series)."""
    if not snapshots:
        return {}
    parents = parents if parents is not None else area_parents(session)
    figures: dict[int, list[PlainFigure]] = {s.id: [] for s in snapshots}
    rows = session.execute(
        select(AtsFigure.snapshot_id, AtsFigure.kind, AtsFigure.area_kode, AtsFigure.category, AtsFigure.count)
        .where(AtsFigure.snapshot_id.in_(list(figures)), AtsFigure.detail == "")
    )
    for snapshot_id, kind, kode, category, count in rows:
        figures[snapshot_id].append((kind, kode, category, count))
    return {s.id: apply_rules(SnapshotTotals(s), figures[s.id], parents) for s in snapshots}


def totals_of(session: Session, snapshot: AtsSnapshot) -> SnapshotTotals:
    return totals_for(session, [snapshot])[snapshot.id]


@dataclass
class Summary:
    """What `flask ats summary` and /api/v1/ats/summary give: the regency's total and residu, and either every
    kecamatan or one kecamatan's desa with that kecamatan's children whose desa is unknown."""

    totals: SnapshotTotals
    areas: list[dict[str, object]]  # kode, nama, BPB, DO, LTM, total
    without_desa: Counts | None  # with a kecamatan: its desa table's residu (the desa rows plus this = its figure)


def summary(session: Session, totals: SnapshotTotals, kecamatan: str | None = None) -> Summary | None:
    """The rows of a summary; None when the snapshot has no desa figures for `kecamatan` (only its total)."""
    parent = Area.parent_kode == kecamatan if kecamatan else Area.parent_kode.is_(None)
    areas = session.execute(select(Area.kode, Area.nama).where(parent).order_by(Area.kode)).all()
    source = totals.desa if kecamatan else totals.kecamatan
    if kecamatan and kecamatan not in totals.from_desa:
        return None
    rows: list[dict[str, object]] = [{"kode": kode, "nama": nama, **source.get(kode, empty_counts())}
                                     for kode, nama in areas]
    without = totals.without_desa.get(kecamatan, empty_counts()) if kecamatan else None
    return Summary(totals, rows, without)
