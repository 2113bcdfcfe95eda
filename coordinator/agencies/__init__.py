from flask import Blueprint

bp = Blueprint("agencies", __name__)

from coordinator.agencies import routes  # noqa: E402,F401
