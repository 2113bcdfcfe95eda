"""/webhooks/whatsapp: the WhatsApp platform's subscription check (GET) and its delivery statuses (POST).

Not behind a login (the platform calls it) and not behind CSRF (it is no form): the POST is taken only with a valid
X-Hub-Signature-256 for WHATSAPP_APP_SECRET, and a forged or missing signature changes nothing (403).
"""
from __future__ import annotations

import json

from flask import Response, abort, current_app, jsonify, request

from coordinator.core.clock import utcnow
from coordinator.extensions import csrf, db
from coordinator.notifications.blueprint import bp
from coordinator.notifications.delivery_status import apply_statuses
from coordinator.notifications.whatsapp import signature_valid, status_updates

MAX_BODY = 1024 * 1024  # a status batch is a few KB


@bp.route("/webhooks/whatsapp", methods=["GET"])
def whatsapp_subscribe():
    token = str(current_app.config.get("WHATSAPP_VERIFY_TOKEN") or "")
    challenge = request.args.get("hub.challenge", "")
    if not token or request.args.get("hub.mode") != "subscribe" or request.args.get("hub.verify_token") != token \
            or not challenge.isdigit() or len(challenge) > 100:
        abort(403)
    return Response(challenge, mimetype="text/plain")


@bp.route("/webhooks/whatsapp", methods=["POST"])
@csrf.exempt
def whatsapp_statuses():
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    body = request.get_data(cache=False)
    if not signature_valid(str(current_app.config.get("WHATSAPP_APP_SECRET") or ""), body,
                           request.headers.get("X-Hub-Signature-256")):
        abort(403)
    try:
        payload = json.loads(body)
    except ValueError:
        abort(400)
    changed = apply_statuses(db.session, status_updates(payload), utcnow())
    db.session.commit()
    return jsonify({"ok": True, "updated": changed})
