"""Actions: the list with the web list's filters and scope, and one action with milestones and status."""
from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user
from sqlalchemy import select

from coordinator.actions import listing
from coordinator.actions import summaries as action_summaries
from coordinator.actions.status import load_action_facts
from coordinator.api.blueprint import bp
from coordinator.api.errors import page_body, page_params, query_choice, query_date, query_int, query_text
from coordinator.api.plan_routes import agency_ref, iso_date, iso_datetime
from coordinator.core import permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.extensions import db
from coordinator.figures.late import LateReason
from coordinator.models import STATUS_VALUES, Action, ProgressUpdate


def _filter() -> listing.ActionFilter:
    """The web list's filters (actions.listing), but a malformed value is a 400 instead of being ignored."""
    due_from, due_to = query_date("due_from"), query_date("due_to")
    return listing.ActionFilter(
        pillar_id=query_int("pillar"), agency_id=query_int("agency"),
        status=query_choice("status", STATUS_VALUES), kecamatan=query_text("kecamatan", 20),
        due_from=due_from, due_to=due_to, q=query_text("q", 100),
        sort=query_choice("sort", listing.SORTS, "code") or "code",
        descending=query_choice("order", ("asc", "desc"), "asc") == "desc",
        # A focal point's scope, exactly as on /actions.
        involving_agency_id=current_user.agency_id if current_user.is_focal else None,
    )


def _summary(action: Action, status: str, overridden: bool, percent: int | None, last_update) -> dict:
    program = action.program
    return {
        "id": action.id, "code": action.code, "title": action.title,
        "pillar": {"id": program.pillar.id, "number": program.pillar.number, "name": program.pillar.name},
        "program": {"id": program.id, "code": program.code, "name": program.name},
        "lead_agency": agency_ref(action.lead_agency),
        "supporting_agencies": [agency_ref(a) for a in action.supporting_agencies],
        "areas": [{"kode": a.kode, "nama": a.nama, "level": a.level} for a in action.areas],
        "ats_categories": action.category_list,
        "start_date": iso_date(action.start_date), "due_date": iso_date(action.due_date),
        "status": status, "status_overridden": overridden,
        "budget_amount": action.budget_amount,
        "funding_source": action.fundings[0].source if action.fundings else None,
        "funding_sources": [{"code": f.source, "amount": f.amount} for f in action.fundings],
        "percent_complete": percent, "last_progress_at": iso_datetime(last_update),
        "url": url_for("api.action", action_id=action.id),
    }


def _late(reason: LateReason | None) -> dict | None:
    """Why a late action is late (figures/late.py): the late item's kind, its own due date, the days late."""
    return reason.as_json() if reason else None


@bp.get("/actions")
def actions():
    f = _filter()
    page, per_page = page_params()
    rows = listing.filtered_rows(db.session, f, utcnow())
    shown = rows[(page - 1) * per_page: page * per_page]
    items = action_summaries.summaries(db.session, shown)
    base, today = url_for("api.actions"), wita_today(utcnow())
    for item, (fact, _status) in zip(items, shown, strict=True):
        item["url"] = f"{base}/{item['id']}"
        item["late_reason"] = _late(fact.late_reason(today))
    return jsonify(page_body(items, page, per_page, len(rows)))


def _latest_update(action_id: int) -> ProgressUpdate | None:
    return db.session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.action_id == action_id, ProgressUpdate.superseded_at.is_(None))
        .order_by(ProgressUpdate.period.desc(), ProgressUpdate.created_at.desc()).limit(1))


@bp.get("/actions/<int:action_id>")
def action(action_id: int):
    a = db.session.get(Action, action_id)
    if a is None or a.deleted_at is not None:
        abort(404)
    # As /actions/<id>: a hidden action is a 403, an unknown one a 404.
    if not permissions.can_view_action(current_user, a):
        abort(403)
    today = wita_today(utcnow())
    facts = load_action_facts(db.session, [a.id])[0]
    latest = _latest_update(a.id)
    body = _summary(a, facts.status(today), facts.is_overridden,
                    latest.percent_complete if latest else None, latest.created_at if latest else None)
    body.update({
        "late_reason": _late(facts.late_reason(today)),
        "description": a.description, "output": a.output, "sub_kegiatan_code": a.sub_kegiatan_code,
        "computed_status": facts.computed_status(today), "override_reason": a.override_reason,
        "marked_complete": a.marked_complete, "completed_on": iso_date(a.completed_on),
        "baseline_due_date": iso_date(a.baseline_due_date), "reschedule_count": a.reschedule_count,
        "due_change_reason": a.due_change_reason,
        "latest_progress": None if latest is None else {
            "percent_complete": latest.percent_complete, "period": iso_date(latest.period),
            "reported_at": iso_datetime(latest.created_at), "agency": agency_ref(latest.agency)},
        "milestones": [{"id": m.id, "title": m.title, "due_date": iso_date(m.due_date), "state": m.state,
                        "completed_on": iso_date(m.completed_on),
                        "overdue": m.is_open and m.due_date < today,
                        "baseline_due_date": iso_date(m.baseline_due_date),
                        "reschedule_count": m.reschedule_count} for m in a.milestones],
    })
    return jsonify(body)
