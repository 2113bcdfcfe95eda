"""Indicators with their targets and values: every signed-in role reads them, as on /indicators."""
from __future__ import annotations

from flask import abort, jsonify, url_for

from coordinator.api.blueprint import bp
from coordinator.api.errors import page_body, page_params, query_int
from coordinator.api.plan_routes import iso_datetime
from coordinator.core.clock import utcnow, wita_today
from coordinator.extensions import db
from coordinator.indicators import tracking as indicator_service
from coordinator.models import Indicator


def _base(i: Indicator) -> dict:
    return {"id": i.id, "code": i.code, "name": i.name, "definition": i.definition, "unit": i.unit,
            "direction": i.direction, "baseline_value": i.baseline_value, "baseline_year": i.baseline_year,
            "data_source": i.data_source, "ats_metric": i.ats_metric, "ats_area_kode": i.ats_area_kode,
            "actions": [{"id": a.id, "code": a.code} for a in i.actions if a.deleted_at is None],
            "url": url_for("api.indicator", indicator_id=i.id)}


def _summary(i: Indicator, year: int) -> dict:
    s = indicator_service.summarize(i, year)
    latest = None if s.latest is None else {"year": s.latest.year, "quarter": s.latest.quarter,
                                            "value": s.latest.actual, "on_track": s.latest.on_track}
    return {**_base(i), "latest": latest, "year": year, "year_target": s.year_target,
            "year_target_quarter": s.year_target_quarter, "status": s.status}


@bp.get("/indicators")
def indicators():
    year = query_int("year", 2000, 2100) or wita_today(utcnow()).year
    page, per_page = page_params()
    rows = indicator_service.live_indicators(db.session)
    chunk = rows[(page - 1) * per_page: page * per_page]
    return jsonify(page_body([_summary(i, year) for i in chunk], page, per_page, len(rows)))


@bp.get("/indicators/<int:indicator_id>")
def indicator(indicator_id: int):
    i = db.session.get(Indicator, indicator_id)
    if i is None or i.deleted_at is not None:
        abort(404)
    body = _summary(i, wita_today(utcnow()).year)
    body["targets"] = [{"year": t.year, "quarter": t.quarter, "value": t.value} for t in i.targets]
    body["values"] = [{"year": v.year, "quarter": v.quarter, "value": v.value, "source": v.source, "note": v.note,
                       "entered_at": iso_datetime(v.entered_at)} for v in i.values]
    # Each period judged against its target (or, for a quarter without one, its year's), as on the web page.
    body["periods"] = [{"year": r.year, "quarter": r.quarter, "target": r.target, "actual": r.actual,
                        "reference_target": r.reference_target, "on_track": r.on_track,
                        "achievement": r.achievement} for r in indicator_service.period_rows(i)]
    return jsonify(body)
