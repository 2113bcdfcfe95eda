"""Reading ATS snapshots: totals per area and category, with the counting rules.

Rules (issue 3): a kecamatan's total comes from its desa rows where the snapshot
has them, else from its kecamatan row, so nothing is counted twice; the residu
(children whose address matched no area) is its own figure, counted in the
regency total and never in an area. `detail` rows are the portal's breakdown;
only detail "" (the category total) is counted.
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
    residu: Counts = field(default_factory=empty_counts)
    residu_by_scope: dict[str | None, Counts] = field(default_factory=dict)  # None = regency table
    total: Counts = field(default_factory=empty_counts)

    def mismatches(self) -> list[tuple[str, int, int]]:
        """Kecamatan whose desa sum plus that table's residu disagrees with its kecamatan row."""
        out = []
        for kode in sorted(self.from_desa & set(self.kecamatan_rows)):
            desa_sum = self.kecamatan[kode]["total"] + self.residu_by_scope.get(kode, empty_counts())["total"]
            row = self.kecamatan_rows[kode]["total"]
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
    they are written): residu apart, desa summed into their kecamatan, a kecamatan row only where the
    kecamatan has no desa rows."""
    for kind, kode, category, count in figures:
        if kind == FIGURE_RESIDU:
            add_to(totals.residu, category, count)
            add_to(totals.residu_by_scope.setdefault(kode, empty_counts()), category, count)
        elif kind == FIGURE_AREA and kode is not None:
            if parents.get(kode) is None:  # a kecamatan row
                add_to(totals.kecamatan_rows.setdefault(kode, empty_counts()), category, count)
            else:
                add_to(totals.desa.setdefault(kode, empty_counts()), category, count)
    desa_sums: dict[str, Counts] = defaultdict(empty_counts)
    for kode, counts in totals.desa.items():
        for cat in ATS_CATEGORIES:
            add_to(desa_sums[parents[kode] or ""], cat, counts[cat])
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
