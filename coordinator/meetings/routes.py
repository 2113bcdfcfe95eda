"""/meetings: coordination meetings with their attendance, minutes, files and decisions (follow-ups)."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coordinator.actions.evidence import IncomingFile, path_of
from coordinator.core import choices, permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.meetings import queries, service
from coordinator.meetings.blueprint import bp
from coordinator.meetings.forms import FileForm, FollowUpForm, MeetingForm
from coordinator.meetings.minutes import minutes_pdf
from coordinator.models import Action, FollowUp, Meeting, MeetingFile
from coordinator.web.files import private_file_response
from coordinator.web.routing import apply_domain_error, get_or_404, require, role_required


def visible_meeting(meeting_id: int) -> Meeting:
    meeting = get_or_404(Meeting, meeting_id)
    require(permissions.can_view_meetings(current_user) and
            queries.may_open_meeting(db.session, current_user, meeting))
    return meeting


def follow_up_form(obj: FollowUp | None = None, blank: bool = False) -> FollowUpForm:
    """`blank`: not bound to the request (the empty form beside another form that was posted)."""
    form = FollowUpForm(formdata=None, obj=obj) if blank else FollowUpForm(obj=obj)
    form.agency_id.choices = choices.agency_choices(db.session, keep=[obj.agency_id] if obj else [])
    form.action_id.choices = [(0, _("— tidak ada —"))] + [
        (a.id, f"{a.code} {a.title}"[:140]) for a in db.session.scalars(
            select(Action).where(Action.deleted_at.is_(None)).order_by(Action.code))]
    form.area_kode.choices = [("", _("— seluruh kabupaten —"))] + choices.area_choices(
        db.session, keep=[obj.area_kode] if obj and obj.area_kode else [])
    return form


@bp.route("/meetings")
@role_required(permissions.can_view_meetings)
def index():
    return render_template("meetings/index.html", rows=queries.meetings(db.session, current_user),
                           can_manage=permissions.can_manage_meetings(current_user))


def _meeting_form(meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    form.invited.choices = form.present.choices = choices.agency_choices(
        db.session, keep=meeting.invited_ids() if meeting else ())
    if meeting is not None and not request.form:  # opened, or posted empty: the stored attendance
        form.invited.data, form.present.data = sorted(meeting.invited_ids()), sorted(meeting.present_ids())
    return form


def _save_meeting(meeting: Meeting | None):
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        data = service.MeetingInput(
            title=form.title.data or "", held_on=form.held_on.data, chair=form.chair.data or "",
            start_time=form.start_time.data, place=form.place.data, online_url=form.online_url.data,
            agenda=form.agenda.data, minutes=form.minutes.data, invited=list(form.invited.data or []),
            present=list(form.present.data or []))
        try:
            saved = service.save_meeting(db.session, meeting, data, current_user.id, utcnow())
            db.session.commit()
            flash(_("Rapat disimpan."), "success")
            return redirect(url_for("meetings.detail", meeting_id=saved.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    title = _("Ubah rapat") if meeting else _("Catat rapat koordinasi")
    return render_template("form_page.html", form=form, title=title,
                           cancel_url=url_for("meetings.detail", meeting_id=meeting.id) if meeting
                           else url_for("meetings.index"),
                           history=history_for(db.session, "meeting", meeting.id) if meeting else [])


@bp.route("/meetings/new", methods=["GET", "POST"])
@role_required(permissions.can_manage_meetings)
def new():
    return _save_meeting(None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_manage_meetings)
def edit(meeting_id: int):
    return _save_meeting(get_or_404(Meeting, meeting_id))


def _detail(meeting: Meeting, follow_form: FollowUpForm | None = None, file_form: FileForm | None = None):
    manage = permissions.can_manage_meetings(current_user)
    if manage:
        follow_form = follow_form or follow_up_form(blank=True)
        file_form = file_form or FileForm(formdata=None)
    return render_template("meetings/detail.html", meeting=meeting, today=wita_today(utcnow()), can_manage=manage,
                           follow_form=follow_form, file_form=file_form)


@bp.route("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    return _detail(visible_meeting(meeting_id))


@bp.route("/meetings/<int:meeting_id>/follow-ups", methods=["POST"])
@role_required(permissions.can_manage_meetings)
def add_follow_up(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    form = follow_up_form()
    if form.validate_on_submit():
        data = service.FollowUpInput(text=form.text.data or "", agency_id=form.agency_id.data,
                                     due_date=form.due_date.data, action_id=form.action_id.data or None,
                                     area_kode=form.area_kode.data or None)
        try:
            item = service.add_follow_up(db.session, meeting, data, utcnow())
            db.session.commit()
            flash(_("Tindak lanjut %(n)s dicatat untuk %(agency)s.", n=item.number, agency=item.agency.short_name),
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="tindak-lanjut"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _detail(meeting, follow_form=form)


@bp.route("/meetings/<int:meeting_id>/files", methods=["POST"])
@role_required(permissions.can_manage_meetings)
def add_files(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    form = FileForm()
    if form.validate_on_submit():
        files = [IncomingFile(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]
        try:
            saved = service.attach_files(db.session, meeting, form.kind.data, files, current_user.id,
                                         current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"],
                                         utcnow())
            db.session.commit()
            flash(_("%(n)s berkas dilampirkan.", n=len(saved)), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor="berkas"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _detail(meeting, file_form=form)


@bp.route("/meeting-files/<int:file_id>")
@login_required
def file(file_id: int):
    row = get_or_404(MeetingFile, file_id)
    visible_meeting(row.meeting_id)
    return private_file_response(path_of(current_app.config["UPLOAD_DIR"], row.stored_name), row)


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def minutes(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    body = minutes_pdf(db.session, meeting, utcnow())
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="notulen-rapat-{meeting.held_on:%Y-%m-%d}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
