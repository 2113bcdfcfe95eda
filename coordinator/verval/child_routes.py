"""One child's record (masked, opened in full for a stated reason), a verifier's finding, linking a child to an
action and a case's outcome. The list and the helpers are in children_routes.py."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coordinator.core import permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import LIST_VERVAL_REASON, LIST_VERVAL_STATUS, STATUS_VALID_ATS, Action, Child, ChildCase
from coordinator.verval.blueprint import bp
from coordinator.verval.child_data import key_from_config, mask_date, mask_name
from coordinator.verval.children_forms import DISABILITY_VALUE, LinkCaseForm, OutcomeForm, RevealForm, VerifyForm
from coordinator.verval.children_routes import (
    _back_desa,
    _choices,
    _ip,
    _labels,
    _log,
    _outcome_labels,
    _refuse,
    _sex_labels,
    _visible_child,
    _willing_labels,
    child_list_users,
    coordinators_only,
)
from coordinator.verval.disclosure import reveal_child
from coordinator.verval.verification import (
    OutcomeInput,
    VerificationInput,
    can_record_outcome,
    can_see_child,
    can_verify_child,
    link_case,
    record_outcome,
    record_verification,
)
from coordinator.web.routing import apply_domain_error, get_or_404, require

# One child ----------------------------------------------------------------------------------------------------

def _child_page(child: Child, revealed: bool, reveal_form: RevealForm | None = None) -> str:
    nik = None
    if revealed and child.erased_at is None:
        nik = key_from_config(current_app.config).decrypt(child.nik_encrypted)
    link_form = None
    if permissions.can_manage_verval(current_user) and child.status == STATUS_VALID_ATS and child.erased_at is None:
        linked = {c.action_id for c in child.cases}
        link_form = LinkCaseForm()
        link_form.action_id.choices = [
            (a.id, f"{a.code} – {a.title}") for a in db.session.scalars(
                select(Action).where(Action.deleted_at.is_(None)).order_by(Action.code)) if a.id not in linked]
    return render_template(
        "verval/child.html", child=child, nik=nik, revealed=revealed and child.erased_at is None,
        reveal_form=reveal_form or RevealForm(formdata=None), back_desa=_back_desa(), mask_date=mask_date,
        mask_name=mask_name, status_labels=_labels(LIST_VERVAL_STATUS), reason_labels=_labels(LIST_VERVAL_REASON),
        willing_labels=_willing_labels(), outcome_labels=_outcome_labels(), sex_labels=_sex_labels(),
        can_verify=can_verify_child(db.session, current_user, child),
        outcome_allowed={c.id for c in child.cases if can_record_outcome(db.session, current_user, c)},
        link_form=link_form)


@bp.route("/anak/<int:child_id>")
@child_list_users
def child(child_id: int):
    """The record masked: who the child is and where, not the identifiers (RevealForm opens them)."""
    child = _visible_child(child_id)
    _log("view", child_id=child.id)
    db.session.commit()
    return _child_page(child, revealed=False)


@bp.route("/anak/<int:child_id>/buka", methods=["POST"])
@child_list_users
def reveal(child_id: int):
    """The full NIK, NISN, birth date and mother's name of one child, for a stated reason; throttled per user."""
    child = _visible_child(child_id)
    form = RevealForm()
    if child.erased_at is not None:
        return redirect(url_for("verval.child", child_id=child.id))
    if not form.validate_on_submit():
        return _child_page(child, revealed=False, reveal_form=form)
    outcome = reveal_child(db.session, user=current_user, child_id=child.id, reason=form.reason.data,
                           note=form.note.data, now=utcnow(), limit=int(current_app.config["CHILD_REVEALS_PER_HOUR"]),
                           ip=_ip(), log_url=url_for("verval.access_log", _external=True))
    db.session.commit()
    if not outcome.allowed:
        flash(_("Batas pembukaan data lengkap tercapai: %(n)d anak dalam satu jam. Coba lagi nanti; admin sudah "
                "diberi tahu.", n=outcome.limit), "error")
        return redirect(url_for("verval.child", child_id=child.id))
    return _child_page(child, revealed=True)


# A verifier's finding -----------------------------------------------------------------------------------------

@bp.route("/anak/<int:child_id>/verifikasi", methods=["GET", "POST"])
@child_list_users
def verify(child_id: int):
    child = _visible_child(child_id)
    require(can_verify_child(db.session, current_user, child))
    now = utcnow()
    today = wita_today(now)
    form = VerifyForm()
    # No finding is preselected: the verifier picks one on purpose, even when re-verifying.
    form.status.choices = [("", _("— pilih hasil —"))] + _choices(LIST_VERVAL_STATUS)
    form.reason.choices = [("", _("— tidak ada / bukan ATS valid —"))] + _choices(LIST_VERVAL_REASON)
    if request.method == "GET":
        form.verified_on.data = today
    back_desa = _back_desa()
    if form.validate_on_submit():
        data = VerificationInput(
            status=form.status.data, reason=form.reason.data or None,
            willing_to_return=form.willing_to_return.data or None,
            disability=DISABILITY_VALUE.get(form.disability.data), notes=form.notes.data or None,
            verified_on=form.verified_on.data)
        try:
            record_verification(db.session, child, data, current_user.id, now, today=today)
            _log("edit", child_id=child.id, detail=f"verifikasi: {data.status}")
            db.session.commit()
            flash(_("Hasil verifikasi disimpan."), "success")
            return redirect(url_for("verval.children", **({"desa": back_desa} if back_desa else {})))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    elif request.method == "GET":
        _log("view", child_id=child.id, detail="formulir verifikasi")
        db.session.commit()
    return render_template("verval/verify.html", form=form, child=child, back_desa=back_desa,
                           status_labels=_labels(LIST_VERVAL_STATUS), sex_labels=_sex_labels())


# Cases --------------------------------------------------------------------------------------------------------

@bp.route("/anak/<int:child_id>/kasus", methods=["POST"], endpoint="link_case")
@coordinators_only
def link_case_route(child_id: int):
    child = get_or_404(Child, child_id)
    back = url_for("verval.child", child_id=child.id)
    form = LinkCaseForm()
    form.action_id.choices = [(a_id, "") for a_id in db.session.scalars(
        select(Action.id).where(Action.deleted_at.is_(None)))]
    if not form.validate_on_submit():
        flash(_("Pilih aksi yang masih berjalan untuk menangani anak ini."), "error")
        return redirect(back)
    action = db.session.get(Action, form.action_id.data)
    if action is None or action.deleted_at is not None:
        flash(_("Aksi tidak dikenal."), "error")
        return redirect(back)
    try:
        link_case(db.session, child, action, utcnow(), current_user.id)
        _log("edit", child_id=child.id, detail=f"kasus: aksi {action.code}")
        db.session.commit()
        flash(_("Anak dihubungkan ke aksi %(code)s.", code=action.code), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(back)


@bp.route("/kasus/<int:case_id>", methods=["GET", "POST"])
@child_list_users
def case_outcome(case_id: int):
    case_row = get_or_404(ChildCase, case_id)
    child = case_row.child
    if not can_see_child(db.session, current_user, child):
        _refuse(child.id)
    require(can_record_outcome(db.session, current_user, case_row))
    now = utcnow()
    # The saved values fill the form only on GET: a POST carries everything it means to save (an empty POST
    # is refused, it does not re-save the current values).
    form = OutcomeForm(obj=case_row if request.method == "GET" else None)
    if form.validate_on_submit():
        data = OutcomeInput(outcome=form.outcome.data, outcome_date=form.outcome_date.data,
                            school_npsn=form.school_npsn.data or None, institution=form.institution.data or None,
                            notes=form.notes.data or None)
        try:
            record_outcome(db.session, case_row, data, now, today=wita_today(now))
            _log("edit", child_id=child.id, detail=f"hasil kasus {case_row.action.code}: {data.outcome}")
            db.session.commit()
            flash(_("Hasil penanganan disimpan."), "success")
            return redirect(url_for("verval.child", child_id=child.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    elif request.method == "GET":
        _log("view", child_id=child.id, detail="formulir hasil kasus")
        db.session.commit()
    return render_template("verval/case.html", form=form, case=case_row, child=child, sex_labels=_sex_labels())
