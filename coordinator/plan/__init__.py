from flask import Blueprint

bp = Blueprint("plan", __name__)

from . import rad_routes, routes  # noqa: E402,F401
