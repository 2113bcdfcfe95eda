"""What is due at a WITA day: the reminder rules item by item (due.py turns the items into reminders per person).

Actions, milestones and meeting follow-ups due soon, late and escalated; actions without this month's report;
indicators without their last period's value; progress reports returned and not corrected, or waiting for review.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.actions.status import load_action_facts
from coordinator.core.clock import month_start, to_wita
from coordinator.meetings.queries import open_follow_ups_for_reminders
from coordinator.models import (
    FOLLOW_UP_SUBMITTED,
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    Action,
    FollowUp,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ProgressUpdate,
    ReminderSettings,
)
from coordinator.monitor.deadlines import CLOSED, updated_action_ids

DbSession = Session


@dataclass(frozen=True)
class Item:
    kind: str
    item_type: str
    item_id: int
    title: str
    due_date: date
    stage: str
    path: str
    days: int
    agency_id: int | None


def parse_days(value: str | None) -> list[int]:
    """"14,7,1" -> [14, 7, 1]; anything that is not a positive whole number is ignored."""
    out = []
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) <= 366:
            out.append(int(part))
    return sorted(set(out), reverse=True)


def on_schedule(days_late: int, first: int, repeat: int) -> bool:
    if days_late < first:
        return False
    return days_late == first or (repeat > 0 and (days_late - first) % repeat == 0)


def _last_period(today: date, quarterly: bool) -> tuple[int, int | None, date]:
    """The last finished quarter (or year) at `today`: (year, quarter or None, its last day)."""
    if not quarterly:
        return today.year - 1, None, date(today.year - 1, 12, 31)
    q = (today.month - 1) // 3  # quarters finished this year
    year, quarter = (today.year, q) if q else (today.year - 1, 4)
    end_month = quarter * 3
    end = (date(year + (end_month == 12), end_month % 12 + 1, 1)) - timedelta(days=1)
    return year, quarter, end


def due_items(session: DbSession, today: date, s: ReminderSettings) -> list[Item]:
    due_soon = set(parse_days(s.due_soon_days))
    first, repeat = max(1, s.overdue_first_day or 1), max(0, s.overdue_repeat_days or 0)
    escalate = max(0, s.escalate_after_days or 0)
    out: list[Item] = []
    facts = load_action_facts(session)
    updated = updated_action_ids(session, month_start(today)) if today.day >= (s.monthly_update_day or 1) else None
    for f in facts:
        if f.status(today) in CLOSED:
            continue
        dues = [("action", f.id, f"{f.code} {f.title}", f.due_date, f"/actions/{f.id}")]
        dues += [("milestone", m.id, f"{f.code} {f.title} — {m.title}", m.due_date, f"/actions/{f.id}#milestone-{m.id}")
                 for m in f.open_milestones()]
        for item_type, item_id, title, due, path in dues:
            days = (due - today).days
            if days in due_soon:
                out.append(Item(KIND_DUE_SOON, item_type, item_id, title, due, f"d-{days}", path, days,
                                 f.lead_agency_id))
            elif days < 0 and on_schedule(-days, first, repeat):
                out.append(Item(KIND_OVERDUE, item_type, item_id, title, due, f"late-{-days}", path, days,
                                 f.lead_agency_id))
            if days < 0 and on_schedule(-days, escalate + 1, repeat):
                out.append(Item(KIND_ESCALATION, item_type, item_id, title, due, f"late-{-days}", path, days,
                                 f.lead_agency_id))
        if updated is not None and f.start_date <= today and f.id not in updated:
            out.append(Item(KIND_MISSING_UPDATE, "action", f.id, f"{f.code} {f.title}", month_start(today),
                             f"{today:%Y-%m}", f"/actions/{f.id}/progress/new", 0, f.lead_agency_id))
    # Meeting follow-ups keep the same rhythm as milestones: due soon, late, escalated (meetings/queries.py).
    for fid, number, text, meeting, due, agency_id in open_follow_ups_for_reminders(session):
        days, title, path = (due - today).days, f"{meeting} #{number}: {text[:120]}", f"/follow-ups/{fid}"
        if days in due_soon:
            out.append(Item(KIND_DUE_SOON, "follow_up", fid, title, due, f"d-{days}", path, days, agency_id))
        elif days < 0 and on_schedule(-days, first, repeat):
            out.append(Item(KIND_OVERDUE, "follow_up", fid, title, due, f"late-{-days}", path, days, agency_id))
        if days < 0 and on_schedule(-days, escalate + 1, repeat):
            out.append(Item(KIND_ESCALATION, "follow_up", fid, title, due, f"late-{-days}", path, days, agency_id))
    if s.indicator_reminders:
        out += _indicator_items(session, today)
    return out + _review_items(session, today, s, first, repeat)


def _review_items(session: DbSession, today: date, s: ReminderSettings, first: int, repeat: int) -> list[Item]:
    """The review's two stages: a returned report not yet corrected (its agency, from the day after, then every
    `overdue_repeat_days`), and a report waiting for review `review_wait_days` days (coordinators, then as often).
    `due_date` carries the report's month; `days` how long it has been, as a negative number like lateness."""
    wait = max(1, s.review_wait_days or 5)
    out: list[Item] = []
    rows = session.execute(
        select(ProgressUpdate.id, ProgressUpdate.review_status, ProgressUpdate.reviewed_at, ProgressUpdate.created_at,
               ProgressUpdate.period, ProgressUpdate.agency_id, Action.code, Action.title)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.superseded_at.is_(None), Action.deleted_at.is_(None),
               ProgressUpdate.review_status.in_((REVIEW_RETURNED, REVIEW_SUBMITTED))))
    for uid, status, reviewed_at, created_at, period, agency_id, code, title in rows:
        label = f"{code} {title}"
        if status == REVIEW_RETURNED and reviewed_at is not None:
            days = (today - to_wita(reviewed_at).date()).days
            if on_schedule(days, first, repeat):
                out.append(Item(KIND_REPORT_RETURNED, "progress", uid, label, period, f"returned-{days}",
                                 f"/progress/{uid}/correct", -days, agency_id))
        elif status == REVIEW_SUBMITTED:
            days = (today - to_wita(created_at).date()).days
            if on_schedule(days, wait, repeat):
                out.append(Item(KIND_REVIEW_WAITING, "progress", uid, label, period, f"waiting-{days}",
                                 f"/reviews/{uid}", -days, agency_id))
    for fid, number, text, submitted, due, agency_id in session.execute(
            select(FollowUp.id, FollowUp.number, FollowUp.text, FollowUp.closing_submitted_at, FollowUp.due_date,
                   FollowUp.agency_id).where(FollowUp.state == FOLLOW_UP_SUBMITTED)):
        days = (today - to_wita(submitted or datetime.min).date()).days
        if on_schedule(days, wait, repeat):  # a follow-up reported done, waiting for the coordinator
            out.append(Item(KIND_REVIEW_WAITING, "follow_up", fid, f"#{number}: {text[:120]}", due,
                             f"waiting-{days}", f"/follow-ups/{fid}", -days, agency_id))
    return out


def _indicator_items(session: DbSession, today: date) -> list[Item]:
    """Indicators typed in by hand (ATS-derived ones fill themselves) missing their last period's value: to the
    coordinators and the owner agency's focal points. Quarterly or yearly as the indicator says, else quarterly
    when it has any quarterly target or value. A value waiting for review counts as entered; a returned one not."""
    indicators = list(session.execute(
        select(Indicator.id, Indicator.code, Indicator.name, Indicator.frequency, Indicator.owner_agency_id)
        .where(Indicator.deleted_at.is_(None), Indicator.ats_metric.is_(None))))
    if not indicators:
        return []
    quarterly = set(session.scalars(select(IndicatorTarget.indicator_id).where(IndicatorTarget.quarter.is_not(None))))
    quarterly |= set(session.scalars(select(IndicatorValue.indicator_id).where(IndicatorValue.quarter.is_not(None))))
    values = {(r[0], r[1], r[2]) for r in session.execute(
        select(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.quarter)
        .where(IndicatorValue.review_status != REVIEW_RETURNED))}
    years = {(r[0], r[1]) for r in values}
    out = []
    for ind_id, code, name, frequency, owner in indicators:
        by_quarter = frequency == "triwulanan" or (frequency is None and ind_id in quarterly)
        year, quarter, end = _last_period(today, by_quarter)
        missing = (ind_id, year, quarter) not in values if quarter else (ind_id, year) not in years
        if missing:
            stage = f"{year}-Q{quarter}" if quarter else f"{year}"
            out.append(Item(KIND_MISSING_INDICATOR, "indicator", ind_id, f"{code} {name}", end, stage,
                             f"/indicators/{ind_id}", (end - today).days, owner))
    return out
