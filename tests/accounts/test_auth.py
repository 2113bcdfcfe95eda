"""Sign-in, throttling, sessions, CSRF and redirects."""
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import User
from tests.conftest import PASSWORD, login


def test_login_form_fields_and_wrong_password(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    resp = login(client, "dinsos@example.org", "salah")
    assert resp.status_code == 200 and "Email atau kata sandi salah" in resp.get_data(as_text=True)
    assert client.get("/monitor").status_code == 302


def test_focal_lands_on_my_actions_coordinator_on_monitor(client, world):
    login(client, "dinsos@example.org")
    assert client.get("/").headers["Location"].endswith("/actions/mine")
    client.post("/logout")
    login(client, "koordinator@example.org")
    assert client.get("/").headers["Location"].endswith("/monitor")


def test_repeated_failures_are_throttled(client, world, app_ctx):
    for _ in range(app_ctx.config["LOGIN_MAX_FAILURES"]):
        login(client, "dinsos@example.org", "salah")
    resp = login(client, "dinsos@example.org", PASSWORD)  # even the right password waits
    assert resp.status_code == 429 and "Terlalu banyak percobaan" in resp.get_data(as_text=True)
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:16:00"  # 16 minutes later
    assert login(client, "dinsos@example.org", PASSWORD).status_code == 302


def test_next_only_redirects_locally(client, world):
    for target, expected in [("/plan", "/plan"), ("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/\\evil.example", "/"), ("javascript:alert(1)", "/")]:
        client.post("/logout")
        resp = client.post("/login?next=" + target, data={"email": "dinsos@example.org", "password": PASSWORD})
        assert resp.headers["Location"] == expected, target


def test_session_cookie_flags(client, world):
    resp = login(client, "dinsos@example.org")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_sessions_on_other_devices(app_ctx, world):
    phone, desk = app_ctx.test_client(), app_ctx.test_client()
    login(phone, "dinsos@example.org")
    login(desk, "dinsos@example.org")
    assert desk.get("/actions/mine").status_code == 200
    phone.post("/logout")
    assert desk.get("/actions/mine").status_code == 302


def test_password_change_ends_other_sessions_keeps_this_one(app_ctx, world):
    phone, desk = app_ctx.test_client(), app_ctx.test_client()
    login(phone, "dinsos@example.org")
    login(desk, "dinsos@example.org")
    resp = phone.post("/account", data={"pw-current": PASSWORD, "pw-new": "kata-sandi-baru-2026",
                                        "pw-confirm": "kata-sandi-baru-2026", "pw-submit": "1"})
    assert resp.status_code == 302
    assert phone.get("/actions/mine").status_code == 200
    assert desk.get("/actions/mine").status_code == 302
    assert login(desk, "dinsos@example.org", "kata-sandi-baru-2026").status_code == 302


def test_password_change_errors(client, world):
    login(client, "dinsos@example.org")
    resp = client.post("/account", data={"pw-current": "salah", "pw-new": "kata-sandi-baru-2026",
                                         "pw-confirm": "kata-sandi-baru-2026", "pw-submit": "1"})
    assert "Kata sandi sekarang salah" in resp.get_data(as_text=True)
    resp = client.post("/account", data={"pw-current": PASSWORD, "pw-new": "pendek", "pw-confirm": "pendek",
                                         "pw-submit": "1"})
    assert "minimal 12 karakter" in resp.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "dinsos@example.org"))
    assert user.check_password(PASSWORD)


def test_language_choice_switches_ui_and_formats(client, world):
    login(client, "koordinator@example.org")
    html = client.get("/monitor").get_data(as_text=True)
    assert "Pemantauan tenggat" in html and "27 November 2026" in html
    resp = client.post("/account", data={"p-name": "Koordinator", "p-locale": "en", "p-submit": "1"})
    assert resp.status_code == 302
    html = client.get("/monitor").get_data(as_text=True)
    assert 'lang="en"' in html and "Deadline monitor" in html and "27 November 2026" in html


def test_anonymous_language_switch(client, world):
    client.get("/language/en?next=/login")
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    assert client.get("/language/xx").status_code == 302


def test_csrf_is_enforced_when_enabled(client, world, app_ctx):
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post("/login", data={"email": "dinsos@example.org", "password": PASSWORD})
        assert resp.status_code == 400 and "Muat ulang halaman" in resp.get_data(as_text=True)
        assert client.get("/actions/mine").status_code == 302
        login_page = client.get("/login").get_data(as_text=True)
        token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        resp = client.post("/login", data={"email": "dinsos@example.org", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302
        resp = client.post("/logout")  # no token
        assert resp.status_code == 400
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False


def test_users_create_cli(app_ctx, world):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Fokal.Baru@Example.org", "--name", "Fokal Baru",
                                 "--role", "fokal", "--agency", "dpppa", "--password", "sandi-rahasia-123"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "fokal.baru@example.org"))
    assert user.agency.code == "DPPPA" and user.check_password("sandi-rahasia-123")
    bad = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X", "--role", "fokal",
                              "--password", "sandi-rahasia-123"])
    assert bad.exit_code != 0 and "instansi" in bad.output
