from flask import Blueprint

bp = Blueprint("plan", __name__)

from coordinator.plan import rad_routes, routes  # noqa: E402,F401
