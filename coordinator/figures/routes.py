"""/definisi: what each headline figure means, how it is computed and from which data (figures/*)."""
from __future__ import annotations

from flask import render_template
from flask_login import login_required

from coordinator.figures.blueprint import bp


@bp.route("/definisi")
@login_required
def definitions():
    return render_template("figures/definitions.html")
