"""Admin: the login history (sign-ins and password resets of every account)."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from coordinator.accounts import login_history
from coordinator.admin.blueprint import bp
from coordinator.core import permissions
from coordinator.extensions import db
from coordinator.models.user import ATTEMPT_LOGIN, ATTEMPT_RESET_DONE, ATTEMPT_RESET_REQUEST
from coordinator.web.routing import int_arg, role_required

view_logins = role_required(permissions.can_view_login_history)
KIND_LABELS = {
    ATTEMPT_LOGIN: _l("Masuk"),
    ATTEMPT_RESET_REQUEST: _l("Permintaan tautan kata sandi"),
    ATTEMPT_RESET_DONE: _l("Kata sandi diganti lewat tautan"),
}


@bp.route("/admin/logins")
@view_logins
def logins():
    f = login_history.LoginFilter(
        email=(request.args.get("email") or "").strip()[:200] or None,
        success={"1": True, "0": False}.get(request.args.get("result", "")),
        kind=request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None,
    )
    rows, total, pages, page = login_history.login_page(db.session, f, int_arg("page", 1) or 1,
                                                        current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/logins.html", rows=rows, total=total, pages=pages, page=page, args=args, f=f,
                           kind_labels=KIND_LABELS)
