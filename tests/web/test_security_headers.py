"""Security headers, a CSP the pages really keep, and the health endpoint."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

import config
from coordinator import create_app
from coordinator.core.clock import utcnow
from coordinator.demo.content import DEMO_PASSWORD
from coordinator.demo.seed import seed_demo
from coordinator.extensions import db
from coordinator.web.headers import CONTENT_SECURITY_POLICY
from coordinator.web.health import code_revision
from tests.paths import ROOT

TEMPLATES = ROOT / "coordinator" / "templates"


class _PageScan(HTMLParser):
    """Collects same-site links and anything a strict CSP would block."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.blocked: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "a" and names.get("href"):
            self.links.append(names["href"] or "")
        if tag == "script" and not names.get("src"):
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.blocked.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.blocked.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"javascript: URL on <{tag}>")


def test_html_pages_carry_a_strict_policy(client, world, as_user):
    as_user("koordinator@example.org")
    resp = client.get("/monitor")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    # Development and tests run over plain HTTP: no HSTS there.
    assert "Strict-Transport-Security" not in resp.headers
    # Error pages and the login page are covered too.
    for url in ("/no-such-page", "/login"):
        assert client.get(url).headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_production_sends_hsts(tmp_path):
    class Production(config.TestingConfig):
        HSTS_SECONDS = 31536000

    cfg = Production()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.db'}"
    app = create_app(cfg)
    resp = app.test_client().get("/login")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_config_turns_hsts_on(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1/x")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("CHILD_DATA_KEY", "k")
    cfg = config.ProductionConfig()
    assert cfg.HSTS_SECONDS >= 180 * 24 * 3600
    assert cfg.SESSION_COOKIE_SECURE and cfg.REMEMBER_COOKIE_SECURE


@pytest.mark.parametrize("template", sorted(
    p for p in TEMPLATES.rglob("*.html") if "email" not in p.parts and "pdf" not in p.parts),
    ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_or_style(template):
    # E-mails and PDF templates never reach a browser under our CSP; every page template does.
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert "<style" not in text
    assert not re.search(r"\sstyle\s*=", text)
    assert not re.search(r"\son[a-z]+\s*=", text)
    assert "javascript:" not in text.lower()


@pytest.mark.parametrize("email", ["admin@example.org", "koordinator@example.org", "dinsos@example.org",
                                   "pimpinan@example.org", "verifikator@example.org"])
def test_crawled_pages_keep_the_policy(app_ctx, client, email):
    """Follow every link from the home page (up to 120 pages) as each demo role and check what the
    browser would block: the rendered pages, not only the templates, must hold no inline code."""
    seed_demo(db.session, utcnow())
    resp = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert resp.status_code == 302
    seen: set[str] = set()
    queue = ["/"]
    problems: list[str] = []
    while queue and len(seen) < 120:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        assert resp.status_code < 500, url
        if resp.status_code in (301, 302, 303) and resp.location.startswith("/"):
            queue.append(resp.location)
        if resp.status_code != 200 or not resp.mimetype == "text/html":
            continue
        assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        scan = _PageScan()
        scan.feed(resp.get_data(as_text=True))
        problems += [f"{url}: {p}" for p in scan.blocked]
        for href in scan.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/language", "/static")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert problems == []
    assert len(seen) >= 60  # every role reaches far more pages than that from home


def test_health_answers_ok_with_the_revision(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok", "revision": code_revision()}
    assert resp.headers["Cache-Control"] == "no-store"


def test_health_is_503_without_a_database(tmp_path):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    resp = create_app(cfg).test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json == {"status": "error", "database": "unreachable"}


def test_health_is_503_before_migrations(tmp_path):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.db'}"
    resp = create_app(cfg).test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json["database"] == "migration pending" and resp.json["revision"] is None
