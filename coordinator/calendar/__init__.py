"""Private iCalendar feeds of deadlines and the account page that manages their secret URLs."""
from flask import Blueprint

bp = Blueprint("calendar", __name__)

from coordinator.calendar import routes  # noqa: E402,F401
