from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import routes, routes_logins, routes_tokens  # noqa: E402,F401
