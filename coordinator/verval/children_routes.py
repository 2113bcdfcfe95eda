"""The children's list (masked by default) and its search; the helpers the children's pages share
(child_routes.py holds one child's record, the verifier's finding and the cases).

Every check is on the server: a child the user may not see answers 404 like an unknown id, and the attempt is
written to the access log (UU 27/2022); every view of a child's record and every change is logged as well.
A search by name or NIK is posted, never put in the URL (access logs, browser history): the form stores it in the
signed session cookie (the NIK only as its keyed hash) and the list shows it while `cari=1` is in the URL.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.formatting import current_locale
from coordinator.extensions import db
from coordinator.models import (
    LIST_VERVAL_STATUS,
    Area,
    Child,
    ReferenceItem,
)
from coordinator.verval.blueprint import bp
from coordinator.verval.child_data import ascii_digits, key_from_config, mask_date, mask_name
from coordinator.verval.children_forms import OUTCOME_CHOICES, WILLING_CHOICES, ChildSearchForm
from coordinator.verval.disclosure import log_search
from coordinator.verval.verification import can_see_child, list_codes, log_access, verifier_desa, visible_children
from coordinator.web.routing import get_or_404, int_arg, role_required

PER_PAGE = 25
NIK_LEN = 16
UNVERIFIED = "belum"
SEARCH = "verval_search"  # the session key of the posted search

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

def _search() -> dict | None:
    """The posted search, while the list is opened with cari=1."""
    found = session.get(SEARCH) if request.args.get("cari") == "1" else None
    return found if isinstance(found, dict) else None


def _searched(stmt, search: dict | None):  # type: ignore[no-untyped-def]
    if not search:
        return stmt
    if search.get("q"):
        stmt = stmt.where(func.lower(Child.nama).contains(str(search["q"]).lower(), autoescape=True))
    if search.get("nik_invalid"):
        stmt = stmt.where(Child.id.is_(None))
    elif search.get("nik_hash"):
        # Only an exact NIK, through its keyed hash: the NIK itself is not stored readable, and a partial
        # NIK must not let anyone probe the list.
        stmt = stmt.where(Child.nik_hash == search["nik_hash"], Child.erased_at.is_(None))
    return stmt


def _filters() -> tuple[list[tuple[str, str, str]], str | None, dict[str, str], str | None]:
    options = _desa_options()
    desa = (request.args.get("desa") or "").strip()
    desa = desa if desa in {kode for kode, _n, _k in options} else None
    status_labels = _labels(LIST_VERVAL_STATUS)
    status = (request.args.get("status") or "").strip()
    status = status if status == UNVERIFIED or status in status_labels else None
    return options, desa, status_labels, status


@bp.route("/anak", methods=["GET", "POST"])
@child_list_users
def children():
    options, desa, status_labels, status = _filters()
    filters = {k: v for k, v in (("desa", desa), ("status", status)) if v}
    form = ChildSearchForm()
    if request.method == "POST":
        if not form.validate_on_submit():  # too long a text, or no CSRF token: said, and nothing searched
            errors = [str(e) for errs in form.errors.values() for e in errs]
            flash(_("Pencarian tidak dijalankan: %(why)s", why="; ".join(errors[:2])), "error")
            return redirect(url_for("verval.children", **filters))
        q = (form.q.data or "").strip()[:100] or None
        nik = ascii_digits("".join((form.nik.data or "").split())[:40]) or None
        nik_invalid = nik is not None and not (len(nik) == NIK_LEN and nik.isascii() and nik.isdigit())
        if not q and not nik:
            session.pop(SEARCH, None)
            return redirect(url_for("verval.children", **filters))
        search = {"q": q, "nik_invalid": nik_invalid,
                  "nik_hash": key_from_config(current_app.config).nik_hash(nik) if nik and not nik_invalid else None}
        session[SEARCH] = search
        stmt = _searched(visible_children(db.session, current_user), search)
        if desa:
            stmt = stmt.where(Child.desa_kode == desa)
        matched = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        log_search(db.session, user_id=current_user.id, matched=matched, now=utcnow(), ip=_ip(),
                   by=" dan ".join(w for w, given in (("nama", q), ("NIK", nik)) if given))
        db.session.commit()
        return redirect(url_for("verval.children", cari=1, **filters))

    search = _search()
    show_names = request.args.get("names") == "1"
    stmt = _searched(visible_children(db.session, current_user), search)
    if desa:
        stmt = stmt.where(Child.desa_kode == desa)
    if status == UNVERIFIED:
        stmt = stmt.where(Child.status.is_(None))
    elif status:
        stmt = stmt.where(Child.status == status)

    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(max(int_arg("page", 1) or 1, 1), pages)
    rows = list(db.session.scalars(
        stmt.order_by(case((Child.status.is_(None), 0), else_=1), Child.dusun, Child.rw, Child.rt, Child.nama,
                      Child.id)
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))

    args = dict(filters, **({"cari": "1"} if search else {}))
    if show_names:
        named = sum(1 for c in rows if c.erased_at is None)
        where = next((n for k, n, _kec in options if k == desa), None) if desa else None
        # The log is a record for the data protection officer: always in Indonesian, never translated.
        _log("view_list", detail=f"nama lengkap, {named} anak, desa {where or 'semua yang terlihat'}")
        db.session.commit()
    if search and search.get("q") and request.method == "GET":
        form.q.data = search["q"]  # the NIK is never written back into the page
    return render_template(
        "verval/children.html", rows=rows, total=total, page=page, pages=pages, args=args, filters=filters,
        pager_args=dict(args, names="1") if show_names else args, show_names=show_names, options=options,
        desa=desa, status=status, search=search, form=form, nik_invalid=bool(search and search.get("nik_invalid")),
        status_labels=status_labels, status_choices=_choices(LIST_VERVAL_STATUS), sex_labels=_sex_labels(),
        mask_date=mask_date, mask_name=mask_name, filtered=bool(args))
