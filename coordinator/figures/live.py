"""The headline definitions applied to the data as it stands, for what cannot wait for a month's facts (an area
page, an indicator fed by SITISEK's own data): the same functions as the report, on the same rows, so the numbers
agree with `flask report figures` for the running month and with the month's facts for a past day."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from coordinator.core.clock import add_months, month_start, wita_day_end_utc, wita_today
from coordinator.figures.children import ChildrenReturned, children_returned
from coordinator.figures.collect import child_returns
from coordinator.models import Action, ProgressOutcome, ProgressUpdate


def children_as_of(session: Session, kodes: set[str] | None, end: date) -> ChildrenReturned:
    """Distinct children back in school by the WITA day `end`, in these areas (None: the whole regency), through
    the actions that were part of the plan that day (as the month's facts count them: counted (accepted) reports
    of months up to `end`'s, actions deleted after it included); "this month" is `end`'s month. Two statements."""
    period = month_start(end)
    returned = (ProgressOutcome.returned_formal + ProgressOutcome.returned_paket + ProgressOutcome.returned_pesantren
                + ProgressOutcome.returned_lkp)
    stmt = (select(ProgressUpdate.action_id, ProgressOutcome.area_kode, ProgressUpdate.period,
                   func.sum(ProgressOutcome.reached), func.sum(returned))
            .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(ProgressUpdate.counted.is_(True), ProgressUpdate.period <= period,
                   or_(Action.deleted_at.is_(None), Action.deleted_at >= wita_day_end_utc(end)))
            .group_by(ProgressUpdate.action_id, ProgressOutcome.area_kode, ProgressUpdate.period))
    if kodes is not None:
        stmt = stmt.where(ProgressOutcome.area_kode.in_(kodes))
    outcomes: dict[int, list[list[Any]]] = defaultdict(list)
    for action_id, kode, p, reached, back in session.execute(stmt):
        outcomes[action_id].append([kode, p.isoformat(), int(reached or 0), int(back or 0)])
    actions = [{"id": a, "outcomes": o} for a, o in outcomes.items()]
    next_month = add_months(period, 1)
    return children_returned(actions, child_returns(session, end), {}, period,
                             next_month.fromordinal(next_month.toordinal() - 1),
                             desa=None if kodes is None else set(kodes))


def children_in_areas(session: Session, kodes: set[str], now: datetime) -> ChildrenReturned:
    """Distinct children back in school in these areas (a kecamatan and its desa), by whichever live action,
    up to today; "this month" is the running month."""
    return children_as_of(session, kodes, wita_today(now))
