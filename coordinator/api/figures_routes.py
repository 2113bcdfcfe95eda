"""A month's headline figures, exactly as `flask report figures` prints them and the month's report shows them
(figures/headline.py). Coordinators and leaders, as the monthly reports."""
from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from coordinator.api.blueprint import bp
from coordinator.api.errors import ApiError, bad_parameter, query_text
from coordinator.core import permissions
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.figures.headline import month_figures
from coordinator.models import SCOPE_AGENCY, SCOPE_KECAMATAN, SCOPE_REGENCY
from coordinator.reports.facts import parse_period


@bp.get("/figures")
def figures():
    if not permissions.can_view_reports(current_user):
        abort(403)
    now = utcnow()
    raw = query_text("period", 7)
    try:
        period = parse_period(raw) if raw else month_start(wita_today(now))
    except DomainError:
        raise bad_parameter("period", "YYYY-MM") from None
    kecamatan, agency = query_text("kecamatan", 20), query_text("agency", 30)
    if kecamatan and agency:
        raise bad_parameter("agency", _("pakai agency atau kecamatan, tidak keduanya"))
    scope, key = SCOPE_REGENCY, ""
    if agency:
        scope, key = SCOPE_AGENCY, agency.upper()
    elif kecamatan:
        scope, key = SCOPE_KECAMATAN, kecamatan
    try:
        body = month_figures(db.session, period, scope, key, now)
    except DomainError as err:
        db.session.rollback()
        at_fault = "period" if period > month_start(wita_today(now)) else "agency" if agency else "kecamatan"
        raise ApiError(400, _(err.message, **err.params), at_fault) from None
    db.session.rollback()  # reading only
    return jsonify(body)
