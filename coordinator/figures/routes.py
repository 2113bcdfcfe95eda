"""/definisi: what each headline figure means, how it is computed and from which data (figures/*);
/hasil-intervensi: which interventions work (figures/effects.py), as a page, XLSX or CSV."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.figures import effects
from coordinator.figures.blueprint import bp
from coordinator.figures.effects_export import export_effects


@bp.route("/definisi")
@login_required
def definitions():
    return render_template("figures/definitions.html")


@bp.route("/hasil-intervensi")
@login_required
def effects_table():
    key, descending = effects.parse_sort(request.args.get("urut"))
    period = effects.ats_period(db.session)
    rows = effects.sort_effects(effects.action_effects(db.session, utcnow(), period), key, descending)
    fmt = request.args.get("export")
    if fmt in ("xlsx", "csv"):
        return export_effects(rows, fmt)
    # Codes link to the action pages the reader may open (a focal point: their agency's actions).
    linkable = None if permissions.sees_everything(current_user) else \
        effects.actions_of_agency(db.session, current_user.agency_id)
    return render_template("figures/effects.html", rows=rows, period=period, sort_key=key, descending=descending,
                           linkable=linkable)
