"""/follow-ups: every meeting decision still to be done, closing one with evidence, and the coordinator's review."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coordinator.actions.evidence import IncomingFile, path_of
from coordinator.core import permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.meetings import closing, queries, service
from coordinator.meetings.blueprint import bp
from coordinator.meetings.forms import AcceptClosingForm, CancelForm, ClosingForm, FollowUpForm, ReturnClosingForm
from coordinator.meetings.routes import follow_up_form, visible_meeting
from coordinator.models import Agency, FollowUp, FollowUpEvidence
from coordinator.web.files import private_file_response
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require, role_required


def _filter() -> tuple[queries.FollowUpFilter, dict[str, Any]]:
    """Filters from the query string; a value that is not one of the choices counts as absent."""
    status = request.args.get("status") or None
    flt = queries.FollowUpFilter(meeting_id=int_arg("meeting"), agency_id=int_arg("agency"),
                                 status=status if status in queries.STATUS_FILTERS else None)
    args = {k: v for k, v in (("meeting", flt.meeting_id), ("agency", flt.agency_id), ("status", flt.status)) if v}
    return flt, args


@bp.route("/follow-ups")
@role_required(permissions.can_view_meetings)
def follow_ups():
    flt, args = _filter()
    page = max(int_arg("page", 1) or 1, 1)
    today = wita_today(utcnow())
    rows, total = queries.follow_up_page(db.session, current_user, flt, today, page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.short_name)))
    return render_template("meetings/follow_ups.html", rows=rows, total=total, page=page, pages=pages, args=args,
                           flt=flt, agencies=agencies, today=today, statuses=queries.STATUS_FILTERS)


def _visible(follow_up_id: int) -> FollowUp:
    item = get_or_404(FollowUp, follow_up_id)
    visible_meeting(item.meeting_id)
    return item


def _page(item: FollowUp, *, closing_form: ClosingForm | None = None, accept_form: AcceptClosingForm | None = None,
          return_form: ReturnClosingForm | None = None, cancel_form: CancelForm | None = None):
    manage = permissions.can_manage_meetings(current_user)
    may_close = permissions.can_close_follow_up(current_user, item)
    return render_template(
        "meetings/follow_up.html", item=item, today=wita_today(utcnow()), can_manage=manage,
        closing_form=closing_form or (ClosingForm(formdata=None) if may_close else None),
        accept_form=accept_form or AcceptClosingForm(formdata=None),
        return_form=return_form or ReturnClosingForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        history=history_for(db.session, "follow_up", item.id) if manage else [])


@bp.route("/follow-ups/<int:follow_up_id>")
@login_required
def follow_up(follow_up_id: int):
    return _page(_visible(follow_up_id))


@bp.route("/follow-ups/<int:follow_up_id>/close", methods=["POST"])
@login_required
def close(follow_up_id: int):
    item = _visible(follow_up_id)
    require(permissions.can_close_follow_up(current_user, item))
    form = ClosingForm()
    if form.validate_on_submit():
        files = [IncomingFile(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]
        try:
            closing.submit_closing(db.session, item, form.note.data or "", files, current_user.id,
                                   current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"],
                                   utcnow(), review_required=bool(current_app.config["PROGRESS_REVIEW"]))
            db.session.commit()
            flash(_("Penyelesaian dikirim; koordinator akan meninjaunya.") if item.state == "diajukan"
                  else _("Tindak lanjut ditandai selesai."), "success")
            return redirect(url_for("meetings.follow_up", follow_up_id=item.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _page(item, closing_form=form)


def _decide(follow_up_id: int, form: AcceptClosingForm | ReturnClosingForm | CancelForm,
            act: Callable[[FollowUp, str], object], done: str):
    item = _visible(follow_up_id)
    if form.validate_on_submit():
        try:
            act(item, form.data.get("comment") or form.data.get("reason") or "")
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("meetings.follow_up", follow_up_id=item.id))
        except DomainError as err:
            db.session.rollback()
            if err.field is None:  # decided meanwhile (another tab, another coordinator)
                flash(_(err.message, **err.params), "error")
                return redirect(url_for("meetings.follow_up", follow_up_id=item.id))
            apply_domain_error(form, err)
    forms = {"accept_form" if isinstance(form, AcceptClosingForm) else "return_form"
             if isinstance(form, ReturnClosingForm) else "cancel_form": form}
    return _page(item, **forms)  # type: ignore[arg-type]


@bp.route("/follow-ups/<int:follow_up_id>/accept", methods=["POST"])
@role_required(permissions.can_manage_meetings)
def accept(follow_up_id: int):
    return _decide(follow_up_id, AcceptClosingForm(),
                   lambda item, comment: closing.accept_closing(db.session, item, current_user, utcnow(), comment),
                   _("Penyelesaian diterima; tindak lanjut selesai."))


@bp.route("/follow-ups/<int:follow_up_id>/return", methods=["POST"])
@role_required(permissions.can_manage_meetings)
def return_(follow_up_id: int):
    return _decide(follow_up_id, ReturnClosingForm(),
                   lambda item, comment: closing.return_closing(db.session, item, current_user, utcnow(), comment),
                   _("Penyelesaian dikembalikan dengan catatan; perangkat daerahnya diberi tahu."))


@bp.route("/follow-ups/<int:follow_up_id>/cancel", methods=["POST"])
@role_required(permissions.can_manage_meetings)
def cancel(follow_up_id: int):
    return _decide(follow_up_id, CancelForm(),
                   lambda item, reason: service.cancel_follow_up(db.session, item, reason),
                   _("Tindak lanjut dibatalkan."))


@bp.route("/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_manage_meetings)
def edit_follow_up(follow_up_id: int):
    item = get_or_404(FollowUp, follow_up_id)
    if not item.is_open:
        abort(404)
    form: FollowUpForm = follow_up_form(obj=item)
    if not request.form:  # opened, or posted empty: the stored links
        form.action_id.data, form.area_kode.data = item.action_id or 0, item.area_kode or ""
    if form.validate_on_submit():
        data = service.FollowUpInput(text=form.text.data or "", agency_id=form.agency_id.data,
                                     due_date=form.due_date.data, action_id=form.action_id.data or None,
                                     area_kode=form.area_kode.data or None)
        try:
            service.edit_follow_up(db.session, item, data, form.due_reason.data)
            db.session.commit()
            flash(_("Tindak lanjut disimpan."), "success")
            return redirect(url_for("meetings.follow_up", follow_up_id=item.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=_("Ubah tindak lanjut %(n)s", n=item.number),
                           subtitle=item.meeting.title,
                           cancel_url=url_for("meetings.follow_up", follow_up_id=item.id),
                           history=history_for(db.session, "follow_up", item.id))


@bp.route("/follow-up-evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    row = get_or_404(FollowUpEvidence, evidence_id)
    _visible(row.follow_up_id)
    return private_file_response(path_of(current_app.config["UPLOAD_DIR"], row.stored_name), row)
