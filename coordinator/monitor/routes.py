from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordinator.core import permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.extensions import db
from coordinator.meetings.queries import follow_up_board
from coordinator.monitor.blueprint import bp
from coordinator.monitor.deadlines import GroupCounts, build_monitor
from coordinator.review import service as review_service
from coordinator.web.page_cache import cached_content, everyone
from coordinator.web.routing import role_required

LIST_LIMIT = 25


@bp.route("/")
@login_required
def home():
    if current_user.is_focal:
        return redirect(url_for("actions.mine"))
    if current_user.is_verifier:
        return redirect(url_for("verval.children"))
    if current_user.is_leader:  # leaders ask "are we on track?", not "what is due this week?"
        return redirect(url_for("summary.index"))
    return redirect(url_for("monitor.deadlines"))


@bp.route("/monitor")
@role_required(permissions.sees_everything)
def deadlines():
    show = request.args.get("show", "")
    now = utcnow()
    # Long lists are cut to LIST_LIMIT rows with a link to see all: a phone cannot scroll 200 rows.
    content = cached_content("monitor/_deadlines.html", lambda: dict(
        m=build_monitor(db.session, now), fu=follow_up_board(db.session, wita_today(now)), show=show,
        limit=LIST_LIMIT, empty_counts=GroupCounts(),
        days_label=_("%s hari")), reader=everyone)  # the same for all who may open it
    waiting, oldest = 0, None
    if permissions.can_open_review_queue(current_user, bool(current_app.config.get("REVIEW_BY_LEAD_AGENCY"))):
        waiting, oldest = review_service.waiting_summary(db.session)  # per reader: outside the shared content
    return render_template("monitor/deadlines.html", content=content, waiting_reviews=waiting,
                           oldest_waiting=oldest)
