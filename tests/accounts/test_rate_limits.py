"""Rate limits: fixed-window counters in the database, shared by every worker (and every app process)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import config
from coordinator import create_app
from coordinator.accounts import api_tokens, password_reset, rate_limits
from coordinator.extensions import db
from coordinator.models import LoginAttempt, OutboxMessage, PasswordResetToken, RateLimitCounter, User
from tests.conftest import FIXED_NOW, PASSWORD, login

NOW = datetime.fromisoformat(FIXED_NOW)  # 02:00:00 UTC
FOCAL = "dinsos@example.org"


@pytest.fixture()
def limits(app_ctx):
    """Set limits for one test; the testing defaults come back afterwards."""
    saved: dict[str, object] = {}

    def set_(**values):
        for name, value in values.items():
            saved.setdefault(name, app_ctx.config.get(name))
            app_ctx.config[name] = value

    yield set_
    app_ctx.config.update(saved)


def at(app_ctx, **delta) -> None:
    app_ctx.config["FIXED_NOW"] = (NOW + timedelta(**delta)).isoformat()


# --- The service --------------------------------------------------------------------------------------

def test_counts_up_to_the_limit_then_refuses_until_the_window_ends(app_ctx):
    hits = [rate_limits.hit(db.session, "t:a", 3, 60, NOW + timedelta(seconds=s)) for s in (0, 10, 20, 30, 59)]
    assert [h.allowed for h in hits] == [True, True, True, False, False]
    assert [h.count for h in hits] == [1, 2, 3, 4, 5]
    assert [h.retry_after for h in hits] == [60, 50, 40, 30, 1]
    assert rate_limits.hit(db.session, "t:b", 3, 60, NOW).allowed  # another key has its own count
    nxt = rate_limits.hit(db.session, "t:a", 3, 60, NOW + timedelta(seconds=60))
    assert nxt.allowed and nxt.count == 1
    assert rate_limits.peek(db.session, "t:a", 60, NOW + timedelta(seconds=61)) == 1
    db.session.commit()


def test_windows_are_aligned_and_ended_ones_pruned(app_ctx):
    start, end = rate_limits.window_of(datetime(2026, 11, 27, 2, 17, 42), 3600)
    assert (start, end) == (datetime(2026, 11, 27, 2, 0), datetime(2026, 11, 27, 3, 0))
    assert rate_limits.Hit(False, 9, 5, 61).retry_minutes == 2
    rate_limits.hit(db.session, "old:1", 5, 60, NOW)
    rate_limits.hit(db.session, "old:2", 5, 300, NOW)
    rate_limits.hit(db.session, "new", 5, 60, NOW + timedelta(minutes=2))  # a new window prunes ended ones
    db.session.commit()
    assert db.session.scalars(select(RateLimitCounter.key).order_by(RateLimitCounter.key)).all() == ["new", "old:2"]
    assert rate_limits.prune(db.session, NOW + timedelta(minutes=10)) == 2
    db.session.commit()


def test_zero_means_no_limit_and_long_keys_are_hashed(app_ctx):
    assert all(rate_limits.hit(db.session, "t:off", 0, 60, NOW).allowed for _ in range(5))
    assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0
    key = rate_limits.make_key("reset-email", "x" * 300 + "@example.org")
    assert key.startswith("reset-email:#") and len(key) <= 200
    assert rate_limits.make_key("login-ip", None) == "login-ip:-"


@pytest.mark.commits
def test_two_workers_counting_at_once_lose_no_hit(app_ctx):
    engine = db.engine
    barrier = threading.Barrier(2)
    allowed: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                mine = 0
                for _ in range(25):
                    mine += rate_limits.hit(session, "race", 30, 60, NOW).allowed
                    session.commit()
                allowed.append(mine)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert rate_limits.peek(db.session, "race", 60, NOW) == 50
    assert sum(allowed) == 30  # exactly the limit, however the two interleaved


# --- Login --------------------------------------------------------------------------------------------

def test_login_posts_per_address(client, world, app_ctx, limits):
    limits(LOGIN_IP_LIMIT=3, LOGIN_IP_WINDOW_MINUTES=5)
    assert login(client, FOCAL, "salah").status_code == 200
    assert login(client, "pimpinan@example.org", "salah").status_code == 200
    assert login(client, "koordinator@example.org", "salah").status_code == 200
    resp = login(client, FOCAL)  # even the right password waits
    assert resp.status_code == 429
    assert "Terlalu banyak percobaan masuk dari alamat jaringan ini. Coba lagi dalam 5 menit." in \
        resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 3  # the refused post: no row
    other = app_ctx.test_client()
    assert other.post("/login", data={"email": FOCAL, "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 302
    at(app_ctx, minutes=5)
    assert login(client, FOCAL).status_code == 302


def test_failed_login_throttling_still_holds(client, world, app_ctx):
    for _ in range(app_ctx.config["LOGIN_MAX_FAILURES"]):
        login(client, FOCAL, "salah")
    resp = login(client, FOCAL)
    assert resp.status_code == 429 and "Terlalu banyak percobaan gagal" in resp.get_data(as_text=True)


# --- Password reset -----------------------------------------------------------------------------------

def _ask(client, email, ip="127.0.0.1"):
    """Closing the answer runs what comes after it: the link and its email (accounts/reset_routes.py)."""
    resp = client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})
    resp.close()
    return resp


def _tokens() -> int:
    return db.session.scalar(select(func.count()).select_from(PasswordResetToken))


def test_reset_requests_per_address_then_after_the_hour(client, world, app_ctx, limits):
    limits(PASSWORD_RESET_EMAIL_LIMIT=2, PASSWORD_RESET_IP_LIMIT=100)
    assert _ask(client, FOCAL).status_code == 302
    assert _ask(client, "Dinsos@Example.org", ip="10.0.0.2").status_code == 302  # same address, other client
    resp = _ask(client, FOCAL, ip="10.0.0.3")
    assert resp.status_code == 429
    assert "Terlalu banyak permintaan tautan. Coba lagi dalam 60 menit." in resp.get_data(as_text=True)
    assert _tokens() == 2  # over the limit: no link, no email
    # Counted per address whether or not an account has it: the refusal says nothing about accounts.
    assert _ask(client, "tidak.ada@example.org").status_code == 302
    assert _ask(client, "tidak.ada@example.org").status_code == 302
    assert _ask(client, "tidak.ada@example.org").status_code == 429
    assert _ask(client, "pimpinan@example.org").status_code == 302  # other addresses go on
    at(app_ctx, minutes=60)
    assert _ask(client, FOCAL).status_code == 302 and _tokens() == 4


def test_reset_requests_per_client_address(client, world, app_ctx, limits):
    limits(PASSWORD_RESET_EMAIL_LIMIT=100, PASSWORD_RESET_IP_LIMIT=3)
    for email in ("a@example.org", "b@example.org", FOCAL):
        assert _ask(client, email).status_code == 302
    at(app_ctx, minutes=59, seconds=30)
    resp = _ask(client, "pimpinan@example.org")
    assert resp.status_code == 429 and "Coba lagi dalam 1 menit." in resp.get_data(as_text=True)
    assert _ask(client, "pimpinan@example.org", ip="10.9.9.9").status_code == 302
    assert _tokens() == 2
    at(app_ctx, minutes=60)
    assert _ask(client, "pimpinan@example.org").status_code == 302


def test_new_password_form_posts_per_client_address(client, world, app_ctx, limits):
    limits(PASSWORD_RESET_FORM_IP_LIMIT=2)
    result = password_reset.request_reset(db.session, FOCAL, now=NOW, ip=None, user_agent=None,
                                          base_url="http://x", lifetime=timedelta(hours=2))
    db.session.commit()
    secret = db.session.scalar(select(OutboxMessage.body_text)).split("/password/reset/")[1].split()[0]
    assert result.sent
    url = f"/password/reset/{secret}"
    for _ in range(2):
        assert client.post(url, data={"new": "pendek", "confirm": "pendek"}).status_code == 200
    resp = client.post(url, data={"new": "sandi-baru-2026-x", "confirm": "sandi-baru-2026-x"})
    assert resp.status_code == 429
    assert "Terlalu banyak percobaan dari alamat jaringan ini" in resp.get_data(as_text=True)
    assert client.get(url).status_code == 200  # reading the form is not counted
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == FOCAL)).check_password(PASSWORD)
    at(app_ctx, minutes=60)
    assert client.post(url, data={"new": "sandi-baru-2026-x", "confirm": "sandi-baru-2026-x"}).status_code == 302


# --- API ----------------------------------------------------------------------------------------------

def _token(email: str) -> str:
    user = db.session.scalar(select(User).where(User.email == email))
    secret = api_tokens.create_token(db.session, user.id, "dasbor", None, None, NOW)[1]
    db.session.commit()
    return secret


def test_api_requests_per_token_per_minute(client, world, app_ctx, limits):
    limits(API_RATE_LIMIT_PER_MINUTE=3)
    at(app_ctx, seconds=45)
    auth = {"Authorization": "Bearer " + _token("koordinator@example.org")}
    for _ in range(3):
        assert client.get("/api/v1/plan", headers=auth).status_code == 200
    resp = client.get("/api/v1/actions", headers=auth)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "15" and resp.headers["Cache-Control"] == "no-store"
    error = resp.get_json()["error"]
    assert error["status"] == 429 and error["code"] == "too_many_requests"
    assert "paling banyak 3 per menit" in error["message"] and "15 detik" in error["message"]
    other = {"Authorization": "Bearer " + _token("pimpinan@example.org")}
    assert client.get("/api/v1/plan", headers=other).status_code == 200  # each token has its own count
    assert client.get("/api/v1/plan").status_code == 401  # no token: not counted, refused as before
    at(app_ctx, minutes=1)
    assert client.get("/api/v1/plan", headers=auth).status_code == 200


@pytest.mark.commits
def test_api_limit_holds_across_processes(app, client, world, app_ctx, limits):
    """Two app instances (two gunicorn workers) on one database share the count."""
    limits(API_RATE_LIMIT_PER_MINUTE=4)
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    cfg.UPLOAD_DIR = app.config["UPLOAD_DIR"]
    second = create_app(cfg)
    second.config.update(FIXED_NOW=app.config["FIXED_NOW"], API_RATE_LIMIT_PER_MINUTE=4)
    auth = {"Authorization": "Bearer " + _token("koordinator@example.org")}
    other_worker = second.test_client()
    statuses = []
    for worker in (client, other_worker, client, other_worker, client, other_worker):
        statuses.append(worker.get("/api/v1/pillars", headers=auth).status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def test_api_limit_documented_in_openapi(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    response = doc["paths"]["/actions"]["get"]["responses"]["429"]
    assert "Retry-After" in response["headers"]
