from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from coordinator.accounts import users as accounts
from coordinator.accounts.blueprint import bp
from coordinator.accounts.forms import AccountForm, LoginForm, PasswordForm
from coordinator.accounts.limits import count
from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.web.routing import safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("monitor.home"))
    form = LoginForm()
    status = 200
    cfg = current_app.config
    if request.method == "POST":
        # Every post counts, right or wrong: this bounds the password hashing one address can cause. The
        # failures per account and per address below are the guard against guessing.
        hit = count("login-ip", request.remote_addr, cfg["LOGIN_IP_LIMIT"], 60 * int(cfg["LOGIN_IP_WINDOW_MINUTES"]))
        if not hit.allowed:
            form.form_errors.append(_("Terlalu banyak percobaan masuk dari alamat jaringan ini. Coba lagi dalam "
                                      "%(m)d menit.", m=hit.retry_minutes))
            return render_template("accounts/login.html", form=form), 429
    if form.validate_on_submit():
        now = utcnow()
        email = accounts.normalise_email(form.email.data)
        if accounts.is_throttled(db.session, email, request.remote_addr, now, cfg["LOGIN_MAX_FAILURES"],
                                 cfg["LOGIN_LOCK_MINUTES"]):
            form.form_errors.append(_("Terlalu banyak percobaan gagal. Coba lagi dalam %(m)d menit.",
                                      m=cfg["LOGIN_LOCK_MINUTES"]))
            status = 429
        else:
            user = accounts.authenticate(db.session, email, form.password.data, request.remote_addr, now,
                                         user_agent=request.user_agent.string)
            db.session.commit()
            if user:
                login_user(user, remember=form.remember.data)
                session.pop("lang", None)
                return redirect(safe_next(request.args.get("next"), url_for("monitor.home")))
            form.form_errors.append(_("Email atau kata sandi salah."))
            status = 200
    elif request.method == "POST":
        status = 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Rotating the token ends this user's sessions on every other device too.
    accounts.end_other_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("Anda sudah keluar."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/language/<lang>")
def set_language(lang: str):
    if lang not in ("id", "en"):
        return redirect(url_for("accounts.login"))
    # Only the browser session: a signed-in user's saved language changes on the account page (a POST).
    session["lang"] = lang
    return redirect(safe_next(request.args.get("next"), url_for("monitor.home")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = AccountForm(obj=current_user, prefix="p")
    password = PasswordForm(prefix="pw")
    if request.method == "POST" and "p-submit" in request.form and profile.validate():
        current_user.name = profile.name.data.strip()
        current_user.locale = profile.locale.data
        db.session.commit()
        flash(_("Profil disimpan."), "success")
        return redirect(url_for("accounts.account"))
    if request.method == "POST" and "pw-submit" in request.form:
        if password.validate():
            if not current_user.check_password(password.current.data):
                password.current.errors.append(_("Kata sandi sekarang salah."))
            else:
                current_user.set_password(password.new.data)  # also rotates the session token
                db.session.commit()
                login_user(current_user)
                flash(_("Kata sandi diganti. Sesi di perangkat lain sudah diakhiri."), "success")
                return redirect(url_for("accounts.account"))
    elif request.method == "POST" and "p-submit" not in request.form:
        profile.validate()
    return render_template("accounts/account.html", profile=profile, password=password)
