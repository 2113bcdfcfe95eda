"""The monthly report for leaders: closing months, the PDF, its archive and its delivery."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from coordinator.reports import routes  # noqa: E402,F401
