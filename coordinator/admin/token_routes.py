"""Admin: personal API tokens for /api/v1. The secret is shown once, on the page that answers the POST
that made it: never in a redirect, a flash (the cookie session) or any later page."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coordinator.accounts import api_tokens as token_service
from coordinator.admin.blueprint import bp
from coordinator.admin.forms import ROLE_LABELS
from coordinator.admin.token_forms import ApiTokenForm
from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import ApiToken, User
from coordinator.web.routing import apply_domain_error, get_or_404, role_required

manage_tokens = role_required(permissions.can_manage_api_tokens)


def _form() -> ApiTokenForm:
    form = ApiTokenForm()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    form.user_id.choices = [(u.id, f"{u.name} <{u.email}> · {ROLE_LABELS.get(u.role, u.role)}") for u in users]
    return form


def _page(form: ApiTokenForm, secret: str | None = None, created: ApiToken | None = None, status: int = 200):
    tokens = token_service.list_tokens(db.session)
    response = render_template("admin/api_tokens.html", form=form, tokens=tokens, secret=secret, created=created,
                               now=utcnow())
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@manage_tokens
def api_tokens():
    form = _form()
    if form.validate_on_submit():
        try:
            expires = token_service.expiry_of(form.expires_on.data)
            token, secret = token_service.create_token(db.session, form.user_id.data, form.name.data or "", expires,
                                                    current_user.id, utcnow())
            db.session.commit()
            # Rendered, not redirected: the secret lives only in this response.
            blank = ApiTokenForm(formdata=None)
            blank.user_id.choices = form.user_id.choices
            return _page(blank, secret=secret, created=token)
        except DomainError as err:
            db.session.rollback()
            if err.field == "expires_at":  # the service's name for what the form calls expires_on
                err.field = "expires_on"
            apply_domain_error(form, err)
    return _page(form)


@bp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["POST"])
@manage_tokens
def api_token_revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    token_service.revoke_token(db.session, token, current_user.id, utcnow())
    db.session.commit()
    flash(_("Token %(name)s dicabut.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens"))
