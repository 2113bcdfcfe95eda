"""Forgotten password: ask for a link by email, then choose a new password through it.

The request page answers the same whatever the address (no account enumeration), and in the same time: before
the answer it only counts the request against its rate limits, which is the same work for every address.
Everything that depends on the address having an account (the lookup, the login-history row, the link, its
email recorded in the outbox in one transaction, and sending it) runs right after the answer has gone out
(`call_on_close`), so neither the answer's content nor its timing depends on the account or on SMTP; if the
mail server does not answer, the scheduler's outbox run retries the email.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from coordinator.accounts import password_reset
from coordinator.accounts import users as accounts
from coordinator.accounts.blueprint import bp
from coordinator.accounts.forms import ForgotPasswordForm, NewPasswordForm, put_password_error
from coordinator.accounts.limits import count
from coordinator.core import audit
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.notifications import outbox
from coordinator.notifications.mailer import SmtpMailer
from coordinator.reminders.kinds import DEFAULT_BASE_URL

log = logging.getLogger(__name__)
HOUR = 3600


def _private(body: str, status: int) -> ResponseReturnValue:
    """The secret is in the URL: no cache keeps the page, and no Referer carries the URL anywhere."""
    return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _after_the_answer(app: Flask, email: str, now: datetime, ip: str | None, user_agent: str | None) -> None:
    """The link and its email for an active account with this address (nothing else for any other address),
    committed, then sent at once."""
    with app.app_context():
        cfg = app.config
        try:
            result = password_reset.request_reset(
                db.session, email, now=now, ip=ip, user_agent=user_agent,
                base_url=str(cfg.get("BASE_URL") or DEFAULT_BASE_URL),
                lifetime=timedelta(minutes=int(cfg["PASSWORD_RESET_TOKEN_MINUTES"])))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("password reset request: recording it failed")
            return
        if result.message_id is None:
            return
        try:
            outbox.deliver_one(db.session, SmtpMailer(cfg), result.message_id, utcnow())
        except Exception:  # the message stays in the outbox; the scheduler's run sends it
            db.session.rollback()
            log.exception("password reset email %s: sending at once failed", result.message_id)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    if current_user.is_authenticated:  # a signed-in user changes the password on the account page
        return redirect(url_for("accounts.account"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        cfg = current_app.config
        email = accounts.normalise_email(form.email.data)
        # Counted per address whether or not an account has it, so a refusal tells nothing either.
        hit = count("reset-ip", request.remote_addr, cfg["PASSWORD_RESET_IP_LIMIT"], HOUR)
        if hit.allowed:
            hit = count("reset-email", email, cfg["PASSWORD_RESET_EMAIL_LIMIT"], HOUR)
        if not hit.allowed:
            form.form_errors.append(_("Terlalu banyak permintaan tautan. Coba lagi dalam %(m)d menit.",
                                      m=hit.retry_minutes))
            return render_template("accounts/forgot_password.html", form=form), 429
        minutes = int(cfg["PASSWORD_RESET_TOKEN_MINUTES"])
        flash(_("Jika alamat itu milik akun yang aktif, tautan untuk mengganti kata sandi sudah dikirim ke sana. "
                "Tautan berlaku %(m)d menit dan hanya dapat dipakai sekali. Periksa juga folder spam.", m=minutes),
              "success")
        response = redirect(url_for("accounts.login"))
        response.call_on_close(partial(_after_the_answer, current_app._get_current_object(),  # type: ignore[attr-defined]
                                       email, utcnow(), request.remote_addr, request.user_agent.string))
        return response
    return render_template("accounts/forgot_password.html", form=form)


def _invalid(verdict: str) -> ResponseReturnValue:
    messages = {
        password_reset.EXPIRED: _("Tautan ini sudah kedaluwarsa. Tautan hanya berlaku sebentar; mintalah tautan baru."),
        password_reset.USED: _("Tautan ini sudah dipakai. Setiap tautan hanya berlaku sekali; bila perlu, mintalah "
                               "tautan baru."),
        password_reset.VOID: _("Tautan ini tidak berlaku lagi: kata sandi akun sudah diganti atau akunnya "
                               "dinonaktifkan."),
    }
    message = messages.get(verdict, _("Tautan ini tidak dikenal. Pastikan Anda membuka tautan lengkap dari email, "
                                      "atau mintalah tautan baru."))
    status = 404 if verdict == password_reset.UNKNOWN else 410
    return _private(render_template("accounts/reset_invalid.html", message=message), status)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    cfg = current_app.config
    if request.method == "POST":
        hit = count("reset-form-ip", request.remote_addr, cfg["PASSWORD_RESET_FORM_IP_LIMIT"], HOUR)
        if not hit.allowed:
            message = _("Terlalu banyak percobaan dari alamat jaringan ini. Coba lagi dalam %(m)d menit.",
                        m=hit.retry_minutes)
            return _private(render_template("errors/error.html", code=429, message=message), 429)
    now = utcnow()
    check = password_reset.check_token(db.session, token, now)
    if not check.valid or check.token is None:
        db.session.rollback()
        return _invalid(check.verdict)
    user = check.token.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        audit.current_actor_id.set(user.id)  # the history shows the owner changing their password
        try:
            password_reset.complete_reset(db.session, token, form.new.data, now=now, ip=request.remote_addr,
                                          user_agent=request.user_agent.string)
            db.session.commit()
        except password_reset.InvalidLink as err:
            db.session.rollback()
            return _invalid(err.verdict)
        except DomainError as err:
            db.session.rollback()
            put_password_error(form, err)
        else:
            if current_user.is_authenticated and current_user.id == user.id:
                logout_user()  # its session token is no longer valid anyway: clear the cookie too
            flash(_("Kata sandi baru disimpan dan semua sesi akun ini sudah diakhiri. Silakan masuk dengan kata "
                    "sandi baru."), "success")
            return redirect(url_for("accounts.login"))
    return _private(render_template("accounts/reset_password.html", form=form, email=user.email), 200)
