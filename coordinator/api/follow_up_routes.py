"""Meeting follow-ups (tindak lanjut rapat), scoped as /follow-ups is: coordinators and leaders all; focal points
those of the meetings their agency was invited to or owes a follow-up from."""
from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import func, select

from coordinator.api.blueprint import bp
from coordinator.api.errors import page_body, page_params, query_choice, query_int
from coordinator.api.plan_routes import agency_ref, iso_date, iso_datetime
from coordinator.core import permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.extensions import db
from coordinator.meetings.queries import STATUS_FILTERS, FollowUpFilter, follow_up_query
from coordinator.models import FollowUp


def _item(f: FollowUp, today) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": f.id, "number": f.number, "text": f.text, "status": f.status(today),
        "meeting": {"id": f.meeting.id, "title": f.meeting.title, "held_on": iso_date(f.meeting.held_on)},
        "agency": agency_ref(f.agency), "due_date": iso_date(f.due_date),
        "baseline_due_date": iso_date(f.baseline_due_date or f.due_date), "reschedule_count": f.reschedule_count,
        "action": {"id": f.action.id, "code": f.action.code} if f.action else None, "area_kode": f.area_kode,
        "closing_note": f.closing_note, "closing_submitted_at": iso_datetime(f.closing_submitted_at),
        "closed_on": iso_date(f.closed_on), "review_comment": f.review_comment,
    }


@bp.get("/follow-ups")
def follow_ups():
    if not permissions.can_view_meetings(current_user):
        abort(403)
    flt = FollowUpFilter(meeting_id=query_int("meeting"), agency_id=query_int("agency"),
                         status=query_choice("status", STATUS_FILTERS))
    page, per_page = page_params()
    today = wita_today(utcnow())
    stmt = follow_up_query(current_user, flt, today)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).unique().all()
    return jsonify(page_body([_item(f, today) for f in rows], page, per_page, total))
