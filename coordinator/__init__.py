"""Application factory. Never starts the scheduler: that runs as its own process."""
from __future__ import annotations

import gc
import importlib
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, render_template, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import Config, config_from_env
from coordinator.core import formatting, history_view
from coordinator.extensions import babel, csrf, db, login_manager, migrate
from coordinator.web import headers as security


def _select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in ("id", "en"):
        return current_user.locale
    lang = session.get("lang")
    return lang if lang in ("id", "en") else "id"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL, a busy timeout and foreign keys: see DESIGN.md "Known traps".
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()


class BoundedIntConverter(IntegerConverter):
    """<int:...> that stops at the largest database integer: a longer id is a 404, not an overflow."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)  # ids are INTEGER columns (PostgreSQL int4)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    # Every file the app writes (uploads, evidence, archived reports, backups, an SQLite database) is readable by
    # its own user only: children's data must not be open to every account of the server.
    os.umask(0o077)
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(config or config_from_env())
    if app.config.get("PROXY_COUNT"):
        # Behind nginx: take the client address from X-Forwarded-For, so login throttling is per client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    formatting.register(app)
    app.jinja_env.globals["readable_history"] = history_view.readable_history

    from coordinator.core import audit, revision
    from coordinator.models import User

    with app.app_context():
        audit.install(db.session)
        revision.install(db.session)
    if app.config.get("PAGE_CACHE"):
        from coordinator.web.page_cache import code_version

        code_version()  # read now, in gunicorn's master, not later in a worker (see code_version)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        from flask import g
        from sqlalchemy import select

        from coordinator.notifications.center import unread_count_of

        ident, _, token = user_id.partition(":")
        if not ident.isdigit() or len(ident) > 18:
            return None
        # One round trip for what every page needs: the user, the data revision (web/page_cache.py) and the bell.
        row = db.session.execute(select(User, revision.token_of_row(), unread_count_of(int(ident)))
                                 .where(User.id == int(ident))).first()
        if row is None:
            return None
        user, data_token, unread = row
        if not user.active or user.session_token != token:
            return None
        revision.remember_token(db.session, data_token)
        g.unread_notifications = unread
        return user

    @app.before_request
    def _actor() -> None:
        audit.current_actor_id.set(current_user.id if current_user.is_authenticated else None)

    @app.teardown_request
    def _forget_actor(_exc: BaseException | None) -> None:
        audit.current_actor_id.set(None)

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # PostgreSQL refuses NUL in text; no real input has one, so it is a bad request, not a 500.
        from flask import abort, request

        if any("\x00" in v for v in request.args.values()) or \
                (request.method == "POST" and any("\x00" in v for v in request.form.values())):
            abort(400)

    @app.before_request
    def _keep_verifiers_to_their_pages() -> None:
        # A village verifier works on the children of their desa and nothing else of the plan.
        from flask import abort, request

        from coordinator.core import permissions

        if request.blueprint == "api":  # the API's own check decides by the token, never by the cookie
            return
        if current_user.is_authenticated and current_user.is_verifier \
                and not permissions.verifier_may_open(request.endpoint):
            abort(403)

    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from coordinator.core import permissions

        return {"perm": permissions, "locale": formatting.current_locale()}

    security.install(app)

    # The modules, config and catalogues loaded so far live as long as the process. Frozen, they are
    # not rescanned by every full garbage collection that a large request (the API's 1.000-action
    # list) triggers: measured, that halves its time (bench/rad.py).
    gc.freeze()
    return app


# The modules that hold the views, capability by capability; importing one attaches its views to its package's
# blueprint (blueprint.py). A URL's first segment names the capability (docs/development.md, "Layout").
VIEWS = (
    "accounts.routes", "accounts.reset_routes",
    "monitor.routes",
    "summary.routes",
    "public.routes",
    "plan.routes", "plan.revision_routes",
    "rad_matrix.routes",
    "actions.routes", "actions.progress_routes",
    "indicators.routes",
    "figures.routes",
    "agencies.routes",
    "ats.routes", "ats.import_routes",
    "admin.routes", "admin.login_routes", "admin.token_routes",
    "calendar.routes",
    "notifications.routes", "notifications.webhook_routes",
    "review.routes",
    "discussion.routes",
    "meetings.routes", "meetings.followup_routes",
    "reports.routes",
    "verval.admin_routes", "verval.children_routes", "verval.child_routes", "verval.offline_routes",
    "api.auth", "api.errors", "api.openapi", "api.action_routes", "api.ats_routes", "api.indicator_routes",
    "api.plan_routes", "api.figures_routes", "api.progress_routes", "api.follow_up_routes",
    "web.health",
)


def _register_blueprints(app: Flask) -> None:
    blueprints: list[Blueprint] = []
    for name in VIEWS:
        bp = importlib.import_module(f"coordinator.{name}").bp
        if bp not in blueprints:
            blueprints.append(bp)
    for bp in blueprints:
        app.register_blueprint(bp)


def _register_errors(app: Flask) -> None:
    def render(code: int, message: str | None = None) -> Any:
        from coordinator.api.errors import is_api_request, json_error

        if is_api_request():  # /api/ answers in JSON, even for URLs no route matched
            return json_error(code, message)
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> tuple[str, int]:
        from flask_babel import gettext

        db.session.rollback()
        return render(400, gettext("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."))

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda e, code=code: render(code))

    @app.errorhandler(500)
    def _server_error(e: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render(500)



def _register_cli(app: Flask) -> None:
    from coordinator.cli import register

    register(app)
