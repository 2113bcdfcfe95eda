"""/publik: the plan's aggregates for citizens, DPRD and the press, without login; on only with PUBLIC_PAGE.

Everyone reads the same content (kept per data revision, language and day), and proxies may keep it five
minutes. The language follows the reader's session like every page, or `?lang=id|en` (the page's own links):
a shared link then shows the same language to whoever opens it.
"""
from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request, session
from flask_babel import force_locale, gettext
from flask_login import current_user

from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.public.blueprint import bp
from coordinator.public.figures import SMALL, WITHHELD, public_map, public_page, row_anchor, trend_chart
from coordinator.web.page_cache import cached_content, everyone

MAX_AGE = 300  # seconds a browser or proxy may keep the page


def _build() -> dict:
    page = public_page(db.session, utcnow())
    withheld = frozenset(k.kode for k in page.kecamatan if k.ats.withheld)
    area_map = public_map(page.rows, withheld=withheld) if page.rows else None
    return {"page": page, "area_map": area_map, "chart": trend_chart(page.series), "anchor": row_anchor,
            "small": gettext(SMALL), "withheld": gettext(WITHHELD),
            "any_withheld": any(k.ats.withheld or k.returned.withheld for k in page.kecamatan)}


def _render() -> str:
    # cached_content hands every reader a CSRF token for the forms of kept content. This page has none, and a
    # token new to the session would set a cookie on an answer that proxies keep and give to others: dropped.
    had_token, modified = "csrf_token" in session, session.modified
    content = cached_content("public/_index.html", _build, reader=everyone)
    if not had_token:
        session.pop("csrf_token", None)
        session.modified = modified
    return render_template("public/index.html", content=content)


@bp.route("/publik")
def index():
    if not current_app.config.get("PUBLIC_PAGE"):
        abort(404)  # off: the page does not exist
    lang = request.args.get("lang")
    if lang in ("id", "en"):
        with force_locale(lang):
            html = _render()
    else:
        html = _render()
    response = make_response(html)
    # The same content for everyone; but a signed-in reader's answer may carry their refreshed session cookie,
    # which no shared cache may keep and hand on.
    scope = "private" if current_user.is_authenticated else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    return response
