"""What a month's facts (reports/facts.py) hold for the headline figures beyond the report's own tables, read in a
fixed number of statements. Plain JSON values: no child's id, name or NIK, only desa, dates and action ids."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_day_end_utc
from coordinator.models import RETURNED_OUTCOMES, STATUS_VALID_ATS, Child, ChildCase, ChildVerification, ProgressUpdate


def child_returns(session: Session, end: date) -> list[list[Any]]:
    """Each child of the by-name list back in school by `end`: [desa, [[action_id, outcome date], ...]], the
    returned cases in date order (the first is the action the child counts for). One entry per child."""
    cases: dict[int, list[list[Any]]] = defaultdict(list)
    desa: dict[int, str] = {}
    rows = session.execute(
        select(ChildCase.child_id, Child.desa_kode, ChildCase.action_id, ChildCase.outcome_date)
        .join(Child, Child.id == ChildCase.child_id)
        .where(ChildCase.outcome.in_(RETURNED_OUTCOMES), ChildCase.outcome_date <= end)
        .order_by(ChildCase.outcome_date, ChildCase.action_id))
    for child_id, kode, action_id, outcome_date in rows:
        if outcome_date is None:  # excluded by the query; for the type checker
            continue
        desa[child_id] = kode
        cases[child_id].append([action_id, outcome_date.isoformat()])
    return sorted(([desa[c], cases[c]] for c in cases), key=lambda r: (r[1][0][1], r[0], r[1][0][0]))


def realised_by_agency(session: Session, period: date, action_ids: list[int] | None = None
                       ) -> dict[int, dict[int, int]]:
    """Per action, each agency's own cumulative budget realisation: the latest current report up to `period` that
    gives one (a lead and a supporting agency each report their own money, so the sum never counts one rupiah
    twice; a report without a figure leaves the agency's last one standing). `action_ids`: only these actions."""
    latest: dict[tuple[int, int], tuple[date, Any, int | None]] = {}
    for action_id, agency_id, p, created, amount in session.execute(
            select(ProgressUpdate.action_id, ProgressUpdate.agency_id, ProgressUpdate.period,
                   ProgressUpdate.created_at, ProgressUpdate.budget_realised)
            .where(ProgressUpdate.counted.is_(True), ProgressUpdate.period <= period,
                   ProgressUpdate.budget_realised.is_not(None),
                   *([ProgressUpdate.action_id.in_(action_ids)] if action_ids is not None else []))):
        key = (action_id, agency_id)
        if key not in latest or (p, created) > latest[key][:2]:
            latest[key] = (p, created, amount)
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for (action_id, agency_id), (_p, _created, amount) in latest.items():
        out[action_id][agency_id] = int(amount or 0)
    return dict(out)


def verval_by_desa(session: Session, period: date, end: date) -> dict[str, list[int]]:
    """Per desa, from the by-name list as it stood at the month's end: [listed, verified, valid ATS, returned in
    total, returned this month]. A child counts once however many actions brought it back: as returned from the
    date of its first returned outcome."""
    status: dict[int, str] = {}
    for child_id, st in session.execute(
            select(ChildVerification.child_id, ChildVerification.status).where(ChildVerification.verified_on <= end)
            .order_by(ChildVerification.verified_on, ChildVerification.id)):
        status[child_id] = st
    first_back = dict(session.execute(
        select(ChildCase.child_id, func.min(ChildCase.outcome_date))
        .where(ChildCase.outcome.in_(RETURNED_OUTCOMES), ChildCase.outcome_date <= end)
        .group_by(ChildCase.child_id)).all())
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    listed_by = wita_day_end_utc(end)
    for child_id, kode in session.execute(select(Child.id, Child.desa_kode).where(Child.created_at < listed_by)):
        row = out[kode]
        row[0] += 1
        row[1] += child_id in status
        row[2] += status.get(child_id) == STATUS_VALID_ATS
        back = first_back.get(child_id)
        row[3] += back is not None
        row[4] += back is not None and back >= period
    return dict(sorted(out.items()))
