"""ATS figures: the live snapshots (as /ats/snapshots) and totals by area and category, the same figures as
`flask ats summary --format json` (ats.figures holds the counting rules). No child's data."""
from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from coordinator.api.blueprint import bp
from coordinator.api.errors import ApiError, bad_parameter, query_date, query_text
from coordinator.api.plan_routes import iso_date, iso_datetime
from coordinator.ats.figures import live_snapshots, snapshot_on_or_before, summary, totals_for, totals_of
from coordinator.core import permissions
from coordinator.extensions import db
from coordinator.models import Area


@bp.get("/ats/snapshots")
def ats_snapshots():
    # As /ats/snapshots: coordinators and leaders (the import history is not for focal points).
    if not permissions.sees_everything(current_user):
        abort(403)
    snapshots = live_snapshots(db.session)
    totals = totals_for(db.session, snapshots)
    return jsonify({"items": [{"id": s.id, "as_of": iso_date(s.as_of), "source": s.source,
                               "created_at": iso_datetime(s.created_at), "total": totals[s.id].total}
                              for s in snapshots]})


@bp.get("/ats/summary")
def ats_summary():
    as_of = query_date("as_of")
    kecamatan = query_text("kecamatan", 20)
    kec = None
    if kecamatan:
        kec = db.session.get(Area, kecamatan)
        if kec is None or kec.parent_kode is not None:
            raise bad_parameter("kecamatan", _("Kecamatan %(kode)s tidak dikenal.", kode=kecamatan))
    snapshot = snapshot_on_or_before(db.session, as_of)
    if snapshot is None:
        raise ApiError(404, _("Belum ada snapshot ATS pada atau sebelum tanggal itu."))
    s = summary(db.session, totals_of(db.session, snapshot), kec.kode if kec is not None else None)
    if s is None:
        raise ApiError(404, _("Snapshot itu tidak berisi angka desa untuk kecamatan ini."))
    return jsonify({
        "snapshot_id": snapshot.id, "as_of": iso_date(snapshot.as_of), "source": snapshot.source,
        "kecamatan": kec.kode if kec is not None else None, "total": s.totals.total, "residu": s.totals.residu,
        "without_desa": s.without_desa, "areas": s.areas,
    })
