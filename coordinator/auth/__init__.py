from flask import Blueprint

bp = Blueprint("auth", __name__)

from coordinator.auth import routes, routes_reset  # noqa: E402,F401
