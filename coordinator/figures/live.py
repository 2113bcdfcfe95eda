"""The headline definitions applied to the data as it stands, for pages that cannot wait for a month's facts
(an area page): the same functions as the report, on the same rows, so the numbers agree with
`flask report figures` for the running month."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.core.clock import add_months, month_start, wita_today
from coordinator.figures.children import ChildrenReturned, children_returned
from coordinator.figures.collect import child_returns
from coordinator.models import Action, ProgressOutcome, ProgressUpdate


def children_in_areas(session: Session, kodes: set[str], now: datetime) -> ChildrenReturned:
    """Distinct children back in school in these areas (a kecamatan and its desa), by whichever live action,
    up to today; "this month" is the running month."""
    today = wita_today(now)
    period = month_start(today)
    returned = (ProgressOutcome.returned_formal + ProgressOutcome.returned_paket + ProgressOutcome.returned_pesantren
                + ProgressOutcome.returned_lkp)
    outcomes: dict[int, list[list[Any]]] = defaultdict(list)
    for action_id, kode, p, reached, back in session.execute(
            select(ProgressUpdate.action_id, ProgressOutcome.area_kode, ProgressUpdate.period,
                   func.sum(ProgressOutcome.reached), func.sum(returned))
            .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .where(ProgressOutcome.area_kode.in_(kodes), ProgressUpdate.superseded_at.is_(None),
                   ProgressUpdate.period <= period, Action.deleted_at.is_(None))
            .group_by(ProgressUpdate.action_id, ProgressOutcome.area_kode, ProgressUpdate.period)):
        outcomes[action_id].append([kode, p.isoformat(), int(reached or 0), int(back or 0)])
    actions = [{"id": a, "outcomes": o} for a, o in outcomes.items()]
    period_end = add_months(period, 1).replace(day=1)
    return children_returned(actions, child_returns(session, today), {}, period,
                             period_end.fromordinal(period_end.toordinal() - 1), desa=set(kodes))
