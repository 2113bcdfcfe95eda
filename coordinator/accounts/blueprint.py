from flask import Blueprint

bp = Blueprint("accounts", __name__)

from coordinator.accounts import reset_routes as routes_reset  # noqa: E402,F401
