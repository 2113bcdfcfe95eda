"""The status rules applied to an action as a month's facts froze it (a plain dict): the same rules as the live
pages (actions.status), read by the report's model and by the facts' own decision candidates."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordinator.actions.status import compute_status
from coordinator.figures.late import LateReason, late_reason

OPEN = ("belum_mulai", "berjalan")


def action_status(a: dict[str, Any], as_of: date) -> str:
    if a.get("override"):
        return str(a["override"])
    open_dues = [date.fromisoformat(m["due"]) for m in a["milestones"] if m["state"] in OPEN]
    return compute_status(a["complete"], date.fromisoformat(a["start"]), date.fromisoformat(a["due"]), open_dues,
                          as_of)


def late_reason_of(a: dict[str, Any], as_of: date) -> LateReason:
    """Why a late action of the facts is late: the same rule as the live pages (figures/late.py)."""
    return late_reason(date.fromisoformat(a["due"]),
                       [(m["title"], date.fromisoformat(m["due"])) for m in a["milestones"] if m["state"] in OPEN],
                       as_of, overridden=bool(a.get("override")))


def late_since(a: dict[str, Any], as_of: date) -> date:
    """The earliest of the action's own due date and its open milestones' that has passed."""
    return late_reason_of(a, as_of).due or as_of
