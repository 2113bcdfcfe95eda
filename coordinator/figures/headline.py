"""A month's headline figures for a scope, as one JSON object: what `flask report figures` prints, and exactly what
the monthly report (PDF) of that month and scope shows, because both read the same MonthlyReport built from the
same facts. For the running month the facts are the data as it stands now (what the monitor shows today); for an
ended month, as of its last day, and once it is closed, its frozen facts.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from coordinator.core.clock import month_start, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.reports.archive import build_for
from coordinator.reports.model import STATUS_ORDER, MonthlyReport


def month_figures(session: Session, period: date, scope: str, key: str, now: datetime) -> dict[str, Any]:
    if period > month_start(wita_today(now)):
        raise DomainError(N_("Bulan itu belum dimulai; pilih bulan ini atau bulan yang sudah lewat."))
    built = build_for(session, period, scope, key, now)
    return figures_of(built.report, closed=built.snapshot is not None)


def figures_of(report: MonthlyReport, closed: bool) -> dict[str, Any]:
    sums = report.area_sums
    children = report.children
    change = None if report.ats_now is None or report.ats_baseline is None else report.ats_now - report.ats_baseline
    expected = sum(a.expected for a in report.agencies)
    return {
        "period": f"{report.period:%Y-%m}",
        "as_of": report.as_of.isoformat(),
        "closed": closed,
        "scope": {"kind": report.scope, "key": report.scope_key or None, "name": report.scope_name or None},
        "ats": {"current": report.ats_now, "baseline": report.ats_baseline, "target": report.ats_target,
                "change_since_baseline": change,
                "current_as_of": report.ats_now_date.isoformat() if report.ats_now_date else None,
                "baseline_as_of": report.ats_baseline_date.isoformat() if report.ats_baseline_date else None},
        "actions": {"total": report.actions_total, **{s: report.status_counts.get(s, 0) for s in STATUS_ORDER}},
        "milestones_late": report.milestones_late,
        "children_returned": {"distinct_total": children.distinct_total, "by_name": children.by_name,
                              "reported_only": children.reported_only,
                              "distinct_this_month": children.distinct_month,
                              "by_name_this_month": children.by_name_month,
                              "reported_only_this_month": children.reported_only_month,
                              "reached_this_month": children.reached_month},
        "budget": {"ceiling": report.budget.ceiling, "realised": report.budget.realised,
                   "absorption_pct": report.budget.absorption_pct, "over_ceiling": report.budget.over_ceiling,
                   **{f"by_{kind}": [{"key": line.key, "name": line.label, "ceiling": line.ceiling,
                                      "realised": line.realised,
                                      # an agency's realisation is its own, the ceiling the actions': no ratio
                                      "absorption_pct": None if kind == "agency" else line.absorption_pct}
                                     for line in lines] for kind, lines in report.budget_by.items()}},
        "reports": {"expected": expected, "received": sum(a.reported for a in report.agencies),
                    "on_time": sum(a.on_time for a in report.agencies)},
        "area_level": report.area_level,
        "areas": [{"kode": r.kode, "nama": r.nama, "ats_current": r.now, "ats_baseline": r.baseline,
                   "children_returned": r.returned} for r in sorted(report.area_rows, key=lambda r: r.kode)],
        "residu": {"ats_current": sums["now"].residu, "ats_baseline": sums["baseline"].residu,
                   "children_returned": sums["returned"].residu},
    }
