"""The review in the monthly report: what counted, what was still under review at closing, what came late.

`review_facts` is frozen with the month's facts (reports/facts.py); `review_lines` reads them back for a report's
scope. The figures count accepted reports only; the reports still under review or returned are listed by name so
that a leader sees what is missing, and a report posted after its month was closed is listed as an addendum in
the next month still open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import to_wita
from coordinator.models import REVIEW_RETURNED, REVIEW_SUBMITTED, Action, ProgressUpdate


def review_facts(session: Session, period: date) -> dict[str, list[list[Any]]]:
    """[action id, agency id, month, date (WITA)] per report: under review (submitted) and returned (not yet
    corrected) for months up to `period`, and the addenda: counted reports of closed months listed in `period`."""
    out: dict[str, list[list[Any]]] = {"under_review": [], "returned": [], "addenda": []}
    rows = session.execute(
        select(ProgressUpdate.action_id, ProgressUpdate.agency_id, ProgressUpdate.period, ProgressUpdate.created_at,
               ProgressUpdate.reviewed_at, ProgressUpdate.review_status)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.superseded_at.is_(None), ProgressUpdate.period <= period, Action.deleted_at.is_(None),
               ProgressUpdate.review_status.in_((REVIEW_SUBMITTED, REVIEW_RETURNED)))
        .order_by(ProgressUpdate.period, ProgressUpdate.created_at, ProgressUpdate.id))
    for action_id, agency_id, p, created, reviewed, status in rows:
        if status == REVIEW_SUBMITTED:
            out["under_review"].append([action_id, agency_id, p.isoformat(), to_wita(created).date().isoformat()])
        else:
            out["returned"].append([action_id, agency_id, p.isoformat(),
                                    to_wita(reviewed or created).date().isoformat()])
    for action_id, agency_id, p, created in session.execute(
            select(ProgressUpdate.action_id, ProgressUpdate.agency_id, ProgressUpdate.period,
                   ProgressUpdate.created_at)
            .where(ProgressUpdate.counted.is_(True), ProgressUpdate.addendum_period == period)
            .order_by(ProgressUpdate.period, ProgressUpdate.created_at)):
        out["addenda"].append([action_id, agency_id, p.isoformat(), to_wita(created).date().isoformat()])
    return out


@dataclass(frozen=True)
class ReviewLine:
    code: str
    title: str
    agency: str
    period: date
    on: date  # submitted, returned or posted


@dataclass
class ReviewLines:
    under_review: list[ReviewLine] = field(default_factory=list)
    returned: list[ReviewLine] = field(default_factory=list)
    addenda: list[ReviewLine] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.under_review or self.returned or self.addenda)


def review_lines(facts: dict[str, Any], action_ids: set[int], agency_names: dict[int, str]) -> ReviewLines:
    """The month's review lists for the actions of a report's scope. Facts frozen before the review existed have
    none: every report then counted."""
    review = facts.get("review") or {}
    actions = {a["id"]: a for a in facts["actions"]}

    def lines(key: str) -> list[ReviewLine]:
        out = []
        for action_id, agency_id, p, on in review.get(key, []):
            a = actions.get(action_id)
            if a is None or action_id not in action_ids:
                continue
            out.append(ReviewLine(a["code"], a["title"], agency_names.get(agency_id, "?"), date.fromisoformat(p),
                                  date.fromisoformat(on)))
        return sorted(out, key=lambda x: (x.period, x.code, x.agency))

    return ReviewLines(lines("under_review"), lines("returned"), lines("addenda"))
