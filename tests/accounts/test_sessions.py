"""How long a session lasts (issue 19, item 8): idle and absolute limits per role, "remember me" only for roles
without children's data, the production cookie. Time travels with the app's clock (FIXED_NOW)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from flask_login.utils import encode_cookie

import config
from coordinator import create_app
from coordinator.accounts import sessions
from tests.conftest import FIXED_NOW, PASSWORD, login

START = datetime.fromisoformat(FIXED_NOW)
CHILD_DATA_ROLES = [("admin@example.org", "admin"), ("koordinator@example.org", "koordinator"),
                    ("dinsos@example.org", "fokal"), ("verifikator@example.org", "verifikator")]
IDLE_ENDED = "Sesi Anda berakhir karena tidak ada aktivitas selama"
ABSOLUTE_ENDED = "Sesi Anda berakhir karena sudah"


def at(app_ctx, **delta) -> None:
    app_ctx.config["FIXED_NOW"] = (START + timedelta(**delta)).isoformat()


def signed_in(client) -> bool:
    resp = client.get("/account")
    return resp.status_code == 200


def ended_with(client, message: str, url: str = "/account") -> None:
    """The next request is sent to the login page, which says why and brings the user back to `url`."""
    resp = client.get(url)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=" + quote(url, safe="/")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert message in page, page[:2000]


@pytest.mark.parametrize("email, role", CHILD_DATA_ROLES + [("pimpinan@example.org", "pimpinan")],
                         ids=[r for _e, r in CHILD_DATA_ROLES] + ["pimpinan"])
def test_idle_limit_per_role(app_ctx, world, email, role):
    idle = 30 if role != "pimpinan" else 8 * 60
    busy, idle_one = app_ctx.test_client(), app_ctx.test_client()  # two devices, signed in at the same moment
    assert login(busy, email).status_code == 302 and login(idle_one, email).status_code == 302
    at(app_ctx, minutes=idle - 1)
    assert signed_in(busy)  # a request: activity
    at(app_ctx, minutes=idle)
    duration = "30 menit" if idle == 30 else "8 jam"
    ended_with(idle_one, f"{IDLE_ENDED} {duration}. Silakan masuk lagi untuk melanjutkan.")
    assert not signed_in(idle_one)
    assert signed_in(busy)  # its last request was a minute ago; this one counts too
    if 2 * idle < 12 * 60:  # (a leader's second idle period would pass the absolute limit first)
        at(app_ctx, minutes=2 * idle - 1)
        assert signed_in(busy)
        at(app_ctx, minutes=3 * idle - 1)
        ended_with(busy, f"{IDLE_ENDED} {duration}.")


@pytest.mark.parametrize("email, step", [("koordinator@example.org", 25), ("pimpinan@example.org", 4 * 60)],
                         ids=["koordinator", "pimpinan"])
def test_absolute_limit_twelve_hours_after_signing_in_however_busy(client, world, app_ctx, email, step):
    login(client, email)
    for minutes in range(step, 12 * 60, step):
        at(app_ctx, minutes=minutes)
        assert signed_in(client), minutes
    at(app_ctx, hours=12)
    ended_with(client, f"{ABSOLUTE_ENDED} 12 jam sejak Anda masuk.")


def test_after_signing_in_again_the_user_is_back_where_they_were(client, world, app_ctx):
    login(client, "koordinator@example.org")
    at(app_ctx, minutes=31)
    url = "/actions?status=terlambat&q=verifikasi"
    resp = client.get(url)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")
    again = client.post(resp.headers["Location"], data={"email": "koordinator@example.org", "password": PASSWORD})
    assert again.status_code == 302 and again.headers["Location"] == url
    assert client.get(url).status_code == 200


def test_a_form_sent_after_the_limit_is_not_saved_and_leads_back_to_its_page(client, world, app_ctx):
    login(client, "koordinator@example.org")
    at(app_ctx, minutes=45)
    resp = client.post("/account", data={"p-name": "Nama Baru", "p-locale": "id", "p-submit": "1"},
                       headers={"Referer": "http://localhost/account"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=/account"
    assert world.coordinator.name != "Nama Baru"


def test_the_settings_set_the_limits(client, world, app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "SESSION_IDLE_MINUTES_CHILD_DATA", 10)
    monkeypatch.setitem(app_ctx.config, "SESSION_IDLE_MINUTES", 90)
    monkeypatch.setitem(app_ctx.config, "SESSION_ABSOLUTE_HOURS", 2)
    login(client, "dinsos@example.org")
    at(app_ctx, minutes=10)
    ended_with(client, f"{IDLE_ENDED} 10 menit.")
    at(app_ctx, minutes=10)
    login(client, "pimpinan@example.org")
    for minutes in (90, 125):  # idle for 80 and 35 minutes
        at(app_ctx, minutes=minutes)
        assert signed_in(client)
    at(app_ctx, minutes=130)  # two hours after signing in at minute 10
    ended_with(client, f"{ABSOLUTE_ENDED} 2 jam")


# --- Remember me -----------------------------------------------------------------------------------------------

def _remembered_login(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})


@pytest.mark.parametrize("email, role", CHILD_DATA_ROLES, ids=[r for _e, r in CHILD_DATA_ROLES])
def test_remember_me_is_refused_for_roles_that_see_childrens_data(client, world, app_ctx, email, role):
    resp = _remembered_login(client, email)
    assert resp.status_code == 302
    cookies = resp.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" not in session_cookie  # a browser session's cookie, not a lasting one
    page = client.get(resp.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "&#34;Ingat saya&#34; tidak berlaku untuk akun yang dapat membuka data anak" in page
    at(app_ctx, minutes=30)
    ended_with(client, f"{IDLE_ENDED} 30 menit.")


def test_remember_me_keeps_a_leader_signed_in_for_thirty_days_at_most(client, world, app_ctx):
    resp = _remembered_login(client, "pimpinan@example.org")
    session_cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" in session_cookie  # kept when the browser closes
    for days in (2, 9, 20, 29):  # days apart, no idle limit
        at(app_ctx, days=days)
        assert signed_in(client), days
    at(app_ctx, days=30)
    ended_with(client, f"{ABSOLUTE_ENDED} 30 hari sejak Anda masuk.")


def test_login_page_says_what_remember_me_does(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert "Sampai 30 hari. Tidak berlaku untuk akun yang dapat membuka data anak" in page
    assert "berakhir setelah 30 menit tanpa aktivitas" in page


def test_flask_logins_own_remember_cookie_is_not_honoured(app_ctx, world):
    """A remember_token cookie (set before sessions had limits, or forged with a stolen key's help) signs no one in."""
    client = app_ctx.test_client()
    client.set_cookie("remember_token", encode_cookie(world.coordinator.get_id()))
    resp = client.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert not signed_in(client)


def test_a_session_without_stamps_has_ended(app_ctx, world):
    client = app_ctx.test_client()
    login(client, "pimpinan@example.org")
    with client.session_transaction() as s:
        for key in sessions.KEYS:
            s.pop(key)
    ended_with(client, "Sesi Anda sudah berakhir.")


def test_stamps_cannot_be_moved_by_the_client(app_ctx, world):
    """The stamps are inside the signed cookie: a cookie edited to look fresh is no cookie at all."""
    client = app_ctx.test_client()
    login(client, "koordinator@example.org")
    value = client.get_cookie("session").value
    payload, _, signature = value.partition(".")
    client.set_cookie("session", payload + "." + signature[::-1])
    assert not signed_in(client)


def test_activity_is_written_back_at_most_once_a_minute(app_ctx, world, client):
    login(client, "koordinator@example.org")
    client.get("/account")  # the page's CSRF token goes into the session once
    assert not [c for c in client.get("/account").headers.getlist("Set-Cookie") if c.startswith("session=")]
    at(app_ctx, seconds=59)
    assert not [c for c in client.get("/account").headers.getlist("Set-Cookie") if c.startswith("session=")]
    at(app_ctx, seconds=61)
    assert [c for c in client.get("/account").headers.getlist("Set-Cookie") if c.startswith("session=")]


# --- The cookie in production ----------------------------------------------------------------------------------

@pytest.fixture()
def production_cookie(app_ctx, monkeypatch):
    """The test app with the session cookie of ProductionConfig."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1/x")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("CHILD_DATA_KEY", "k")
    prod = config.ProductionConfig()
    for name in ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_PATH", "SESSION_COOKIE_DOMAIN",
                 "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE"):
        monkeypatch.setitem(app_ctx.config, name, getattr(prod, name))
    return prod


def test_production_session_cookie_has_the_host_prefix(production_cookie, app_ctx, world):
    assert production_cookie.SESSION_COOKIE_NAME == "__Host-sitisek"
    client = app_ctx.test_client()
    resp = client.post("/login", data={"email": "pimpinan@example.org", "password": PASSWORD, "remember": "y"},
                       base_url="https://sitisek.example")
    assert resp.status_code == 302
    [cookie] = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("__Host-")]
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert cookie.startswith("__Host-sitisek=")
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert "samesite=lax" in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert client.get("/account", base_url="https://sitisek.example").status_code == 200


def test_production_app_sets_the_host_cookie(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("CHILD_DATA_KEY", "dGVzdC1rZXktZm9yLWNoaWxkcmVucy1kYXRhLTMyYiE=")
    app = create_app(config.ProductionConfig())
    assert app.permanent_session_lifetime == timedelta(days=30)
    resp = app.test_client().get("/login", base_url="https://sitisek.example")
    cookie = resp.headers["Set-Cookie"]
    assert re.match(r"__Host-sitisek=[^;]+; Secure; HttpOnly; Path=/; SameSite=Lax$", cookie), cookie


def test_signing_out_after_the_limit_still_ends_the_other_sessions(app_ctx, world):
    phone, desk = app_ctx.test_client(), app_ctx.test_client()
    login(phone, "pimpinan@example.org")
    at(app_ctx, hours=9)
    login(desk, "pimpinan@example.org")
    assert phone.post("/logout").status_code == 302  # idle for 9 hours, yet "Keluar" does what it says
    assert not signed_in(desk)
