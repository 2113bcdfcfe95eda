"""Rescheduled: an open action or milestone past its first (baseline) due date whose date was moved so that it is
not late today. Moving a date never makes lateness vanish: such items are counted apart, beside the late ones, on
the deadline monitor and in the monthly report (docs: /definisi#dijadwal-ulang).

One rule for both: `past_first_date` on plain dates; `rescheduled_items` on the live facts (monitor) and
`rescheduled_in_facts` on a month's frozen facts (the report).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

CLOSED = ("selesai", "dibatalkan")
OPEN_MILESTONE = ("belum_mulai", "berjalan")


def past_first_date(baseline: date | None, due: date, today: date) -> bool:
    """Past the first due date, but not late by the moved one."""
    return baseline is not None and baseline < today <= due


@dataclass(frozen=True)
class RescheduledItem:
    action_id: int
    code: str
    title: str  # the action's title, or "action — milestone"
    kind: str  # action | milestone
    baseline: date
    due: date
    moves: int

    @property
    def slip_days(self) -> int:
        return (self.due - self.baseline).days


def _past_first(candidates: Iterable[RescheduledItem], today: date) -> list[RescheduledItem]:
    """The one rule on both sources' open items: past the first date, not late by the moved one; longest slip
    first."""
    return sorted((c for c in candidates if past_first_date(c.baseline, c.due, today)),
                  key=lambda i: (-i.slip_days, i.code, i.kind))


def rescheduled_items(facts: Iterable[Any], today: date) -> list[RescheduledItem]:
    """From ActionFacts (actions/status.py): the action itself and its open milestones, of actions neither done
    nor cancelled."""
    def candidates() -> Iterator[RescheduledItem]:
        for f in facts:
            if f.status(today) in CLOSED:
                continue
            if f.baseline_due_date is not None:
                yield RescheduledItem(f.id, f.code, f.title, "action", f.baseline_due_date, f.due_date,
                                      f.reschedule_count)
            for m in f.open_milestones():
                if m.baseline_due_date is not None:
                    yield RescheduledItem(f.id, f.code, f"{f.title} — {m.title}", "milestone",
                                          m.baseline_due_date, m.due_date, m.reschedule_count)
    return _past_first(candidates(), today)


def rescheduled_in_facts(actions: Iterable[dict[str, Any]], status: dict[int, str], as_of: date
                         ) -> list[RescheduledItem]:
    """The same from a month's frozen facts (reports/facts.py); facts frozen before baselines were kept have
    none (their items count as never moved)."""
    def candidates() -> Iterator[RescheduledItem]:
        for a in actions:
            if status[a["id"]] in CLOSED:
                continue
            if a.get("baseline_due"):
                yield RescheduledItem(a["id"], a["code"], a["title"], "action", date.fromisoformat(a["baseline_due"]),
                                      date.fromisoformat(a["due"]), int(a.get("reschedules") or 0))
            for m in a["milestones"]:
                if m["state"] in OPEN_MILESTONE and m.get("baseline_due"):
                    yield RescheduledItem(a["id"], a["code"], f"{a['title']} — {m['title']}", "milestone",
                                          date.fromisoformat(m["baseline_due"]), date.fromisoformat(m["due"]),
                                          int(m.get("reschedules") or 0))
    return _past_first(candidates(), as_of)
