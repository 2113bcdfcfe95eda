"""Progress reports of an action: post one, correct one, open its evidence."""
from collections.abc import Callable
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from coordinator.actions import budget
from coordinator.actions import progress as progress_service
from coordinator.actions.blueprint import bp
from coordinator.actions.evidence import IncomingFile, path_of
from coordinator.actions.forms import CorrectionForm, ProgressForm
from coordinator.ats import outcomes as ats_outcomes
from coordinator.core import permissions
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.core.formatting import fmt_month
from coordinator.extensions import db
from coordinator.models import REVIEW_RETURNED, Action, Evidence, ProgressUpdate
from coordinator.review import service as review_service
from coordinator.web.routing import apply_domain_error, get_or_404, require

# Progress updates -----------------------------------------------------------

def _incoming_files(form: ProgressForm) -> list[IncomingFile]:
    files = []
    for storage in request.files.getlist(form.files.name):
        if storage and storage.filename:
            files.append(IncomingFile(storage.filename, storage.read()))
    return files


def _progress_input(form: ProgressForm) -> progress_service.ProgressInput:
    return progress_service.ProgressInput(
        period=form.period.data, percent_complete=form.percent_complete.data, achievements=form.achievements.data,
        obstacles=form.obstacles.data, follow_up=form.follow_up.data, budget_realised=form.budget_realised.data,
        budget_note=form.budget_note.data, files=_incoming_files(form),
    )


def _save_report(form: ProgressForm, action: Action, outcome_rows: list, record: Callable[[], ProgressUpdate]
                 ) -> bool:
    """Outcome rows checked first (no evidence written for a refused form), then the report, one commit."""
    try:
        outcomes = ats_outcomes.check_rows(db.session, action, outcome_rows)
        ats_outcomes.add_outcomes(db.session, record(), outcomes)
        db.session.commit()
        return True
    except DomainError as err:
        db.session.rollback()
        apply_domain_error(form, err)
    except IntegrityError:
        # Another submit for the same month won the race (uq_progress_current).
        db.session.rollback()
        form.period.errors = [*form.period.errors, _(progress_service.ALREADY_REPORTED)]
    return False


def _flash_saved(period: date) -> None:
    if current_app.config["PROGRESS_REVIEW"]:
        flash(_("Laporan kemajuan tersimpan dan diajukan untuk ditinjau koordinator; angkanya dihitung sesudah "
                "diterima."), "success")
    else:
        flash(_("Laporan kemajuan tersimpan."), "success")
    later = review_service.addendum_period_for(db.session, month_start(period))
    if later is not None:
        flash(_("Bulan %(month)s sudah ditutup: laporan ini dicatat terlambat dan masuk laporan bulan %(later)s "
                "sebagai susulan.", month=fmt_month(month_start(period)), later=fmt_month(later)), "warning")


@bp.route("/actions/<int:action_id>/progress/new", methods=["GET", "POST"])
@login_required
def new_progress(action_id: int):
    action = get_or_404(Action, action_id)
    require(permissions.can_report_progress(current_user, action))
    form = ProgressForm()
    now = utcnow()
    if request.method == "GET":
        form.period.data = month_start(wita_today(now))
        form.percent_complete.data = progress_service.latest_percent(db.session, action.id)
        if current_user.agency_id is not None:  # cumulative: last month's figure is where this one starts
            form.budget_realised.data = budget.own_latest_figure(db.session, action.id, current_user.agency_id,
                                                                 form.period.data)
    outcome_rows = ats_outcomes.raw_rows(request.form) if request.method == "POST" else ats_outcomes.rows_of([])
    if form.validate_on_submit() and _save_report(form, action, outcome_rows, lambda: (
            progress_service.record_progress_update(
                db.session, action, current_user, _progress_input(form), now,
                current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"],
                current_app.config["PROGRESS_REVIEW"]))):
        _flash_saved(form.period.data)
        return redirect(url_for("actions.mine"))  # on to the next action to report
    return render_template("actions/progress_form.html", form=form, multipart=True,
                           title=_("Laporan kemajuan: %(code)s %(title)s", code=action.code, title=action.title),
                           cancel_url=url_for("actions.detail", action_id=action.id), submit_label=_("Kirim laporan"),
                           outcome_rows=outcome_rows, desa_choices=ats_outcomes.desa_choices(db.session, action),
                           closed=review_service.closed_periods(db.session))


@bp.route("/progress/<int:update_id>/correct", methods=["GET", "POST"])
@login_required
def correct_progress(update_id: int):
    original = get_or_404(ProgressUpdate, update_id)
    if original.action.deleted_at is not None:
        abort(404)
    require(permissions.can_correct_update(current_user, original))
    form = CorrectionForm(obj=original if request.method == "GET" else None)
    form.drop_evidence.choices = [(ev.id, _("Hapus %(name)s", name=ev.original_name)) for ev in original.evidence]
    if not original.evidence:
        del form.drop_evidence
    if request.method == "GET":
        form.period.data = original.period
        if original.evidence:
            form.drop_evidence.data = []
    outcome_rows = (ats_outcomes.raw_rows(request.form) if request.method == "POST"
                    else ats_outcomes.rows_of(ats_outcomes.outcomes_by_update(db.session, [original.id])
                                              .get(original.id, [])))
    if form.validate_on_submit() and _save_report(form, original.action, outcome_rows, lambda: (
            progress_service.correct_progress_update(
                db.session, original, current_user, _progress_input(form), form.reason.data, utcnow(),
                current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"],
                current_app.config["PROGRESS_REVIEW"],
                set(form.drop_evidence.data or []) if "drop_evidence" in form else set()))):
        if current_app.config["PROGRESS_REVIEW"]:
            flash(_("Koreksi tersimpan dan diajukan untuk ditinjau koordinator; sampai diterima, angka yang sudah "
                    "diterima tetap berlaku. Laporan lama tetap terlihat sebagai riwayat."), "success")
        else:
            flash(_("Koreksi tersimpan. Laporan lama tetap terlihat sebagai riwayat."), "success")
        return redirect(url_for("actions.mine"))
    return render_template("actions/progress_form.html", form=form, multipart=True,
                           title=_("Koreksi laporan %(month)s", month=original.period.strftime("%m/%Y")),
                           cancel_url=url_for("actions.detail", action_id=original.action_id),
                           outcome_rows=outcome_rows,
                           desa_choices=ats_outcomes.desa_choices(db.session, original.action),
                           closed=review_service.closed_periods(db.session), returned=original.review_status ==
                           REVIEW_RETURNED, review_comment=original.review_comment)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    ev = get_or_404(Evidence, evidence_id)
    action = ev.update.action
    if action.deleted_at is not None:
        abort(404)
    require(permissions.can_view_action(current_user, action))
    path = path_of(current_app.config["UPLOAD_DIR"], ev.stored_name)
    if not path.is_file():
        abort(404)
    inline = ev.content_type in ("application/pdf", "image/jpeg", "image/png")
    response: Response = send_file(path, mimetype=ev.content_type, as_attachment=not inline,
                                   download_name=ev.original_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
