"""/verval/luring/…: the JSON endpoints the verifier's offline page talks to (prepare a device and download, the
device's key, sync). Same-origin only, with the CSRF token in the X-CSRFToken header like every form."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, send_from_directory
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.verval import offline
from coordinator.verval.blueprint import bp
from coordinator.web.routing import role_required

MAX_RECORDS = 500
offline_verifiers = role_required(permissions.can_verify_offline)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


@bp.route("/luring/siapkan", methods=["POST"])
@offline_verifiers
def offline_prepare():
    now = utcnow()
    try:
        device = offline.prepare_device(db.session, current_user, _body().get("device_id"), now,
                                        int(current_app.config.get("VERVAL_OFFLINE_DAYS") or offline.DEFAULT_DAYS))
    except DomainError:
        abort(400)
    body = offline.package(db.session, current_user, now)
    db.session.commit()
    return jsonify({"key": device.key, "expires_at": device.expires_at.isoformat() + "Z", "now": now.isoformat() + "Z",
                    **body})


@bp.route("/luring/kunci", methods=["POST"])
@offline_verifiers
def offline_key():
    try:
        key = offline.device_key(db.session, current_user, _body().get("device_id"), utcnow())
    except DomainError:
        abort(400)
    if key is None:
        abort(403)  # another user's device, or expired: the phone's copy stays sealed; download again
    db.session.commit()
    return jsonify({"key": key})


@bp.route("/luring/sinkron", methods=["POST"])
@offline_verifiers
def offline_sync():
    records = _body().get("records")
    if not isinstance(records, list) or len(records) > MAX_RECORDS:
        abort(400)
    now, results = utcnow(), []
    for record in records:
        try:
            with db.session.begin_nested():  # the same record from two tabs at once: one wins, the other is told
                results.append(offline.sync_record(db.session, current_user, record, now).as_dict())
        except IntegrityError as err:
            if "unique" not in str(err.orig).lower():
                raise
            # The same record from another tab at this very moment: the phone keeps it and sends it again.
            results.append(offline.SyncOutcome(str(record.get("client_id") or "")[:64], "retry").as_dict())
    db.session.commit()
    return jsonify({"results": results})


@bp.route("/luring/")
@offline_verifiers
def offline_page():
    return render_template("verval/offline.html")


@bp.route("/luring/sw.js")
@offline_verifiers
def offline_worker():
    """Served from here so that its scope is /verval/luring/ (a worker controls only pages below its own path)."""
    response = send_from_directory(Path(current_app.static_folder or ""), "js/verval-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
