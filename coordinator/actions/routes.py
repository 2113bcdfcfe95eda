from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from coordinator.actions import budget, listing
from coordinator.actions import progress as progress_service
from coordinator.actions.blueprint import bp
from coordinator.actions.exports import export_actions
from coordinator.actions.forms import ActionForm, MilestoneForm, OverrideForm
from coordinator.actions.status import load_action_facts, status_of
from coordinator.ats import outcomes as ats_outcomes
from coordinator.ats import pages as ats_pages
from coordinator.ats.charts import action_band, trend_chart
from coordinator.core import choices, permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.core.formatting import current_locale
from coordinator.discussion import service as discussion
from coordinator.extensions import db
from coordinator.meetings import queries as meeting_queries
from coordinator.models import REVIEW_RETURNED, Action, Indicator, Milestone, ProgressUpdate
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
    current = db.session.scalars(db.select(ProgressUpdate).where(
        ProgressUpdate.agency_id == current_user.agency_id, ProgressUpdate.superseded_at.is_(None),
        ProgressUpdate.action_id.in_([r.action.id for r in rows])).order_by(ProgressUpdate.period)).all()
    reported = {u.action_id: u for u in current if u.period == this_month}
    returned = [u for u in current if u.review_status == REVIEW_RETURNED]  # to correct, whatever the month
    follow_ups, _total = meeting_queries.follow_up_page(db.session, current_user, meeting_queries.FollowUpFilter(
        agency_id=current_user.agency_id, status="belum_selesai"), wita_today(now), 1)
    indicators = db.session.scalars(db.select(Indicator).where(  # the ones this agency reports values for
        Indicator.owner_agency_id == current_user.agency_id, Indicator.deleted_at.is_(None),
        Indicator.ats_metric.is_(None)).options(selectinload(Indicator.all_values)).order_by(Indicator.code)).all()
    return render_template("actions/mine.html", rows=rows, reported=reported, this_month=this_month,
                           returned=returned, follow_ups=follow_ups, today=wita_today(now), indicators=indicators)


def _action_form(action: Action | None) -> ActionForm:
    form = ActionForm(obj=action)
    if action is None:
        del form.due_reason  # a new action has no date to move yet
    elif request.method == "GET":
        form.due_reason.data = ""  # the last move's reason is in the history, not a default for the next
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
            due_reason=form.due_reason.data if action is not None else None,
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
            history=history_for(db.session, "action", action.id), override_form=_override_form(action, blank=True),
            outcome_sums=ats_outcomes.sums_for_action(db.session, action.id),
            outcomes_by_update=ats_outcomes.outcomes_by_update(db.session, [u.id for u in updates]),
            funding=choices.funding_labels(db.session, current_locale()),
            percent=next((u.percent_complete for u in updates if u.is_current), None),
            can_report=permissions.can_report_progress(current_user, action),
            can_complete=permissions.can_complete_action(current_user, action),
        )

    can_comment = permissions.can_comment(current_user, action)
    return render_template("actions/detail.html", action=action, content=cached_content("actions/_detail.html", build),
                           thread=discussion.thread(db.session, action.id), can_comment=can_comment,
                           comment_about=discussion.report_choices(db.session, action.id) if can_comment else [])


def _override_form(action: Action, blank: bool = False) -> OverrideForm:
    form = OverrideForm(formdata=None) if blank else OverrideForm()
    form.merged_into_id.choices = [(0, _("— tidak digabung —"))] + [
        (aid, f"{code} {title}"[:120]) for aid, code, title in db.session.execute(
            db.select(Action.id, Action.code, Action.title).where(Action.deleted_at.is_(None), Action.id != action.id)
            .order_by(Action.code))]
    if blank:
        form.merged_into_id.data = action.merged_into_id or 0
    return form


@bp.route("/actions/<int:action_id>/override", methods=["POST"])
@role_required(permissions.can_edit_plan)
def override(action_id: int):
    action = get_or_404(Action, action_id)
    form = _override_form(action)
    if form.validate_on_submit():
        try:
            plan_service.set_override(db.session, action, form.status.data or None, form.reason.data,
                                      form.merged_into_id.data or None)
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
    if milestone is None:
        del form.due_reason
    elif request.method == "GET":
        form.due_reason.data = ""
    if form.validate_on_submit():
        try:
            plan_service.save_milestone(db.session, milestone, action, {
                "title": form.title.data, "due_date": form.due_date.data, "state": form.state.data,
                "completed_on": form.completed_on.data,
                "due_reason": form.due_reason.data if milestone is not None else None}, utcnow())
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
