"""/reviews: the coordinator's queue of submitted progress reports, and the review of one report."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coordinator.ats import outcomes as ats_outcomes
from coordinator.core import permissions
from coordinator.core.clock import to_wita, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.indicators import review as value_review
from coordinator.models import Agency, ProgressUpdate
from coordinator.reports.facts import parse_period
from coordinator.review import service
from coordinator.review.blueprint import bp
from coordinator.review.forms import AcceptForm, ReturnForm
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require


def _lead_reviews() -> bool:
    return bool(current_app.config.get("REVIEW_BY_LEAD_AGENCY"))


def _queue_filter() -> tuple[service.QueueFilter, dict[str, Any]]:
    """The queue's filters from the query string; junk values count as absent (the list is then unfiltered)."""
    agency_id = int_arg("agency")
    period: date | None = None
    text = request.args.get("period", "")
    if text:
        try:
            period = parse_period(text)
        except DomainError:
            period = None
    lead = None if current_user.is_coordinator else current_user.agency_id
    args = {k: v for k, v in (("agency", agency_id), ("period", f"{period:%Y-%m}" if period else None)) if v}
    return service.QueueFilter(agency_id=agency_id, period=period, lead_agency_id=lead), args


def _reviewable(update_id: int) -> ProgressUpdate:
    report = get_or_404(ProgressUpdate, update_id)
    if report.action.deleted_at is not None:
        abort(404)
    require(permissions.can_review_progress(current_user, report, _lead_reviews()))
    return report


@bp.route("/reviews")
@login_required
def queue():
    require(permissions.can_open_review_queue(current_user, _lead_reviews()))
    f, args = _queue_filter()
    per_page = current_app.config["PAGE_SIZE"]
    total = service.waiting_count(db.session, f)
    pages = max(1, -(-total // per_page))
    page = min(max(int_arg("page", 1) or 1, 1), pages)
    rows = service.waiting_page(db.session, f, page, per_page)
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.short_name)))
    today = wita_today(utcnow())  # days waited are counted in WITA days, as every deadline is
    waited = {u.id: (today - to_wita(u.created_at).date()).days for u in rows}
    values = value_review.waiting_values(db.session) if current_user.is_coordinator else []
    return render_template("review/queue.html", rows=rows, total=total, page=page, pages=pages, args=args,
                           agencies=agencies, f=f, waited=waited, values=values)


def _page(report: ProgressUpdate, accept_form: AcceptForm, return_form: ReturnForm) -> str:
    previous = service.previous_report(db.session, report)
    ids = [report.id] + ([previous.id] if previous else [])
    outcomes = ats_outcomes.outcomes_by_update(db.session, ids)
    f, args = _queue_filter()
    return render_template("review/report.html", report=report, previous=previous, outcomes=outcomes,
                           rounds=service.rounds(db.session, report), accept_form=accept_form,
                           return_form=return_form, args=args,
                           waiting=service.waiting_count(db.session, f))


@bp.route("/reviews/<int:update_id>")
@login_required
def report(update_id: int):
    return _page(_reviewable(update_id), AcceptForm(formdata=None), ReturnForm(formdata=None))


def _next(report: ProgressUpdate):
    """On to the next report waiting (same filters), or back to the queue when none is left."""
    f, args = _queue_filter()
    following = service.next_waiting(db.session, f, report)
    if following is None:
        return redirect(url_for("review.queue", **args))
    return redirect(url_for("review.report", update_id=following.id, **args))


def _decide(update_id: int, form: AcceptForm | ReturnForm,
            act: Callable[[ProgressUpdate, str], None], done: Callable[[ProgressUpdate], str]):
    """Accept or return in one step: done, on to the next report; refused, the page again with the reason."""
    report = _reviewable(update_id)
    if form.validate_on_submit():
        try:
            act(report, form.comment.data or "")
            db.session.commit()
            flash(done(report), "success")
            return _next(report)
        except DomainError as err:
            db.session.rollback()
            if err.field is None:  # reviewed meanwhile (another tab, another coordinator): say so on its page
                flash(_(err.message, **err.params), "error")
                return redirect(url_for("review.report", update_id=report.id))
            apply_domain_error(form, err)
    if isinstance(form, AcceptForm):
        return _page(report, form, ReturnForm(formdata=None))
    return _page(report, AcceptForm(formdata=None), form)


@bp.route("/reviews/<int:update_id>/accept", methods=["POST"])
@login_required
def accept(update_id: int):
    return _decide(
        update_id, AcceptForm(),
        lambda report, comment: service.accept(db.session, report, current_user, utcnow(), comment),
        lambda report: _("Laporan %(code)s (%(agency)s) diterima.", code=report.action.code,
                         agency=report.agency.short_name))


@bp.route("/reviews/<int:update_id>/return", methods=["POST"])
@login_required
def return_(update_id: int):
    return _decide(
        update_id, ReturnForm(),
        lambda report, comment: service.return_report(db.session, report, current_user, comment, utcnow()),
        lambda report: _("Laporan %(code)s (%(agency)s) dikembalikan dengan catatan; penulisnya diberi tahu.",
                         code=report.action.code, agency=report.agency.short_name))
