from flask import Blueprint

bp = Blueprint("indicators", __name__)

from coordinator.indicators import routes  # noqa: E402,F401
