from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select

from coordinator.core import choices, permissions
from coordinator.core.audit import history_of_types
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Action, Pillar, Plan, Program
from coordinator.plan import editing as plan_service
from coordinator.plan.blueprint import bp
from coordinator.plan.forms import PillarForm, PlanForm, ProgramForm
from coordinator.web.routing import apply_domain_error, get_or_404, role_required


def _form_page(form, title, cancel_url, status=200):
    return render_template("form_page.html", form=form, title=title, cancel_url=cancel_url), status


@bp.route("/plan")
@login_required
def overview():
    plan = plan_service.current_plan(db.session)
    counts = dict(db.session.execute(
        select(Action.program_id, func.count()).where(Action.deleted_at.is_(None)).group_by(Action.program_id)
    ).all())
    history = history_of_types(db.session, ("plan", "pillar", "program"), limit=50) if plan else []
    return render_template("plan/overview.html", plan=plan, counts=counts, history=history)


@bp.route("/plan/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit_plan():
    plan = plan_service.current_plan(db.session)
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        try:
            plan_service.save_plan(db.session, plan, {k: form[k].data for k in form.data if k != "csrf_token"})
            db.session.commit()
            flash(_("Rencana aksi disimpan."), "success")
            return redirect(url_for("plan.overview"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _form_page(form, _("Ubah rencana aksi"), url_for("plan.overview"))


def _plan_or_404() -> Plan:
    plan = plan_service.current_plan(db.session)
    if plan is None:
        abort(404)
    return plan


@bp.route("/pillars/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new_pillar():
    plan = _plan_or_404()
    return _pillar_form(None, plan)


@bp.route("/pillars/<int:pillar_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit_pillar(pillar_id: int):
    pillar = get_or_404(Pillar, pillar_id)
    return _pillar_form(pillar, pillar.plan)


def _pillar_form(pillar, plan):
    form = PillarForm(obj=pillar)
    if form.validate_on_submit():
        try:
            plan_service.save_pillar(db.session, pillar, plan, {
                "number": form.number.data, "name": form.name.data.strip(), "description": form.description.data})
            db.session.commit()
            flash(_("Pilar disimpan."), "success")
            return redirect(url_for("plan.overview"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _form_page(form, _("Ubah pilar") if pillar else _("Pilar baru"), url_for("plan.overview"))


@bp.route("/pillars/<int:pillar_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete_pillar(pillar_id: int):
    pillar = get_or_404(Pillar, pillar_id)
    try:
        plan_service.delete_pillar(db.session, pillar)
        db.session.commit()
        flash(_("Pilar dihapus."), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(url_for("plan.overview"))


@bp.route("/programs/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new_program():
    _plan_or_404()
    return _program_form(None)


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit_program(program_id: int):
    return _program_form(get_or_404(Program, program_id))


def _program_form(program):
    form = ProgramForm(obj=program)
    form.pillar_id.choices = choices.pillar_choices(db.session)
    if request.method == "GET" and program is None and request.args.get("pillar", "").isdigit():
        form.pillar_id.data = int(request.args["pillar"])
    if form.validate_on_submit():
        try:
            plan_service.save_program(db.session, program, {
                "pillar_id": form.pillar_id.data, "code": form.code.data.strip(), "name": form.name.data.strip()})
            db.session.commit()
            flash(_("Program disimpan."), "success")
            return redirect(url_for("plan.overview"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _form_page(form, _("Ubah program") if program else _("Program baru"), url_for("plan.overview"))


@bp.route("/programs/<int:program_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete_program(program_id: int):
    program = get_or_404(Program, program_id)
    try:
        plan_service.delete_program(db.session, program)
        db.session.commit()
        flash(_("Program dihapus."), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(url_for("plan.overview"))
