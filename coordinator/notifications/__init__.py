"""The bell (in-app notifications), email preferences, the reminder rules and the admins' outbox page."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import routes  # noqa: E402,F401
