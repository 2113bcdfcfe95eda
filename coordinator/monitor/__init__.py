from flask import Blueprint

bp = Blueprint("monitor", __name__)

from . import routes  # noqa: E402,F401
