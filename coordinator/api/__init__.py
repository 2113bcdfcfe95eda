"""Read-only JSON API for other systems (issue 7): /api/v1, personal bearer tokens, the web's permissions."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from coordinator.api import auth, errors, openapi, routes_actions, routes_ats, routes_indicators, routes_plan  # noqa: E402,F401
