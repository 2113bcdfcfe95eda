"""The status rules applied to an action as a month's facts froze it (a plain dict): the same rules as the live
pages (actions.status), read by the report's model and by the facts' own decision candidates."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordinator.actions.status import compute_status


def action_status(a: dict[str, Any], as_of: date) -> str:
    if a.get("override"):
        return str(a["override"])
    open_dues = [date.fromisoformat(m["due"]) for m in a["milestones"] if m["state"] in ("belum_mulai", "berjalan")]
    return compute_status(a["complete"], date.fromisoformat(a["start"]), date.fromisoformat(a["due"]), open_dues,
                          as_of)


def late_since(a: dict[str, Any], as_of: date) -> date:
    """The earliest of the action's own due date and its open milestones' that has passed."""
    dues = [date.fromisoformat(a["due"])] + [date.fromisoformat(m["due"]) for m in a["milestones"]
                                             if m["state"] in ("belum_mulai", "berjalan")]
    past = [d for d in dues if d < as_of]
    return min(past) if past else as_of
