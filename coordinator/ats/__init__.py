from flask import Blueprint

bp = Blueprint("ats", __name__)

from coordinator.ats import import_routes, routes  # noqa: E402,F401
