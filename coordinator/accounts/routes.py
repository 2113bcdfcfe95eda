from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from coordinator.accounts import sessions
from coordinator.accounts import users as accounts
from coordinator.accounts.blueprint import bp
from coordinator.accounts.forms import AccountForm, LoginForm, PasswordForm, put_password_error
from coordinator.accounts.limits import count
from coordinator.core import audit
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.core.permissions import sees_children_data
from coordinator.extensions import db
from coordinator.web.routing import safe_next

# Requests that neither need nor prolong a signed-in session: files, the health check, the token-based calendar
# feeds and API; and signing out, which an ended session may still do (it ends the account's other sessions too).
API_PREFIX = "/api"
SESSIONLESS = {"static", "health.check", "calendar.feed", "accounts.logout"}


def _duration(minutes: int) -> str:
    if minutes and minutes % (24 * 60) == 0:
        return ngettext("%(num)d hari", "%(num)d hari", minutes // (24 * 60))
    if minutes and minutes % 60 == 0:
        return ngettext("%(num)d jam", "%(num)d jam", minutes // 60)
    return ngettext("%(num)d menit", "%(num)d menit", minutes)


def _where_they_were() -> str | None:
    """The page to come back to after signing in again: this one, or for a form sent the page it was on."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


@bp.before_app_request
def _end_expired_session() -> ResponseReturnValue | None:
    """Idle and absolute session limits (accounts/sessions.py): an ended session is signed out and sent to the
    login page, which brings the user back here."""
    # The API never uses the cookie session (api/auth.py), also on its URLs that match no route
    if (request.endpoint in SESSIONLESS or request.path.startswith(API_PREFIX + "/")
            or not current_user.is_authenticated):
        return None
    now, child_data = utcnow(), sees_children_data(current_user)
    limits = sessions.Limits.from_config(current_app.config)
    verdict = sessions.ended(session, now, child_data=child_data, limits=limits)
    if verdict is None:
        fresh = sessions.touched(session, now)
        if fresh:
            session.update(fresh)
        return None
    duration = _duration(sessions.limit_minutes(verdict, session, child_data=child_data, limits=limits))
    if verdict == sessions.IDLE:
        message = _("Sesi Anda berakhir karena tidak ada aktivitas selama %(duration)s. Silakan masuk lagi untuk "
                    "melanjutkan.", duration=duration)
    elif verdict == sessions.ABSOLUTE:
        message = _("Sesi Anda berakhir karena sudah %(duration)s sejak Anda masuk. Silakan masuk lagi untuk "
                    "melanjutkan.", duration=duration)
    else:
        message = _("Sesi Anda sudah berakhir. Silakan masuk lagi untuk melanjutkan.")
    lang = current_user.locale
    _sign_out()
    audit.current_actor_id.set(None)
    session["lang"] = lang  # the login page in the language they were using
    flash(message, "warning")
    if request.endpoint == "accounts.login":
        return None
    return redirect(url_for("accounts.login", next=_where_they_were()))


def _sign_out() -> None:
    logout_user()
    for key in sessions.KEYS:
        session.pop(key, None)
    session.permanent = False


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("monitor.home"))
    form = LoginForm()
    status = 200
    cfg = current_app.config
    remember_hint = _("Sampai %(days)d hari. Tidak berlaku untuk akun yang dapat membuka data anak (koordinator, "
                      "admin, petugas fokal, verifikator): sesinya berakhir setelah %(idle)s tanpa aktivitas.",
                      days=cfg["REMEMBER_ME_DAYS"], idle=_duration(cfg["SESSION_IDLE_MINUTES_CHILD_DATA"]))
    if request.method == "POST":
        # Every post counts, right or wrong: this bounds the password hashing one address can cause. The
        # failures per account and per address below are the guard against guessing.
        hit = count("login-ip", request.remote_addr, cfg["LOGIN_IP_LIMIT"], 60 * int(cfg["LOGIN_IP_WINDOW_MINUTES"]))
        if not hit.allowed:
            form.form_errors.append(_("Terlalu banyak percobaan masuk dari alamat jaringan ini. Coba lagi dalam "
                                      "%(m)d menit.", m=hit.retry_minutes))
            return render_template("accounts/login.html", form=form, remember_hint=remember_hint), 429
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
                                         user_agent=request.user_agent.string,
                                         hash_method=cfg.get("PASSWORD_HASH_METHOD", "scrypt"))
            db.session.commit()
            if user:
                return _signed_in(user, bool(form.remember.data))
            form.form_errors.append(_("Email atau kata sandi salah."))
            status = 200
    elif request.method == "POST":
        status = 200
    return render_template("accounts/login.html", form=form, remember_hint=remember_hint), status


def _signed_in(user, asked_to_remember: bool) -> ResponseReturnValue:
    """Starts the session: its stamps, and "remember me" only where it is allowed."""
    child_data = sees_children_data(user)
    remembered = asked_to_remember and sessions.may_remember(child_data)
    session.pop("lang", None)  # from now on the account's own language
    login_user(user)  # never Flask-Login's own remember cookie: a remembered session is a lasting session cookie
    session.update(sessions.start(utcnow(), remembered))
    session.permanent = remembered
    if asked_to_remember and not remembered:
        flash(_("\"Ingat saya\" tidak berlaku untuk akun yang dapat membuka data anak. Sesi Anda berakhir setelah "
                "%(idle)s tanpa aktivitas.", idle=_duration(current_app.config["SESSION_IDLE_MINUTES_CHILD_DATA"])),
              "warning")
    return redirect(safe_next(request.args.get("next"), url_for("monitor.home")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Rotating the token ends this user's sessions on every other device too.
    accounts.end_other_sessions(current_user)
    db.session.commit()
    _sign_out()
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
            try:
                accounts.change_own_password(db.session, current_user, password.current.data, password.new.data)
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                put_password_error(password, err)
            else:
                login_user(current_user)  # the new session token; this session's stamps stay as they were
                flash(_("Kata sandi diganti. Sesi di perangkat lain sudah diakhiri."), "success")
                return redirect(url_for("accounts.account"))
    elif request.method == "POST" and "p-submit" not in request.form:
        profile.validate()
    return render_template("accounts/account.html", profile=profile, password=password)
