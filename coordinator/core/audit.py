"""Automatic change history for plan data.

A session listener writes one AuditEntry per created, changed or deleted row of
the audited models, inside the same transaction, so no code path can change the
plan without leaving a trace. The actor comes from a context variable that the
web layer sets per request (CLI and scheduler runs record no user).
"""
from __future__ import annotations

import contextvars
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, selectinload

from coordinator.core.clock import utcnow
from coordinator.models import (
    Action,
    ActionFunding,
    Agency,
    Area,
    AuditEntry,
    FollowUp,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Meeting,
    Milestone,
    MonthlySnapshot,
    Pillar,
    Plan,
    PlanRevision,
    Program,
    ProgressUpdate,
    ReferenceItem,
    ReportSettings,
    User,
)

current_actor_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_actor_id", default=None)

# entity name, parent (type, attribute) for items shown on a parent's history
AUDITED: dict[type, tuple[str, tuple[str, str] | None]] = {
    Plan: ("plan", None),
    Pillar: ("pillar", ("plan", "plan_id")),
    Program: ("program", ("pillar", "pillar_id")),
    Action: ("action", None),
    Milestone: ("milestone", ("action", "action_id")),
    ProgressUpdate: ("progress_update", ("action", "action_id")),
    ActionFunding: ("action_funding", ("action", "action_id")),
    Indicator: ("indicator", None),
    IndicatorTarget: ("indicator_target", ("indicator", "indicator_id")),
    IndicatorValue: ("indicator_value", ("indicator", "indicator_id")),
    Agency: ("agency", None),
    Area: ("area", None),
    ReferenceItem: ("reference_item", None),
    User: ("user", None),
    MonthlySnapshot: ("monthly_snapshot", None),
    ReportSettings: ("report_settings", None),
    Meeting: ("meeting", None),
    FollowUp: ("follow_up", ("meeting", "meeting_id")),
}
# Never copied into the history: secrets, and bookkeeping that changes on every login.
NOT_RECORDED = {"password_hash", "session_token", "facts"}  # a closed month's facts: its SHA-256 is recorded


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):
        return inspect(value).mapper.primary_key_from_instance(value)[0]
    return value


def _label(obj: Any) -> str | None:
    for attr in ("code", "title", "name", "nama", "label_id", "source"):
        value = getattr(obj, attr, None)
        if value:
            extra = getattr(obj, "title", None) if attr == "code" else None
            return f"{value} {extra}".strip() if extra else str(value)
    return None


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in NOT_RECORDED]


def _collections(obj: Any) -> list[str]:
    return [r.key for r in inspect(obj).mapper.relationships if r.secondary is not None]


def _snapshot(obj: Any, which: str) -> dict[str, Any]:
    """Values before ('old') or after ('new') the flush, columns and m2m lists."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for key in _columns(obj) + _collections(obj):
        hist = state.attrs[key].history
        if key in _collections(obj):
            current = list(hist.unchanged or ()) + list(hist.added or ())
            items = current if which == "new" else list(hist.unchanged or ()) + list(hist.deleted or ())
            out[key] = sorted(str(_plain(i)) for i in items)
            continue
        if which == "old" and hist.deleted:
            out[key] = _plain(hist.deleted[0])
        elif which == "new" and hist.added:
            out[key] = _plain(hist.added[0])
        else:
            out[key] = _plain(state.attrs[key].value if not hist.unchanged else hist.unchanged[0])
    return out


def _row(obj: Any, operation: str, before: Any, after: Any, now: datetime) -> dict[str, Any]:
    name, parent = AUDITED[type(obj)]
    parent_type = parent_id = None
    if parent:
        parent_type = parent[0]
        pid = getattr(obj, parent[1])
        parent_id = str(pid) if pid is not None else None
    identity = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": now,
        "user_id": current_actor_id.get(),
        "operation": operation,
        "entity_type": name,
        "entity_id": str(identity[0]),
        "parent_type": parent_type,
        "parent_id": parent_id,
        "label": (_label(obj) or "")[:300] or None,
        "before": before,
        "after": after,
    }


def _after_flush(session: Session, _ctx: Any) -> None:
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if type(obj) in AUDITED:
            rows.append(_row(obj, "create", None, _snapshot(obj, "new"), now))
    for obj in session.dirty:
        if type(obj) not in AUDITED or not session.is_modified(obj):
            continue
        before, after = _snapshot(obj, "old"), _snapshot(obj, "new")
        if isinstance(obj, User) and inspect(obj).attrs.password_hash.history.has_changes():
            # The fact of a password change is history; the hash is not.
            before["password"], after["password"] = "", "diganti"
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            continue
        operation = "update"
        if "deleted_at" in changed and after.get("deleted_at") and not before.get("deleted_at"):
            operation = "delete"
        rows.append(_row(obj, operation, {k: before[k] for k in changed}, {k: after[k] for k in changed}, now))
    for obj in session.deleted:
        if type(obj) in AUDITED:
            rows.append(_row(obj, "delete", _snapshot(obj, "old"), None, now))
    if rows:
        _tag_plan_revision(session, rows)
        session.connection().execute(insert(AuditEntry), rows)


# The plan's content: a change to one of these while a plan revision is open belongs to that revision.
PLAN_CONTENT = frozenset({"plan", "pillar", "program", "action", "milestone", "action_funding", "indicator",
                          "indicator_target"})
# Carrying the plan out is not changing it: a milestone or action marked done stays out of the revision.
EXECUTION_FIELDS = frozenset({"state", "completed_on", "marked_complete"})


def _tag_plan_revision(session: Session, rows: list[dict[str, Any]]) -> None:
    content = [r for r in rows if r["entity_type"] in PLAN_CONTENT and not (
        r["operation"] == "update" and set(r["after"] or {}) <= EXECUTION_FIELDS)]
    if not content:
        return
    open_id = session.connection().execute(
        select(PlanRevision.id).where(PlanRevision.adopted_at.is_(None)).limit(1)).scalar()
    tagged = {id(r) for r in content}
    for row in rows:
        row["plan_revision_id"] = open_id if id(row) in tagged else None


def install(session_factory: Any) -> None:
    if not event.contains(session_factory, "after_flush", _after_flush):
        event.listen(session_factory, "after_flush", _after_flush)


def history_of_types(session: Session, entity_types: tuple[str, ...], limit: int = 100) -> list[AuditEntry]:
    """Recent entries of whole kinds of items, e.g. the plan's structure."""
    stmt = (
        select(AuditEntry).where(AuditEntry.entity_type.in_(entity_types)).options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    )
    return list(session.scalars(stmt))


def history_for(session: Session, entity_type: str, entity_id: int | str, limit: int = 200) -> list[AuditEntry]:
    """Entries of an item and of its children (milestones of an action, etc.)."""
    key = str(entity_id)
    stmt = (
        select(AuditEntry)
        .where(
            ((AuditEntry.entity_type == entity_type) & (AuditEntry.entity_id == key))
            | ((AuditEntry.parent_type == entity_type) & (AuditEntry.parent_id == key))
        )
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
