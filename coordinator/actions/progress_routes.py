"""Progress reports of an action: post one, correct one, open its evidence."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from coordinator.actions import budget
from coordinator.actions import progress as progress_service
from coordinator.actions.blueprint import bp
from coordinator.actions.evidence import IncomingFile, check_file, path_of
from coordinator.actions.forms import CorrectionForm, ProgressForm
from coordinator.ats import outcomes as ats_outcomes
from coordinator.core import permissions
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import fmt_month
from coordinator.extensions import db
from coordinator.models import REVIEW_RETURNED, Action, Evidence, ProgressUpdate
from coordinator.review import service as review_service
from coordinator.web.files import private_file_response
from coordinator.web.pending_uploads import PendingUploads
from coordinator.web.routing import apply_domain_error, get_or_404, require

# Progress updates -----------------------------------------------------------

# Files chosen for a form that came back with an error wait here (encrypted, an hour at most: evidence may show
# children), so nobody has to pick them again on a slow connection; the form carries their tokens.
HELD = PendingUploads("evidence-pending")


@dataclass
class Chosen:
    incoming: IncomingFile
    token: str | None = None  # held from an earlier try


def _chosen_files() -> list[Chosen]:
    """This request's files: those held from the last try (less the ones ticked away) and the new ones."""
    if "chosen_files" not in g:
        chosen, dropped = [], set(request.form.getlist("drop_kept"))
        for token in request.form.getlist("kept_files"):
            if token in dropped:
                HELD.discard(token)
                continue
            try:
                data, meta = HELD.load(token)
            except (OSError, ValueError):
                g.held_lost = True  # older than an hour: said on the form
                continue
            chosen.append(Chosen(IncomingFile(str(meta.get("filename", "bukti")), data), token))
        for storage in request.files.getlist("files"):
            if storage and storage.filename:
                chosen.append(Chosen(IncomingFile(storage.filename, storage.read())))
        g.chosen_files = chosen
    return list(g.chosen_files)


HELD_LOST = N_("Berkas yang dipilih lebih dari satu jam lalu sudah dihapus; pilih lagi.")


def _incoming_files(form: ProgressForm) -> list[IncomingFile]:
    chosen = _chosen_files()
    if g.get("held_lost"):  # never a report without files its author chose
        raise DomainError(HELD_LOST, "files")
    return [c.incoming for c in chosen]


def _held_for_next_try(form: ProgressForm) -> list[tuple[str, str]]:
    """After a refused form: every chosen file that passes the evidence checks waits for the next try."""
    if request.method != "POST":
        return []
    _chosen_files()
    if g.get("held_lost") and _(HELD_LOST) not in form.files.errors:
        form.files.errors = [*form.files.errors, _(HELD_LOST)]
    held = []
    for c in _chosen_files():
        if c.token is None:
            try:
                check_file(c.incoming, current_app.config["EVIDENCE_MAX_BYTES"])
            except DomainError as err:  # refused: not kept, and said so beside the files
                message = _(err.message, **err.params)
                if message not in form.files.errors:
                    form.files.errors = [*form.files.errors, message]
                continue
            c.token = HELD.keep(c.incoming.data, {"filename": c.incoming.filename})
        held.append((c.token, c.incoming.filename))
    return held


def _release_held() -> None:
    for c in _chosen_files():
        if c.token is not None:
            HELD.discard(c.token)


def _progress_input(form: ProgressForm) -> progress_service.ProgressInput:
    return progress_service.ProgressInput(
        period=form.period.data, percent_complete=form.percent_complete.data, achievements=form.achievements.data,
        obstacles=form.obstacles.data, follow_up=form.follow_up.data, budget_realised=form.budget_realised.data,
        budget_note=form.budget_note.data, files=_incoming_files(form),
    )


def _save_report(form: ProgressForm, action: Action, outcome_rows: list, record: Callable[[], ProgressUpdate]
                 ) -> ProgressUpdate | None:
    """Outcome rows checked first (no evidence written for a refused form), then the report, one commit."""
    try:
        outcomes = ats_outcomes.check_rows(db.session, action, outcome_rows)
        saved = record()
        ats_outcomes.add_outcomes(db.session, saved, outcomes)
        db.session.commit()
        return saved
    except DomainError as err:
        db.session.rollback()
        apply_domain_error(form, err)
    except IntegrityError:
        # Another submit for the same month won the race (uq_progress_current).
        db.session.rollback()
        form.period.errors = [*form.period.errors, _(progress_service.ALREADY_REPORTED)]
    return None


def _flash_saved(report: ProgressUpdate) -> None:
    if current_app.config["PROGRESS_REVIEW"]:
        flash(_("Laporan kemajuan tersimpan dan diajukan untuk ditinjau koordinator; angkanya dihitung sesudah "
                "diterima."), "success")
    else:
        flash(_("Laporan kemajuan tersimpan."), "success")
    if report.addendum_period is not None:
        flash(_("Bulan %(month)s sudah ditutup: laporan ini dicatat terlambat dan masuk laporan bulan %(later)s "
                "sebagai susulan.", month=fmt_month(report.period), later=fmt_month(report.addendum_period)),
              "warning")


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
    if form.validate_on_submit() and (saved := _save_report(form, action, outcome_rows, lambda: (
            progress_service.record_progress_update(
                db.session, action, current_user, _progress_input(form), now,
                current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"],
                current_app.config["PROGRESS_REVIEW"])))):
        _release_held()
        _flash_saved(saved)
        return redirect(url_for("actions.mine"))  # on to the next action to report
    return render_template("actions/progress_form.html", form=form, multipart=True, held=_held_for_next_try(form),
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
        _release_held()
        return redirect(url_for("actions.mine"))
    return render_template("actions/progress_form.html", form=form, multipart=True, held=_held_for_next_try(form),
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
    return private_file_response(path_of(current_app.config["UPLOAD_DIR"], ev.stored_name), ev)
