from flask import Blueprint

bp = Blueprint("monitor", __name__)

from coordinator.monitor import routes  # noqa: E402,F401
