"""Village verification (verval) of the by-name ATS list: children's pages for verifiers, focal points and
coordinators; the coordinators' import, progress, assignment, reconciliation and the access log."""
from flask import Blueprint

bp = Blueprint("verval", __name__, url_prefix="/verval")

from . import routes_admin, routes_children  # noqa: E402,F401
