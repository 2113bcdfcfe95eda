"""The bell (in-app notifications), email preferences, the reminder rules and the admins' outbox page."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from coordinator.notifications import routes  # noqa: E402,F401
