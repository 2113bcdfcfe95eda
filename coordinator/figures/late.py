"""Why an action is late, defined once.

An action is *terlambat* when its own due date or the due date of one of its open milestones has passed
(actions/status.compute_status). The reason named everywhere is the item that has been late longest: the earliest
passed due date, a milestone's (with its title) or the action's own; an action only marked late by hand has the
override as its reason. The live pages (ActionFacts) and a month's frozen facts (reports/frozen_status) both call
`late_reason`, so the home page, the list, the API and the PDF say the same thing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MILESTONE, ACTION, OVERRIDE = "milestone", "action", "override"


@dataclass(frozen=True)
class LateReason:
    kind: str  # MILESTONE | ACTION | OVERRIDE
    due: date | None  # the late item's own due date (None: marked late by hand)
    days: int  # days late on `today` (0 for an override without a passed date)
    milestone: str | None = None  # the milestone's title when kind is MILESTONE

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "due_date": self.due.isoformat() if self.due else None, "days_late": self.days,
                "milestone": self.milestone}


def late_reason(action_due: date, open_milestones: Iterable[tuple[str, date]], today: date,
                overridden: bool = False) -> LateReason:
    """The reason of a late action: the earliest passed due date among its open milestones and its own (a
    milestone wins a tie: it names what to do). `overridden`: the status was set by hand; without a passed date
    the override itself is the reason."""
    passed: list[tuple[date, int, str | None]] = [(due, 0, title) for title, due in open_milestones if due < today]
    if action_due < today:
        passed.append((action_due, 1, None))
    if not passed:
        return LateReason(OVERRIDE, None, 0) if overridden else LateReason(ACTION, action_due, 0)
    due, rank, title = min(passed, key=lambda p: (p[0], p[1]))
    return LateReason(MILESTONE if rank == 0 else ACTION, due, (today - due).days, title)
