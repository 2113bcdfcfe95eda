"""The private .ics feeds and the page where people make their links. A link's secret is shown once, on the page
that answers the POST that made it (never in a redirect, a flash or a later page): only its hash is stored."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coordinator.calendar import feed as calendar_feed
from coordinator.calendar.blueprint import bp
from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.models import Agency, CalendarFeed
from coordinator.web.routing import MAX_ID, get_or_404


def _base_url() -> str:
    return current_app.config.get("BASE_URL") or calendar_feed.DEFAULT_BASE_URL


def _feed_url(token: str) -> str:
    return _base_url().rstrip("/") + url_for("calendar.feed", token=token)


def _shown_url(feed: CalendarFeed | None) -> str | None:
    """What the page can show of a live link: its path's beginning, so people can tell which one they installed."""
    if feed is None:
        return None
    return url_for("calendar.feed", token=feed.prefix).removesuffix(".ics") + "…"


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    # No login: calendar apps cannot sign in; the token is the secret. Unknown or revoked: 404.
    live = calendar_feed.find_live(db.session, token)
    body = calendar_feed.feed_bytes(db.session, live, utcnow(), base_url=_base_url()) if live else None
    if body is None:
        abort(404)
    resp = Response(body, mimetype="text/calendar")
    resp.headers["Content-Type"] = "text/calendar; charset=utf-8"
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Disposition"] = 'inline; filename="sitisek.ics"'
    return resp


def _page(created_name: str | None = None, created_url: str | None = None):
    own = calendar_feed.live_feed_of(db.session, user=current_user)
    agencies: list[Agency] = []
    if current_user.is_coordinator:
        agencies = list(db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.short_name)))
    elif current_user.is_focal and current_user.agency is not None:
        agencies = [current_user.agency]
    live = calendar_feed.live_agency_feeds(db.session) if agencies else {}
    rows = [(a, live.get(a.id), _shown_url(live.get(a.id))) for a in agencies]
    body = render_template("calendar/account.html", own=own, own_shown=_shown_url(own), agency_rows=rows,
                           created_name=created_name, created_url=created_url)
    return body, 200, {"Cache-Control": "no-store"}


@bp.route("/account/calendar")
@login_required
def account():
    return _page()


@bp.route("/account/calendar/new", methods=["POST"])
@login_required
def new_feed():
    raw = (request.form.get("agency_id") or "").strip()
    now = utcnow()
    if raw:
        if not raw.isdigit() or int(raw) > MAX_ID:
            abort(404)
        agency = get_or_404(Agency, int(raw))
        if not calendar_feed.can_manage_agency(current_user, agency.id):
            abort(404)
        _feed, token = calendar_feed.create_feed(db.session, agency=agency, created_by=current_user, now=now)
        name = agency.short_name
        flash(_("Tautan kalender baru untuk %(name)s sudah dibuat. Tautan lama tidak berlaku lagi.",
                name=agency.short_name), "success")
    else:
        _feed, token = calendar_feed.create_feed(db.session, user=current_user, created_by=current_user, now=now)
        name = _("Kalender saya")
        flash(_("Tautan kalender baru sudah dibuat. Tautan lama tidak berlaku lagi."), "success")
    db.session.commit()
    # Rendered, not redirected: the secret lives only in this response.
    return _page(created_name=name, created_url=_feed_url(token))


@bp.route("/account/calendar/<int:feed_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(feed_id: int):
    target = db.session.get(CalendarFeed, feed_id)
    # Someone else's feed is not found, not forbidden: feed ids say nothing to those who may not manage them.
    if target is None or not calendar_feed.can_manage(current_user, target):
        abort(404)
    if target.revoked_at is None:
        calendar_feed.revoke(db.session, target, utcnow())
        db.session.commit()
        flash(_("Tautan kalender sudah dicabut."), "success")
    return redirect(url_for("calendar.account"))
