"""Progress reports with their review state, scoped as the action pages are (focal points: their agency's
actions, lead or supporting; coordinators and leaders: all)."""
from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import func, or_, select

from coordinator.api.blueprint import bp
from coordinator.api.errors import bad_parameter, page_body, page_params, query_choice, query_int, query_text
from coordinator.api.plan_routes import agency_ref, iso_date, iso_datetime
from coordinator.core import permissions
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import REVIEW_STATUSES, Action, ProgressUpdate, action_supporting_agency
from coordinator.reports.facts import parse_period


def _period():  # type: ignore[no-untyped-def]
    text = query_text("period", 7)
    if not text:
        return None
    try:
        return parse_period(text)
    except DomainError:
        raise bad_parameter("period", "YYYY-MM") from None


def _item(u: ProgressUpdate) -> dict:
    return {
        "id": u.id, "action": {"id": u.action.id, "code": u.action.code}, "agency": agency_ref(u.agency),
        "period": iso_date(u.period), "percent_complete": u.percent_complete, "achievements": u.achievements,
        "obstacles": u.obstacles, "follow_up": u.follow_up, "budget_realised": u.budget_realised,
        "submitted_at": iso_datetime(u.created_at), "review_status": u.review_status,
        "reviewed_at": iso_datetime(u.reviewed_at), "review_comment": u.review_comment, "counted": u.counted,
        "current": u.superseded_at is None, "supersedes_id": u.supersedes_id,
        "addendum_period": iso_date(u.addendum_period),
    }


@bp.get("/progress-reports")
def progress_reports():
    if not (permissions.sees_everything(current_user) or current_user.is_focal):
        abort(403)
    action_id, agency_id = query_int("action"), query_int("agency")
    status, period = query_choice("review_status", REVIEW_STATUSES), _period()
    page, per_page = page_params()
    stmt = select(ProgressUpdate).join(Action, Action.id == ProgressUpdate.action_id).where(
        Action.deleted_at.is_(None))
    if current_user.is_focal:  # as /actions: the actions the agency leads or supports
        supported = select(action_supporting_agency.c.action_id).where(
            action_supporting_agency.c.agency_id == current_user.agency_id)
        stmt = stmt.where(or_(Action.lead_agency_id == current_user.agency_id, Action.id.in_(supported)))
    if action_id is not None:
        stmt = stmt.where(ProgressUpdate.action_id == action_id)
    if agency_id is not None:
        stmt = stmt.where(ProgressUpdate.agency_id == agency_id)
    if status is not None:
        stmt = stmt.where(ProgressUpdate.review_status == status)
    if period is not None:
        stmt = stmt.where(ProgressUpdate.period == period)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return jsonify(page_body([_item(u) for u in rows], page, per_page, total))
