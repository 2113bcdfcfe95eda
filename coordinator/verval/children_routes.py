"""The children's pages: the list (masked by default), one child's record, a verifier's finding, linking a child
to an action and a case's outcome.

Every check is on the server: a child the user may not see answers 404 like an unknown id, and the attempt is
written to the access log (UU 27/2022); every view of a child's record and every change is logged as well.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select

from coordinator.core import permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.core.formatting import current_locale
from coordinator.extensions import db
from coordinator.models import (
    LIST_VERVAL_REASON,
    LIST_VERVAL_STATUS,
    STATUS_VALID_ATS,
    Action,
    Area,
    Child,
    ChildCase,
    ReferenceItem,
)
from coordinator.verval.blueprint import bp
from coordinator.verval.child_data import ascii_digits, key_from_config, mask_date, mask_name
from coordinator.verval.children_forms import (
    DISABILITY_VALUE,
    OUTCOME_CHOICES,
    WILLING_CHOICES,
    LinkCaseForm,
    OutcomeForm,
    VerifyForm,
)
from coordinator.verval.verification import (
    OutcomeInput,
    VerificationInput,
    can_record_outcome,
    can_see_child,
    can_verify_child,
    link_case,
    list_codes,
    log_access,
    record_outcome,
    record_verification,
    verifier_desa,
    visible_children,
)
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require, role_required

PER_PAGE = 25
NIK_LEN = 16
UNVERIFIED = "belum"

child_list_users = role_required(permissions.can_open_child_list)
coordinators_only = role_required(permissions.can_manage_verval)


# Helpers ------------------------------------------------------------------------------------------------------

def _ip() -> str | None:
    return request.remote_addr


def _log(action: str, child_id: int | None = None, detail: str | None = None) -> None:
    log_access(db.session, user_id=current_user.id, action=action, now=utcnow(), child_id=child_id, detail=detail,
               ip=_ip())


def _visible_child(child_id: int) -> Child:
    """The child, or 404 – for an unknown id and for a child the user may not see (that attempt is logged)."""
    child = get_or_404(Child, child_id)
    if not can_see_child(db.session, current_user, child):
        _refuse(child.id)
    return child


def _refuse(child_id: int) -> None:
    _log("refused", child_id=child_id, detail=request.path)
    db.session.commit()
    abort(404)


def _labels(list_name: str) -> dict[str, str]:
    """code -> label in the user's language, deactivated items included (old findings keep their label)."""
    english = current_locale().startswith("en")
    rows = db.session.execute(select(ReferenceItem.code, ReferenceItem.label_id, ReferenceItem.label_en)
                              .where(ReferenceItem.list_name == list_name))
    return {code: (label_en or label_id) if english else label_id for code, label_id, label_en in rows}


def _choices(list_name: str, keep: str | None = None) -> list[tuple[str, str]]:
    english = current_locale().startswith("en")
    return [(code, (label_en or label_id) if english else label_id)
            for code, label_id, label_en in list_codes(db.session, list_name, keep)]


def _desa_options() -> list[tuple[str, str, str]]:
    """(kode, desa, kecamatan) of the desa whose children the user sees (a verifier: also their empty desa)."""
    kodes = set(db.session.scalars(visible_children(db.session, current_user)
                                   .with_only_columns(Child.desa_kode).distinct()))
    if current_user.is_verifier:
        kodes |= verifier_desa(db.session, current_user.id)
    if not kodes:
        return []
    areas = db.session.scalars(select(Area).where(Area.kode.in_(kodes)).order_by(Area.parent_kode, Area.nama))
    return [(a.kode, a.nama, a.parent.nama if a.parent else "") for a in areas]


def _sex_labels() -> dict[str, str]:
    return {"L": _("Laki-laki"), "P": _("Perempuan")}


def _willing_labels() -> dict[str, str]:
    return {code: str(label) for code, label in WILLING_CHOICES if code}


def _outcome_labels() -> dict[str, str]:
    return {code: str(label) for code, label in OUTCOME_CHOICES}


def _back_desa() -> str | None:
    """The desa filter of the list the user came from, carried along so that saving returns to it."""
    desa = (request.args.get("desa") or "").strip()[:20]
    return desa or None


# The list -----------------------------------------------------------------------------------------------------

@bp.route("/anak")
@child_list_users
def children():
    options = _desa_options()
    offered = {kode for kode, _n, _k in options}
    desa = (request.args.get("desa") or "").strip()
    desa = desa if desa in offered else None
    status_labels = _labels(LIST_VERVAL_STATUS)
    status = (request.args.get("status") or "").strip()
    status = status if status == UNVERIFIED or status in status_labels else None
    q = (request.args.get("q") or "").strip()[:100] or None
    nik = ascii_digits("".join((request.args.get("nik") or "").split())[:40]) or None
    nik_invalid = nik is not None and not (len(nik) == NIK_LEN and nik.isascii() and nik.isdigit())
    show_names = request.args.get("names") == "1"

    stmt = visible_children(db.session, current_user)
    if desa:
        stmt = stmt.where(Child.desa_kode == desa)
    if status == UNVERIFIED:
        stmt = stmt.where(Child.status.is_(None))
    elif status:
        stmt = stmt.where(Child.status == status)
    if q:
        stmt = stmt.where(func.lower(Child.nama).contains(q.lower(), autoescape=True))
    if nik:
        # Only an exact NIK, through its keyed hash: the NIK itself is not stored readable, and a partial
        # NIK must not let anyone probe the list.
        key = key_from_config(current_app.config)
        stmt = stmt.where(Child.nik_hash == key.nik_hash(nik), Child.erased_at.is_(None)) if not nik_invalid \
            else stmt.where(Child.id.is_(None))

    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(max(int_arg("page", 1) or 1, 1), pages)
    rows = list(db.session.scalars(
        stmt.order_by(case((Child.status.is_(None), 0), else_=1), Child.dusun, Child.rw, Child.rt, Child.nama,
                      Child.id)
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))

    args = {k: v for k, v in (("desa", desa), ("status", status), ("q", q), ("nik", nik)) if v}
    if show_names:
        named = sum(1 for c in rows if c.erased_at is None)
        where = next((n for k, n, _kec in options if k == desa), None) if desa else None
        # The log is a record for the data protection officer: always in Indonesian, never translated.
        _log("view_list", detail=f"nama lengkap, {named} anak, desa {where or 'semua yang terlihat'}")
        db.session.commit()
    return render_template(
        "verval/children.html", rows=rows, total=total, page=page, pages=pages, args=args,
        pager_args=dict(args, names="1") if show_names else args, show_names=show_names, options=options,
        desa=desa, status=status, q=q, nik=nik, nik_invalid=nik_invalid, status_labels=status_labels,
        status_choices=_choices(LIST_VERVAL_STATUS), sex_labels=_sex_labels(), mask_date=mask_date,
        mask_name=mask_name, filtered=bool(args))


# One child ----------------------------------------------------------------------------------------------------

@bp.route("/anak/<int:child_id>")
@child_list_users
def child(child_id: int):
    child = _visible_child(child_id)
    _log("view", child_id=child.id)
    db.session.commit()
    nik = key_from_config(current_app.config).decrypt(child.nik_encrypted) if child.erased_at is None else None
    link_form = None
    if permissions.can_manage_verval(current_user) and child.status == STATUS_VALID_ATS and child.erased_at is None:
        linked = {c.action_id for c in child.cases}
        link_form = LinkCaseForm()
        link_form.action_id.choices = [
            (a.id, f"{a.code} – {a.title}") for a in db.session.scalars(
                select(Action).where(Action.deleted_at.is_(None)).order_by(Action.code)) if a.id not in linked]
    return render_template(
        "verval/child.html", child=child, nik=nik, back_desa=_back_desa(),
        status_labels=_labels(LIST_VERVAL_STATUS), reason_labels=_labels(LIST_VERVAL_REASON),
        willing_labels=_willing_labels(), outcome_labels=_outcome_labels(), sex_labels=_sex_labels(),
        can_verify=can_verify_child(db.session, current_user, child),
        outcome_allowed={c.id for c in child.cases if can_record_outcome(db.session, current_user, c)},
        link_form=link_form)


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
