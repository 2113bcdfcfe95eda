"""The admins' login history (/admin/logins)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import LoginAttempt
from tests.conftest import PASSWORD, login

ADMIN = "admin@example.org"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def rows(html: str) -> list[str]:
    body = html.split('<table class="responsive" id="login-list">')[1].split("<tbody>")[1].split("</tbody>")[0]
    cells = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in cells]


@pytest.fixture()
def history(client, world, app_ctx):
    """Sign-ins from two addresses and devices, a failure, and a password reset request."""
    client.post("/login", data={"email": "dinsos@example.org", "password": "salah"},
                environ_base={"REMOTE_ADDR": "36.85.1.2"}, headers={"User-Agent": UA})
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:05:00"
    login(client, "dinsos@example.org")
    client.post("/logout")
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:10:00"
    client.post("/password/forgot", data={"email": "pimpinan@example.org"}).close()
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:15:00"
    login(client, ADMIN)
    return client


def test_admin_sees_attempts_newest_first_in_wita(history):
    page = history.get("/admin/logins").get_data(as_text=True)
    assert "4 catatan" in page
    first, second, third, fourth = rows(page)
    assert first.startswith("27 November 2026 10.15 WITA admin@example.org Masuk Berhasil 127.0.0.1")
    assert second.startswith("27 November 2026 10.10 WITA pimpinan@example.org Permintaan tautan kata sandi "
                             "Berhasil 127.0.0.1")
    assert third.startswith("27 November 2026 10.05 WITA dinsos@example.org Masuk Berhasil")
    assert fourth.startswith("27 November 2026 10.00 WITA dinsos@example.org Masuk Gagal 36.85.1.2 Mozilla/5.0")
    assert f'title="{UA}"' in page  # the whole user agent on hover, shortened in the cell


def test_filters_by_email_result_and_kind(history):
    page = history.get("/admin/logins?email=DINSOS").get_data(as_text=True)
    assert "2 catatan" in page and all("dinsos@example.org" in r for r in rows(page))
    page = history.get("/admin/logins?result=0").get_data(as_text=True)
    assert "1 catatan" in page and "36.85.1.2" in rows(page)[0]
    page = history.get("/admin/logins?result=1&kind=reset_request").get_data(as_text=True)
    assert "1 catatan" in page and "pimpinan@example.org" in rows(page)[0]
    page = history.get("/admin/logins?email=100%25_").get_data(as_text=True)  # LIKE wildcards are plain text
    assert "0 catatan" in page and "Tidak ada catatan yang cocok" in page
    page = history.get("/admin/logins?result=x&kind=nonsense&page=abc").get_data(as_text=True)
    assert "4 catatan" in page


def test_paginated_like_other_lists(history, app_ctx):
    start = datetime(2026, 11, 20)
    db.session.add_all([LoginAttempt(email=f"u{i}@example.org", ip="10.0.0.1", at=start + timedelta(minutes=i),
                                     success=True) for i in range(30)])
    db.session.commit()
    saved = app_ctx.config["PAGE_SIZE"]
    app_ctx.config["PAGE_SIZE"] = 25
    try:
        page = history.get("/admin/logins").get_data(as_text=True)
        assert "34 catatan" in page and len(rows(page)) == 25 and "Halaman 1 dari 2" in page
        page = history.get("/admin/logins?page=2").get_data(as_text=True)
        assert len(rows(page)) == 9 and rows(page)[-1].startswith("20 November 2026 08.00 WITA u0@example.org")
        assert 'href="/admin/logins?page=1"' in page
        page = history.get("/admin/logins?page=99&email=u2").get_data(as_text=True)  # past the end: the last
        assert "Halaman" not in page and "11 catatan" in page
    finally:
        app_ctx.config["PAGE_SIZE"] = saved


@pytest.mark.parametrize("email", ["dinsos@example.org", "koordinator@example.org", "pimpinan@example.org",
                                   "verifikator@example.org"])
def test_only_admins_open_it(client, world, email):
    assert login(client, email).status_code == 302
    assert client.get("/admin/logins").status_code == 403
    assert "/admin/logins" not in client.get("/admin/users").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, world):
    resp = client.get("/admin/logins")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_linked_from_the_admin_area(as_user, world):
    client = as_user(ADMIN)
    assert 'href="/admin/logins"' in client.get("/admin/users").get_data(as_text=True)
    page = client.get(f"/admin/users/{world.focal.id}/edit").get_data(as_text=True)
    assert 'href="/admin/logins?email=dinsos@example.org"' in page


def test_login_records_the_device(client, world):
    client.post("/login", data={"email": "dinsos@example.org", "password": PASSWORD}, headers={"User-Agent": UA})
    attempt = db.session.scalar(select(LoginAttempt))
    assert (attempt.kind, attempt.success, attempt.user_agent, attempt.ip) == ("login", True, UA, "127.0.0.1")


def test_the_daily_run_deletes_attempts_older_than_the_retention(world, app_ctx):
    """Addresses and browsers are personal data: kept LOGIN_HISTORY_DAYS (365), then gone; 0 keeps all."""
    now = datetime(2026, 11, 27, 2, 0)
    for days in (400, 366, 364, 1):
        db.session.add(LoginAttempt(email=f"{days}@example.org", ip="10.0.0.9", at=now - timedelta(days=days),
                                    success=False))
    db.session.commit()
    runner = app_ctx.test_cli_runner()
    app_ctx.config["LOGIN_HISTORY_DAYS"] = 0
    assert runner.invoke(args=["reminders", "run"]).exit_code == 0
    assert len(db.session.scalars(select(LoginAttempt)).all()) == 4
    app_ctx.config["LOGIN_HISTORY_DAYS"] = 365
    assert runner.invoke(args=["reminders", "run"]).exit_code == 0
    left = sorted(a.email for a in db.session.scalars(select(LoginAttempt)))
    assert left == ["1@example.org", "364@example.org"]
