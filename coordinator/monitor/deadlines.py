"""The deadline monitor: what is overdue, due soon and not reported, at `now`.

A fixed handful of statements regardless of the plan's size: actions and
milestones as tuples, then grouping in Python.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coordinator.actions.status import ActionFacts, load_action_facts
from coordinator.core.clock import month_start, wita_today
from coordinator.figures.rescheduled import RescheduledItem, rescheduled_items
from coordinator.models import Agency, Pillar, ProgressUpdate, action_supporting_agency

CLOSED = ("selesai", "dibatalkan")


@dataclass
class DeadlineItem:
    kind: str  # "action" | "milestone"
    action_id: int
    code: str
    action_title: str
    milestone_title: str | None
    due_date: date
    days: int  # negative: days late; positive: days left
    agency_id: int
    pillar_id: int


@dataclass
class GroupCounts:
    overdue: int = 0
    due_7: int = 0
    due_30: int = 0
    not_updated: int = 0
    actions: int = 0


@dataclass
class AgencyRow:
    agency: Agency
    actions: int
    supporting: int
    overdue_items: int
    on_time_rate: float | None
    last_update: datetime | None
    updated_this_month: int
    active_actions: int


@dataclass
class DeadlineMonitor:
    today: date
    overdue: list[DeadlineItem] = field(default_factory=list)
    due_7: list[DeadlineItem] = field(default_factory=list)
    due_30: list[DeadlineItem] = field(default_factory=list)
    not_updated: list[ActionFacts] = field(default_factory=list)
    by_agency: dict[int, GroupCounts] = field(default_factory=dict)
    by_pillar: dict[int, GroupCounts] = field(default_factory=dict)
    agency_rows: list[AgencyRow] = field(default_factory=list)
    pillars: dict[int, Pillar] = field(default_factory=dict)
    agencies: dict[int, Agency] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    recent_updates: list[ProgressUpdate] = field(default_factory=list)
    # past their first due date, moved so they are not late today (figures/rescheduled.py)
    rescheduled: list[RescheduledItem] = field(default_factory=list)

    def count(self, kind: str, bucket: str) -> int:
        return sum(1 for i in getattr(self, bucket) if i.kind == kind)


def _items(fact: ActionFacts, today: date, status: str) -> list[DeadlineItem]:
    out = []
    if status not in CLOSED:
        out.append(DeadlineItem("action", fact.id, fact.code, fact.title, None, fact.due_date,
                                (fact.due_date - today).days, fact.lead_agency_id, fact.pillar_id))
        for m in fact.open_milestones():
            out.append(DeadlineItem("milestone", fact.id, fact.code, fact.title, m.title, m.due_date,
                                    (m.due_date - today).days, fact.lead_agency_id, fact.pillar_id))
    return out


def overdue_items(facts: list[ActionFacts], today: date) -> int:
    """Late actions plus late open milestones: the same count on the monitor and the agency page."""
    return sum(1 for f in facts for i in _items(f, today, f.status(today)) if i.due_date < today)


def updated_action_ids(session: Session, period: date) -> set[int]:
    return set(session.scalars(
        select(ProgressUpdate.action_id).where(ProgressUpdate.period == period).distinct()
    ))


def on_time_rate(fact_list: list[ActionFacts], today: date) -> float | None:
    """Share of milestones due so far (or already done) that were done by their due date."""
    total = done_on_time = 0
    for fact in fact_list:
        for m in fact.milestones:
            if m.state == "dibatalkan":
                continue
            if m.due_date < today or m.state == "selesai":
                total += 1
                if m.state == "selesai" and m.completed_on and m.completed_on <= m.due_date:
                    done_on_time += 1
    return done_on_time / total if total else None


def build_monitor(session: Session, now: datetime, recent: int = 10) -> DeadlineMonitor:
    today = wita_today(now)
    this_month = month_start(today)
    facts = load_action_facts(session)
    monitor = DeadlineMonitor(today=today)
    monitor.pillars = {p.id: p for p in session.scalars(select(Pillar))}
    monitor.agencies = {a.id: a for a in session.scalars(select(Agency))}
    updated = updated_action_ids(session, this_month)
    last_by_agency = dict(session.execute(
        select(ProgressUpdate.agency_id, func.max(ProgressUpdate.created_at)).group_by(ProgressUpdate.agency_id)
    ).all())

    by_agency: dict[int, GroupCounts] = defaultdict(GroupCounts)
    by_pillar: dict[int, GroupCounts] = defaultdict(GroupCounts)
    facts_by_agency: dict[int, list[ActionFacts]] = defaultdict(list)
    status_counts: dict[str, int] = defaultdict(int)
    week, month = today + timedelta(days=7), today + timedelta(days=30)
    for fact in facts:
        status = fact.status(today)
        status_counts[status] += 1
        facts_by_agency[fact.lead_agency_id].append(fact)
        groups = (by_agency[fact.lead_agency_id], by_pillar[fact.pillar_id])
        for g in groups:
            g.actions += 1
        for item in _items(fact, today, status):
            if item.due_date < today:
                bucket = "overdue"
            elif item.due_date <= week:
                bucket = "due_7"
            elif item.due_date <= month:
                bucket = "due_30"
            else:
                continue
            getattr(monitor, bucket).append(item)
            for g in groups:
                setattr(g, bucket, getattr(g, bucket) + 1)
        if status not in CLOSED and fact.start_date <= today and fact.id not in updated:
            monitor.not_updated.append(fact)
            for g in groups:
                g.not_updated += 1

    monitor.overdue.sort(key=lambda i: (i.due_date, i.code))
    monitor.due_7.sort(key=lambda i: (i.due_date, i.code))
    monitor.due_30.sort(key=lambda i: (i.due_date, i.code))
    monitor.not_updated.sort(key=lambda f: f.code)
    monitor.rescheduled = rescheduled_items(facts, today)
    monitor.by_agency, monitor.by_pillar, monitor.status_counts = dict(by_agency), dict(by_pillar), dict(status_counts)
    # Agencies that only support actions belong in the table too: they report on them.
    live = {f.id for f in facts}
    supporting: dict[int, int] = defaultdict(int)
    for action_id, agency_id in session.execute(select(action_supporting_agency.c.action_id,
                                                       action_supporting_agency.c.agency_id)):
        if action_id in live:
            supporting[agency_id] += 1
    for agency_id in set(facts_by_agency) | set(supporting):
        agency_facts = facts_by_agency.get(agency_id, [])
        agency = monitor.agencies[agency_id]
        active = [f for f in agency_facts if f.status(today) not in CLOSED and f.start_date <= today]
        monitor.agency_rows.append(AgencyRow(
            agency=agency, actions=len(agency_facts), supporting=supporting.get(agency_id, 0),
            overdue_items=by_agency[agency_id].overdue if agency_id in by_agency else 0,
            on_time_rate=on_time_rate(agency_facts, today), last_update=last_by_agency.get(agency_id),
            updated_this_month=sum(1 for f in active if f.id in updated), active_actions=len(active),
        ))
    monitor.agency_rows.sort(key=lambda r: (-r.overdue_items, r.agency.short_name))
    monitor.recent_updates = list(session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.superseded_at.is_(None))
        .options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.agency))
        .order_by(ProgressUpdate.created_at.desc()).limit(recent)
    ))
    return monitor
