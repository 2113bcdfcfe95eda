"""The leaders' summary (/ringkasan): are we on track, what children came back, what needs a decision.

Every figure comes from the running month's report model (figures/headline.py), so the summary, the monitor, the
PDF and `flask report figures` agree. The target trajectory is a straight line from the baseline count on its date
to the plan's target at the end of its last year; "where we should be" is that line on today's date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import month_start, wita_today
from coordinator.figures.headline import figures_of
from coordinator.figures.trajectory import Trajectory, trajectory
from coordinator.models import SCOPE_REGENCY, MonthlySnapshot, Plan, ReportArchive
from coordinator.reports.archive import build_for
from coordinator.reports.model import MonthlyReport


@dataclass
class Decision:
    code: str
    title: str
    responsible: str  # the action's lead agency
    reported_by: str
    text: str
    days_late: int


@dataclass
class LeaderSummary:
    today: date
    report: MonthlyReport
    figures: dict[str, Any]
    trajectory: Trajectory | None
    expected_now: int | None
    decisions: list[Decision]
    latest_pdf: ReportArchive | None


def trajectory_of(report: MonthlyReport, plan: Plan | None) -> Trajectory | None:
    if plan is None:
        return None
    return trajectory(report.ats_baseline, report.ats_baseline_date, plan.target_ats, plan.end_year)


def latest_regency_pdf(session: Session, locale: str) -> ReportArchive | None:
    """The newest archived regency report of a month still closed, in the reader's language if there is one."""
    rows = session.execute(
        select(ReportArchive, MonthlySnapshot.period).join(MonthlySnapshot,
                                                           MonthlySnapshot.id == ReportArchive.snapshot_id)
        .where(ReportArchive.scope == SCOPE_REGENCY, MonthlySnapshot.reopened_at.is_(None))
        .order_by(MonthlySnapshot.period.desc(), ReportArchive.revision.desc()).limit(10)).all()
    if not rows:
        return None
    newest = rows[0][1]
    same_month = [a for a, period in rows if period == newest]
    return next((a for a in same_month if a.locale == locale), same_month[0])


def leader_summary(session: Session, now: datetime, locale: str) -> LeaderSummary:
    today = wita_today(now)
    built = build_for(session, month_start(today), SCOPE_REGENCY, "", now)
    report = built.report
    plan = session.scalar(select(Plan).order_by(Plan.id).limit(1))
    trajectory = trajectory_of(report, plan)
    lead = {a["id"]: a["lead"] for a in built.facts["actions"]}
    names = {a["id"]: a["short_name"] for a in built.facts["agencies"]}
    decisions = [Decision(d["code"], d["title"], names.get(lead.get(d["action_id"], -1), ""), d.get("agency", ""),
                          d["text"], int(d.get("days_late") or 0)) for d in report.decisions]
    return LeaderSummary(today, report, figures_of(report, closed=built.snapshot is not None), trajectory,
                         trajectory.on(today) if trajectory else None, decisions, latest_regency_pdf(session, locale))
