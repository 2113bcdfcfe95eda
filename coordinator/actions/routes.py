from collections.abc import Callable
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from coordinator.actions import budget, listing
from coordinator.actions import progress as progress_service
from coordinator.actions.blueprint import bp
from coordinator.actions.evidence import IncomingFile, path_of
from coordinator.actions.exports import export_actions
from coordinator.actions.forms import ActionForm, CorrectionForm, MilestoneForm, OverrideForm, ProgressForm
from coordinator.actions.status import load_action_facts, status_of
from coordinator.ats import outcomes as ats_outcomes
from coordinator.ats import pages as ats_pages
from coordinator.ats.charts import action_band, trend_chart
from coordinator.core import choices, permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.core.formatting import current_locale
from coordinator.extensions import db
from coordinator.models import Action, Evidence, Milestone, ProgressUpdate
from coordinator.plan import editing as plan_service
from coordinator.plan.funding import FundingShare
from coordinator.web.page_cache import cached_content, everyone
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require, role_required


def _parse_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filter_from_args() -> listing.ActionFilter:
    status = request.args.get("status") or None
    sort = request.args.get("sort", "code")
    return listing.ActionFilter(
        pillar_id=int_arg("pillar"), agency_id=int_arg("agency"),
        status=status if status in ("belum_mulai", "berjalan", "terlambat", "selesai", "dibatalkan") else None,
        kecamatan=(request.args.get("kecamatan") or None), due_from=_parse_date("due_from"),
        due_to=_parse_date("due_to"), q=(request.args.get("q") or "").strip()[:100] or None,
        funding=(request.args.get("funding") or "").strip()[:40] or None,
        sort=sort if sort in listing.SORTS else "code", descending=request.args.get("dir") == "desc",
        involving_agency_id=current_user.agency_id if current_user.is_focal else None,
    )


@bp.route("/actions")
@login_required
def index():
    f = _filter_from_args()
    now = utcnow()
    fmt = request.args.get("export")
    if fmt in ("csv", "xlsx"):
        rows = listing.all_matching(db.session, f, now)
        return export_actions(rows, fmt, funding=choices.funding_labels(db.session, current_locale()))
    page = int_arg("page", 1) or 1

    def build() -> dict:
        rows, total, pages = listing.page_of_actions(db.session, f, now, page, current_app.config["PAGE_SIZE"])
        args = {k: v for k, v in request.args.items() if k not in ("page", "export") and v}
        return dict(rows=rows, total=total, pages=pages, page=min(max(page, 1), pages), args=args, f=f,
                    pillars=choices.pillar_choices(db.session), agencies=choices.agency_choices(db.session),
                    kecamatan=choices.kecamatan_choices(db.session),
                    funding=choices.funding_choices(db.session, current_locale()))

    return render_template("actions/index.html", content=cached_content("actions/_index.html", build, now=now))


@bp.route("/actions/mine")
@login_required
def mine():
    if not current_user.is_focal:
        return redirect(url_for("actions.index"))
    now = utcnow()
    f = listing.ActionFilter(involving_agency_id=current_user.agency_id, sort="due_date")
    rows = listing.all_matching(db.session, f, now)
    this_month = month_start(wita_today(now))
    reported = {u.action_id for u in db.session.scalars(
        db.select(ProgressUpdate).where(ProgressUpdate.agency_id == current_user.agency_id,
                                        ProgressUpdate.period == this_month))}
    return render_template("actions/mine.html", rows=rows, reported=reported, this_month=this_month)


def _action_form(action: Action | None) -> ActionForm:
    form = ActionForm(obj=action)
    form.program_id.choices = choices.program_choices(db.session)
    in_use = ([action.lead_agency_id] + [a.id for a in action.supporting_agencies]) if action else []
    agencies = choices.agency_choices(db.session, keep=in_use)
    form.lead_agency_id.choices = agencies
    form.supporting_agency_ids.choices = agencies
    form.area_kodes.choices = choices.area_choices(db.session, keep=[a.kode for a in action.areas] if action else [])
    form.fundings.choices = choices.funding_choices(db.session, current_locale(),
                                                    keep=[f.source for f in action.fundings] if action else [])
    if request.method == "GET" and action is not None:
        form.supporting_agency_ids.data = [a.id for a in action.supporting_agencies]
        form.area_kodes.data = [a.kode for a in action.areas]
        form.ats_categories.data = action.category_list
    return form


def _save_action(action: Action | None):
    form = _action_form(action)
    if form.validate_on_submit():
        data = plan_service.ActionInput(
            program_id=form.program_id.data, code=form.code.data, title=form.title.data,
            description=form.description.data or None, output=form.output.data or None,
            lead_agency_id=form.lead_agency_id.data, supporting_agency_ids=form.supporting_agency_ids.data or [],
            area_kodes=form.area_kodes.data or [], ats_categories=form.ats_categories.data or [],
            start_date=form.start_date.data, due_date=form.due_date.data, budget_amount=form.budget_amount.data,
            fundings=[FundingShare(code, amount) for code, amount in form.fundings.data],
            sub_kegiatan_code=form.sub_kegiatan_code.data or None,
        )
        try:
            saved = plan_service.save_action(db.session, action, data)
            db.session.commit()
            flash(_("Aksi disimpan."), "success")
            return redirect(url_for("actions.detail", action_id=saved.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    title = _("Ubah aksi %(code)s", code=action.code) if action else _("Aksi baru")
    cancel = url_for("actions.detail", action_id=action.id) if action else url_for("actions.index")
    return render_template("form_page.html", form=form, title=title, cancel_url=cancel)


@bp.route("/actions/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new():
    return _save_action(None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit(action_id: int):
    return _save_action(get_or_404(Action, action_id))


@bp.route("/actions/<int:action_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete(action_id: int):
    action = get_or_404(Action, action_id)
    plan_service.delete_action(db.session, action, utcnow())
    db.session.commit()
    flash(_("Aksi %(code)s dihapus. Riwayatnya tetap tersimpan.", code=action.code), "success")
    return redirect(url_for("actions.index"))


def _visible_action(action_id: int) -> Action:
    action = get_or_404(Action, action_id)
    require(permissions.can_view_action(current_user, action))
    return action


@bp.route("/actions/<int:action_id>")
@login_required
def detail(action_id: int):
    action = _visible_action(action_id)

    def ats_figure() -> dict:
        trend = ats_pages.action_trend(db.session, [a.kode for a in action.areas])
        title = (_("Jumlah ATS Kabupaten Kutai Timur") if trend.scope == "regency"
                 else _("Jumlah ATS di wilayah sasaran %(code)s", code=action.code))
        chart = trend_chart(trend.series, title, [action_band(action)], width=560, height=300)
        return {"ats_trend": trend, "ats_chart": chart}

    def build() -> dict:
        today = wita_today(utcnow())
        updates = progress_service.updates_for_action(db.session, action.id)
        return dict(
            action=action, status=status_of(action, today), today=today, updates=updates,
            late=next((f.late_reason(today) for f in load_action_facts(db.session, [action.id])), None),
            over_ceiling=budget.over_ceiling(updates, action.budget_amount),
            ats_figure=cached_content("actions/_ats_trend.html", ats_figure, reader=everyone),
            history=history_for(db.session, "action", action.id), override_form=OverrideForm(obj=None),
            outcome_sums=ats_outcomes.sums_for_action(db.session, action.id),
            outcomes_by_update=ats_outcomes.outcomes_by_update(db.session, [u.id for u in updates]),
            funding=choices.funding_labels(db.session, current_locale()),
            percent=next((u.percent_complete for u in updates if u.is_current), None),
            can_report=permissions.can_report_progress(current_user, action),
            can_complete=permissions.can_complete_action(current_user, action),
        )

    return render_template("actions/detail.html", action=action, content=cached_content("actions/_detail.html", build))


@bp.route("/actions/<int:action_id>/override", methods=["POST"])
@role_required(permissions.can_edit_plan)
def override(action_id: int):
    action = get_or_404(Action, action_id)
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            plan_service.set_override(db.session, action, form.status.data or None, form.reason.data)
            db.session.commit()
            flash(_("Status aksi diperbarui."), "success")
            return redirect(url_for("actions.detail", action_id=action.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=_("Status manual untuk %(code)s", code=action.code),
                           cancel_url=url_for("actions.detail", action_id=action.id)), 200


@bp.route("/actions/<int:action_id>/complete", methods=["POST"])
@login_required
def complete(action_id: int):
    action = get_or_404(Action, action_id)
    require(permissions.can_complete_action(current_user, action))
    done = request.form.get("complete", "1") != "0"
    try:
        plan_service.set_action_complete(db.session, action, done, utcnow())
        db.session.commit()
        flash(_("Aksi ditandai selesai.") if done else _("Tanda selesai dibatalkan."), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(url_for("actions.detail", action_id=action.id))


# Milestones ---------------------------------------------------------------

def _milestone_form(action: Action, milestone: Milestone | None):
    form = MilestoneForm(obj=milestone)
    if form.validate_on_submit():
        try:
            plan_service.save_milestone(db.session, milestone, action, {
                "title": form.title.data, "due_date": form.due_date.data, "state": form.state.data,
                "completed_on": form.completed_on.data}, utcnow())
            db.session.commit()
            flash(_("Tahapan disimpan."), "success")
            return redirect(url_for("actions.detail", action_id=action.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    title = _("Ubah tahapan") if milestone else _("Tahapan baru untuk %(code)s", code=action.code)
    return render_template("form_page.html", form=form, title=title,
                           cancel_url=url_for("actions.detail", action_id=action.id))


@bp.route("/actions/<int:action_id>/milestones/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new_milestone(action_id: int):
    return _milestone_form(get_or_404(Action, action_id), None)


def _live_milestone(milestone_id: int) -> Milestone:
    milestone = get_or_404(Milestone, milestone_id)
    if milestone.action.deleted_at is not None:
        abort(404)
    return milestone


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit_milestone(milestone_id: int):
    milestone = _live_milestone(milestone_id)
    return _milestone_form(milestone.action, milestone)


@bp.route("/milestones/<int:milestone_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete_milestone(milestone_id: int):
    milestone = _live_milestone(milestone_id)
    action_id = milestone.action_id
    plan_service.delete_milestone(db.session, milestone)
    db.session.commit()
    flash(_("Tahapan dihapus."), "success")
    return redirect(url_for("actions.detail", action_id=action_id))


@bp.route("/milestones/<int:milestone_id>/done", methods=["POST"])
@login_required
def milestone_done(milestone_id: int):
    milestone = _live_milestone(milestone_id)
    require(permissions.can_mark_milestone(current_user, milestone))
    try:
        plan_service.mark_milestone_done(db.session, milestone, utcnow())
        db.session.commit()
        flash(_("Tahapan ditandai selesai."), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(url_for("actions.detail", action_id=milestone.action_id))


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
    outcome_rows = ats_outcomes.raw_rows(request.form) if request.method == "POST" else ats_outcomes.rows_of([])
    if form.validate_on_submit() and _save_report(form, action, outcome_rows, lambda: (
            progress_service.record_progress_update(
                db.session, action, current_user, _progress_input(form), now,
                current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"]))):
        flash(_("Laporan kemajuan tersimpan."), "success")
        return redirect(url_for("actions.detail", action_id=action.id))
    return render_template("actions/progress_form.html", form=form, multipart=True,
                           title=_("Laporan kemajuan: %(code)s %(title)s", code=action.code, title=action.title),
                           cancel_url=url_for("actions.detail", action_id=action.id), submit_label=_("Kirim laporan"),
                           outcome_rows=outcome_rows, desa_choices=ats_outcomes.desa_choices(db.session, action))


@bp.route("/progress/<int:update_id>/correct", methods=["GET", "POST"])
@login_required
def correct_progress(update_id: int):
    original = get_or_404(ProgressUpdate, update_id)
    if original.action.deleted_at is not None:
        abort(404)
    require(permissions.can_correct_update(current_user, original))
    form = CorrectionForm(obj=original if request.method == "GET" else None)
    if request.method == "GET":
        form.period.data = original.period
    outcome_rows = (ats_outcomes.raw_rows(request.form) if request.method == "POST"
                    else ats_outcomes.rows_of(ats_outcomes.outcomes_by_update(db.session, [original.id])
                                              .get(original.id, [])))
    if form.validate_on_submit() and _save_report(form, original.action, outcome_rows, lambda: (
            progress_service.correct_progress_update(
                db.session, original, current_user, _progress_input(form), form.reason.data, utcnow(),
                current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"]))):
        flash(_("Koreksi tersimpan. Laporan lama tetap terlihat sebagai riwayat."), "success")
        return redirect(url_for("actions.detail", action_id=original.action_id))
    return render_template("actions/progress_form.html", form=form, multipart=True,
                           title=_("Koreksi laporan %(month)s", month=original.period.strftime("%m/%Y")),
                           cancel_url=url_for("actions.detail", action_id=original.action_id),
                           outcome_rows=outcome_rows,
                           desa_choices=ats_outcomes.desa_choices(db.session, original.action))


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
