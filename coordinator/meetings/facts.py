"""Meeting follow-ups in the monthly report ("Tindak lanjut rapat").

`follow_up_facts` is frozen with the month's facts (reports/facts.py): every follow-up decided by the end of the
month that was still open at the report's date or was closed during the month. `follow_up_lines` reads them back
for a report's scope: the open ones grouped by agency, overdue first, and what was closed this month.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import to_wita, wita_day_end_utc
from coordinator.models import (
    FOLLOW_UP_CANCELLED,
    FOLLOW_UP_DONE,
    FOLLOW_UP_SUBMITTED,
    Agency,
    FollowUp,
    Meeting,
)


def follow_up_facts(session: Session, period: date, as_of: date) -> list[dict[str, Any]]:
    until = wita_day_end_utc(as_of)
    out = []
    rows = session.execute(
        select(FollowUp, Meeting.title, Meeting.held_on, Agency.short_name, Agency.code)
        .join(Meeting, Meeting.id == FollowUp.meeting_id).join(Agency, Agency.id == FollowUp.agency_id)
        .where(FollowUp.created_at < until, Meeting.held_on <= as_of)
        .order_by(FollowUp.due_date, FollowUp.id))
    for item, title, held_on, agency, code in rows:
        closed_this_month = item.state == FOLLOW_UP_DONE and item.closed_on is not None and \
            period <= item.closed_on <= as_of
        if item.state in (FOLLOW_UP_DONE, FOLLOW_UP_CANCELLED) and not closed_this_month:
            continue
        out.append({
            "id": item.id, "number": item.number, "meeting": title, "held_on": held_on.isoformat(),
            "text": item.text, "agency_code": code, "agency": agency, "area": item.area_kode,
            "due": item.due_date.isoformat(),
            "baseline": (item.baseline_due_date or item.due_date).isoformat(), "state": item.state,
            "closed_on": item.closed_on.isoformat() if closed_this_month and item.closed_on else None,
            "submitted_on": _day(item.closing_submitted_at) if item.state == FOLLOW_UP_SUBMITTED else None,
        })
    return out


def _day(value: datetime | None) -> str | None:
    return to_wita(value).date().isoformat() if value else None


@dataclass(frozen=True)
class FollowUpLine:
    number: int
    meeting: str
    held_on: date
    text: str
    agency: str
    due: date
    baseline: date
    days_late: int  # 0 when not late
    waiting_review: bool
    closed_on: date | None


@dataclass
class FollowUpLines:
    open_by_agency: list[tuple[str, list[FollowUpLine]]] = field(default_factory=list)
    closed: list[FollowUpLine] = field(default_factory=list)
    open_total: int = 0
    late_total: int = 0

    @property
    def any(self) -> bool:
        return bool(self.open_by_agency or self.closed)


def follow_up_lines(facts: dict[str, Any], as_of: date, agency_code: str | None = None,
                    kecamatan: str | None = None) -> FollowUpLines:
    """The report's scope: an agency's own follow-ups, or those about a kecamatan or its desa. Facts frozen
    before meetings were recorded have none."""
    out = FollowUpLines()
    by_agency: dict[str, list[FollowUpLine]] = defaultdict(list)
    for row in facts.get("follow_ups") or []:
        if agency_code is not None and row["agency_code"] != agency_code:
            continue
        if kecamatan is not None and not (row.get("area") or "").startswith(kecamatan):
            continue
        due = date.fromisoformat(row["due"])
        waiting = row["state"] == FOLLOW_UP_SUBMITTED
        line = FollowUpLine(row["number"], row["meeting"], date.fromisoformat(row["held_on"]), row["text"],
                            row["agency"], due, date.fromisoformat(row["baseline"]),
                            max(0, (as_of - due).days) if not waiting and not row["closed_on"] else 0, waiting,
                            date.fromisoformat(row["closed_on"]) if row["closed_on"] else None)
        if line.closed_on:
            out.closed.append(line)
        else:
            by_agency[line.agency].append(line)
            out.open_total += 1
            out.late_total += int(line.days_late > 0)
    # The agency with the most overdue first; within one, the longest late first.
    out.open_by_agency = sorted(
        ((name, sorted(lines, key=lambda x: (-x.days_late, x.due))) for name, lines in by_agency.items()),
        key=lambda pair: (-sum(1 for x in pair[1] if x.days_late), pair[0]))
    out.closed.sort(key=lambda x: (x.closed_on or x.due, x.agency))
    return out
