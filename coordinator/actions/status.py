"""Computed status of actions: never typed in, always derived from dates,
milestones and completion, with a manual override that carries a reason."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core import revision
from coordinator.figures.late import LateReason, late_reason
from coordinator.models import Action, Milestone, Program

OPEN_STATES = ("belum_mulai", "berjalan")


@dataclass
class MilestoneFacts:
    id: int
    action_id: int
    title: str
    due_date: date
    state: str
    completed_on: date | None
    baseline_due_date: date | None = None
    reschedule_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass
class ActionFacts:
    """What status needs to know about an action, loaded as plain tuples."""

    id: int
    code: str
    title: str
    lead_agency_id: int
    pillar_id: int
    start_date: date
    due_date: date
    marked_complete: bool
    status_override: str | None
    baseline_due_date: date | None = None
    reschedule_count: int = 0
    milestones: list[MilestoneFacts] = field(default_factory=list)

    def open_milestones(self) -> list[MilestoneFacts]:
        return [m for m in self.milestones if m.is_open]

    def computed_status(self, today: date) -> str:
        return compute_status(
            self.marked_complete, self.start_date, self.due_date, [m.due_date for m in self.open_milestones()], today
        )

    def status(self, today: date) -> str:
        return self.status_override or self.computed_status(today)

    def late_reason(self, today: date) -> LateReason | None:
        """Why the action is late (figures/late.py), or None when its status is not terlambat."""
        if self.status(today) != "terlambat":
            return None
        return late_reason(self.due_date, [(m.title, m.due_date) for m in self.open_milestones()], today,
                           overridden=self.is_overridden)

    @property
    def is_overridden(self) -> bool:
        return bool(self.status_override)


def compute_status(
    marked_complete: bool, start_date: date, due_date: date, open_milestone_dues: list[date], today: date
) -> str:
    """selesai: marked complete and no open milestone; terlambat: the action or an
    open milestone is past due; belum_mulai: starts in the future; else berjalan."""
    if marked_complete and not open_milestone_dues:
        return "selesai"
    if due_date < today or any(d < today for d in open_milestone_dues):
        return "terlambat"
    if start_date > today:
        return "belum_mulai"
    return "berjalan"


def status_of(action: Action, today: date) -> str:
    if action.status_override:
        return action.status_override
    return compute_status(
        action.marked_complete,
        action.start_date,
        action.due_date,
        [m.due_date for m in action.milestones if m.is_open],
        today,
    )


def load_action_facts(session: Session, action_ids: list[int] | None = None) -> list[ActionFacts]:
    """All live actions (or the given ones) with their milestones. Every live action is read in two statements
    once per process and data revision (core/revision.py); callers must not change the facts they get."""
    every = revision.memoized(session, ("action-facts",), lambda: _read_action_facts(session))
    if action_ids is None:
        return every
    wanted = set(action_ids)
    return [f for f in every if f.id in wanted]


def _read_action_facts(session: Session) -> list[ActionFacts]:
    stmt = (
        select(
            Action.id, Action.code, Action.title, Action.lead_agency_id, Program.pillar_id,
            Action.start_date, Action.due_date, Action.marked_complete, Action.status_override,
            Action.baseline_due_date, Action.reschedule_count,
        )
        .join(Program, Program.id == Action.program_id)
        .where(Action.deleted_at.is_(None))
    )
    facts = {row[0]: ActionFacts(*row) for row in session.execute(stmt)}
    if not facts:
        return []
    ms_stmt = select(
        Milestone.id, Milestone.action_id, Milestone.title, Milestone.due_date, Milestone.state, Milestone.completed_on,
        Milestone.baseline_due_date, Milestone.reschedule_count,
    ).order_by(Milestone.due_date, Milestone.id)
    by_action: dict[int, list[MilestoneFacts]] = defaultdict(list)
    for row in session.execute(ms_stmt):
        by_action[row[1]].append(MilestoneFacts(*row))
    for action_id, milestones in by_action.items():
        if action_id in facts:
            facts[action_id].milestones = milestones
    return list(facts.values())
