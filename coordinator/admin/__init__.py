from flask import Blueprint

bp = Blueprint("admin", __name__)

from coordinator.admin import routes, routes_logins, routes_tokens  # noqa: E402,F401
