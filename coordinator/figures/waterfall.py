"""Where a change in ATS comes from (issue 21), for the regency or one area, between two snapshots.

The change between the two Pusdatin counts is split into what the by-name list (verval) can account for:
- children verified back in school in the period, by pathway (sekolah formal, Paket A/B/C, pesantren/madrasah,
  LKP): the date and pathway of each child's first returned outcome, each child once;
- children verified in the period as not out of school at all (already in school, in a pesantren, in school
  outside the regency, moved away, died, outside ages 7–18, a duplicate record): the list being cleaned;
  a child already counted as returned is not counted again;
- the rest: the change minus both (new entries to the list, and what the data cannot explain), so the parts
  always add up to the change.
Where the by-name list holds no child of the area, nothing is split: `covered` is False and only the change is
known; a page says so instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.ats.figures import live_snapshots, totals_for
from coordinator.ats.pages import baseline_snapshot
from coordinator.core.clock import wita_day_end_utc
from coordinator.models import RETURNED_OUTCOMES, Area, Child, ChildCase, ChildVerification, Plan

# Verification findings that say the child was never (or is no longer) out of school in the regency.
NOT_ATS = ("masih_sekolah", "pesantren", "luar_daerah", "pindah", "meninggal", "luar_usia", "data_ganda")


@dataclass
class Waterfall:
    start: date
    end: date
    start_total: int | None
    end_total: int | None
    covered: bool  # the by-name list holds children of the area
    returned: dict[str, int] = field(default_factory=dict)  # pathway (RETURNED_OUTCOMES) -> children
    cleaned: dict[str, int] = field(default_factory=dict)  # verification status (NOT_ATS) -> children

    @property
    def change(self) -> int | None:
        if self.start_total is None or self.end_total is None:
            return None
        return self.end_total - self.start_total

    @property
    def returned_total(self) -> int:
        return sum(self.returned.values())

    @property
    def cleaned_total(self) -> int:
        return sum(self.cleaned.values())

    @property
    def rest(self) -> int | None:
        """The part of the change neither returns nor cleaning explain (positive: more children than that)."""
        if self.change is None or not self.covered:
            return None
        return self.change + self.returned_total + self.cleaned_total


def _in_area(stmt, desa: set[str] | None):  # type: ignore[no-untyped-def]
    return stmt if desa is None else stmt.where(Child.desa_kode.in_(desa))


def waterfall(session: Session, desa: set[str] | None, start: date, end: date, start_total: int | None,
              end_total: int | None) -> Waterfall:
    """`desa`: the area's desa codes (None: the regency); `start`/`end`: the two snapshots' dates and totals."""
    out = Waterfall(start, end, start_total, end_total, covered=False)
    listed = session.scalar(_in_area(select(func.count(Child.id)), desa)
                            .where(Child.created_at < wita_day_end_utc(end)))
    out.covered = bool(listed)
    if not out.covered:
        return out
    first = (select(ChildCase.child_id, func.min(ChildCase.outcome_date).label("back"))
             .where(ChildCase.outcome.in_(RETURNED_OUTCOMES), ChildCase.outcome_date <= end)
             .group_by(ChildCase.child_id).subquery())
    returned_ids: set[int] = set()
    rows = session.execute(_in_area(
        select(ChildCase.child_id, ChildCase.outcome, first.c.back)
        .join(first, (first.c.child_id == ChildCase.child_id) & (first.c.back == ChildCase.outcome_date))
        .join(Child, Child.id == ChildCase.child_id)
        .where(ChildCase.outcome.in_(RETURNED_OUTCOMES))
        .order_by(ChildCase.child_id, ChildCase.action_id), desa))
    for child_id, outcome, back in rows:
        if child_id in returned_ids or back is None:
            continue  # two cases on the same first day: the child counts once
        returned_ids.add(child_id)
        if back > start:
            out.returned[outcome] = out.returned.get(outcome, 0) + 1
    latest: dict[int, tuple[str, date]] = {}
    for child_id, status, verified_on in session.execute(_in_area(
            select(ChildVerification.child_id, ChildVerification.status, ChildVerification.verified_on)
            .join(Child, Child.id == ChildVerification.child_id)
            .where(ChildVerification.verified_on <= end)
            .order_by(ChildVerification.verified_on, ChildVerification.id), desa)):
        latest[child_id] = (status, verified_on)
    for child_id, (status, verified_on) in latest.items():
        if status in NOT_ATS and verified_on > start and child_id not in returned_ids:
            out.cleaned[status] = out.cleaned.get(status, 0) + 1
    return out


def area_waterfall(session: Session, kode: str | None) -> Waterfall | None:
    """Baseline → latest live snapshot for the regency (None), a kecamatan or a desa; None without two snapshots."""
    snapshots = live_snapshots(session)
    plan = session.scalar(select(Plan).order_by(Plan.id).limit(1))
    base = baseline_snapshot(snapshots, plan.baseline_year if plan else None)
    if base is None or not snapshots or snapshots[-1].id == base.id:
        return None
    latest = snapshots[-1]
    totals = totals_for(session, [base, latest])
    desa: set[str] | None = None
    if kode is not None:
        level = session.scalar(select(Area.level).where(Area.kode == kode))
        desa = {kode} if level == "desa" else set(session.scalars(select(Area.kode).where(Area.parent_kode == kode)))

    def total(snapshot_id: int) -> int | None:
        t = totals[snapshot_id]
        if kode is None:
            return int(t.total["total"])
        counts = t.kecamatan.get(kode) or t.desa.get(kode)
        return int(counts["total"]) if counts else None

    return waterfall(session, desa, base.as_of, latest.as_of, total(base.id), total(latest.id))


def month_waterfall(session: Session, end: date, baseline_year: int | None) -> dict | None:
    """The regency's waterfall from the baseline to the month's last snapshot (on or before `end`), as the plain
    values a month's facts keep; None without two snapshots."""
    snapshots = [s for s in live_snapshots(session) if s.as_of <= end]
    base = baseline_snapshot(snapshots, baseline_year)
    if base is None or snapshots[-1].id == base.id:
        return None
    latest = snapshots[-1]
    totals = totals_for(session, [base, latest])
    w = waterfall(session, None, base.as_of, latest.as_of, int(totals[base.id].total["total"]),
                  int(totals[latest.id].total["total"]))
    return {"start": w.start.isoformat(), "end": w.end.isoformat(), "start_total": w.start_total,
            "end_total": w.end_total, "covered": w.covered, "returned": w.returned, "cleaned": w.cleaned}


def waterfall_of(data: dict | None) -> Waterfall | None:
    """A month's facts' waterfall back as a Waterfall (facts frozen before it existed have none)."""
    if not data:
        return None
    return Waterfall(date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), data["start_total"],
                     data["end_total"], bool(data["covered"]), dict(data["returned"]), dict(data["cleaned"]))
