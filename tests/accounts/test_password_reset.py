"""Forgotten password: the emailed one-time link, through a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from coordinator.accounts.password_reset import KIND_PASSWORD_RESET
from coordinator.extensions import db
from coordinator.models import AuditEntry, LoginAttempt, OutboxMessage, PasswordResetToken, User
from coordinator.notifications import outbox
from coordinator.notifications.mailer import SmtpMailer
from coordinator.notifications.outbox import deliver_pending
from tests.conftest import FIXED_NOW, PASSWORD, login

FOCAL = "dinsos@example.org"
NEW_PASSWORD = "sandi-baru-kutim-2026"
BASE_URL = "https://sitisek.kutaitimurkab.example"
LINK = re.compile(re.escape(BASE_URL) + r"/password/reset/([A-Za-z0-9_-]+)")
NEUTRAL = "Jika alamat itu milik akun yang aktif"


@pytest.fixture()
def mail(smtp, app_ctx):
    """The SMTP server, with BASE_URL set as on a server."""
    saved = app_ctx.config.get("BASE_URL")
    app_ctx.config["BASE_URL"] = BASE_URL + "/"
    yield smtp
    app_ctx.config["BASE_URL"] = saved


def ask(client, email: str, **environ):
    """Posts the "forgot password" form; closing the answer sends the email, as the server does once the
    answer has gone out."""
    resp = client.post("/password/forgot", data={"email": email}, environ_base=environ)
    resp.close()
    return resp


def secrets_mailed(smtp) -> list[str]:
    return [LINK.search(m.get_body(("plain",)).get_content()).group(1) for m in smtp.handler.parsed()]


def link_for(client, smtp, email: str = FOCAL) -> str:
    before = len(smtp.handler.received)
    assert ask(client, email).status_code == 302
    assert len(smtp.handler.received) == before + 1, "the email was not sent at once"
    return secrets_mailed(smtp)[-1]


def set_password(client, secret: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(f"/password/reset/{secret}", data={"new": password, "confirm": confirm or password})


def user(email: str = FOCAL) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def travel(app_ctx, minutes: int) -> None:
    from datetime import datetime, timedelta

    app_ctx.config["FIXED_NOW"] = (datetime.fromisoformat(FIXED_NOW) + timedelta(minutes=minutes)).isoformat()


def test_login_page_links_to_the_form(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Lupa kata sandi?" in page
    form = client.get("/password/forgot").get_data(as_text=True)
    assert 'name="email"' in form and "Kirim tautan" in form


def test_link_by_email_sets_a_new_password(client, world, mail, app_ctx):
    resp = ask(client, "  DINSOS@example.org ", HTTP_USER_AGENT="Mozilla/5.0 (Android 14) Chrome/131")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert NEUTRAL in client.get("/login").get_data(as_text=True)

    [message] = mail.handler.parsed()
    assert message["To"] == FOCAL and message["Subject"] == "Ganti kata sandi SITISEK"
    text = message.get_body(("plain",)).get_content()
    assert "Yth. Dinsos," in text and "27 November 2026 11.00 WITA" in text  # valid 60 minutes, shown in WITA
    secret = LINK.search(text).group(1)
    assert len(secret) >= 43 and f'href="{BASE_URL}/password/reset/{secret}"' in \
        message.get_body(("html",)).get_content()

    # Only the SHA-256 of the secret is kept; the outbox forgets the body once it is sent.
    token = db.session.scalar(select(PasswordResetToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.requested_ip == "127.0.0.1" and token.used_at is None
    assert str(token.expires_at) == "2026-11-27 03:00:00"
    row = db.session.scalar(select(OutboxMessage))
    assert row.kind == KIND_PASSWORD_RESET and row.status == "sent"
    assert secret not in row.body_text and row.body_html is None

    page = client.get(f"/password/reset/{secret}")
    assert page.status_code == 200 and FOCAL in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    resp = set_password(client, secret)
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"  # not signed in automatically
    assert "Kata sandi baru disimpan" in client.get("/login").get_data(as_text=True)
    assert client.get("/actions/mine").status_code == 302
    assert login(client, FOCAL, PASSWORD).status_code == 200  # the old password no longer works
    assert login(client, FOCAL, NEW_PASSWORD).status_code == 302

    db.session.expire_all()
    assert db.session.get(PasswordResetToken, token.id).used_at is not None
    # The change is in the user's history, made by the user, without the hash.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "user",
                                                       AuditEntry.entity_id == str(world.focal.id),
                                                       AuditEntry.operation == "update"))
    assert entry.after == {"password": "diganti"} and entry.user_id == world.focal.id
    # And in the login history.
    kinds = [(a.kind, a.success, a.user_agent) for a in db.session.scalars(
        select(LoginAttempt).where(LoginAttempt.kind != "login").order_by(LoginAttempt.id))]
    assert kinds[0] == ("reset_request", True, "Mozilla/5.0 (Android 14) Chrome/131")
    assert kinds[1][:2] == ("reset_done", True) and kinds[1][2].startswith("Werkzeug/")  # the test client's


def test_same_answer_whatever_the_address(client, world, mail, app_ctx):
    """No account enumeration: an unknown address, a deactivated account and a real one read the same."""
    world.other_focal.active = False
    db.session.commit()
    answers = []
    for email in (FOCAL, "tidak.ada@example.org", "dpppa@example.org", "bukan-email"):
        resp = ask(client, email)
        page = client.get("/login").get_data(as_text=True)
        flash = re.search(r'<div class="flash flash-success" role="status">(.*?)</div>', page, re.S)
        answers.append((resp.status_code, resp.headers.get("Location"), flash.group(1) if flash else None))
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert answers[0][0] == 302 and NEUTRAL in answers[0][2]
    assert [m["To"] for m in mail.handler.parsed()] == [FOCAL]  # only the active account gets an email
    assert db.session.scalar(select(PasswordResetToken.user_id)) == world.focal.id
    requests = db.session.execute(select(LoginAttempt.email, LoginAttempt.success)
                                  .where(LoginAttempt.kind == "reset_request").order_by(LoginAttempt.id)).all()
    assert requests == [(FOCAL, True), ("tidak.ada@example.org", False), ("dpppa@example.org", False),
                        ("bukan-email", False)]
    assert client.post("/password/forgot", data={"email": ""}).status_code == 200  # empty: the form says so


def test_email_in_the_users_language(client, world, mail):
    world.focal.locale = "en"
    db.session.commit()
    link_for(client, mail)
    html = mail.handler.parsed()[0].get_body(("html",)).get_content()
    assert '<html lang="en">' in html and "27 November 2026" in html


def test_signed_in_users_are_sent_to_their_account_page(as_user):
    client = as_user(FOCAL)
    assert client.get("/password/forgot").headers["Location"] == "/account"


def test_expired_link(client, world, mail, app_ctx):
    secret = link_for(client, mail)
    travel(app_ctx, 59)
    assert client.get(f"/password/reset/{secret}").status_code == 200
    travel(app_ctx, 60)
    for resp in (client.get(f"/password/reset/{secret}"), set_password(client, secret)):
        body = resp.get_data(as_text=True)
        assert resp.status_code == 410 and "sudah kedaluwarsa" in body and 'href="/password/forgot"' in body
        assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert user().check_password(PASSWORD)


def test_a_link_works_once(client, world, mail):
    secret = link_for(client, mail)
    assert set_password(client, secret).status_code == 302
    for resp in (client.get(f"/password/reset/{secret}"), set_password(client, secret, "lagi-sandi-lain-2026")):
        assert resp.status_code == 410 and "sudah dipakai" in resp.get_data(as_text=True)
    assert user().check_password(NEW_PASSWORD)


def test_using_one_link_spends_the_others(client, world, mail):
    first = link_for(client, mail)
    second = link_for(client, mail)
    assert first != second
    assert client.get(f"/password/reset/{first}").status_code == 200  # both work until one is used
    assert set_password(client, second).status_code == 302
    resp = client.get(f"/password/reset/{first}")
    assert resp.status_code == 410 and "sudah dipakai" in resp.get_data(as_text=True)
    assert db.session.scalars(select(PasswordResetToken.used_at)).all().count(None) == 0


@pytest.mark.parametrize("make_url, handled", [
    (lambda s: "/password/reset/" + "A" * 43, True),  # never issued
    (lambda s: "/password/reset/" + s[:-1] + ("B" if s[-1] != "B" else "C"), True),  # one character changed
    (lambda s: "/password/reset/" + s[:20], True),  # cut short by a mail program
    (lambda s: "/password/reset/" + s + "x" * 200, True),
    (lambda s: "/password/reset/%00" + s, True),
    (lambda s: "/password/reset/" + s + "%20", True),
    (lambda s: "/password/reset/..%2f..%2fetc", False),  # no such route
], ids=["unknown", "tampered", "truncated", "too-long", "nul", "space", "dots"])
def test_unknown_or_tampered_links(client, world, mail, make_url, handled):
    secret = link_for(client, mail)
    url = make_url(secret)
    for resp in (client.get(url), client.post(url, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})):
        assert resp.status_code == 404, url
        assert ("Tautan ini tidak dikenal" in resp.get_data(as_text=True)) == handled
    assert user().check_password(PASSWORD)
    assert client.get(f"/password/reset/{secret}").status_code == 200  # the real link still works


def test_deactivated_account(client, world, mail, as_user):
    secret = link_for(client, mail)
    admin = as_user("admin@example.org")
    assert admin.post(f"/admin/users/{world.focal.id}/toggle", data={}).status_code == 302
    admin.post("/logout")
    resp = set_password(client, secret)
    assert resp.status_code == 410 and "dinonaktifkan" in resp.get_data(as_text=True)
    assert user().check_password(PASSWORD)
    assert ask(client, FOCAL).status_code == 302 and len(mail.handler.received) == 1  # no new link either


def test_a_password_changed_elsewhere_voids_older_links(app_ctx, world, mail):
    secret = link_for(app_ctx.test_client(), mail)
    own = app_ctx.test_client()
    login(own, FOCAL)
    own.post("/account", data={"pw-current": PASSWORD, "pw-new": "dipilih-sendiri-2026",
                               "pw-confirm": "dipilih-sendiri-2026", "pw-submit": "1"})
    resp = app_ctx.test_client().get(f"/password/reset/{secret}")
    assert resp.status_code == 410 and "sudah diganti" in resp.get_data(as_text=True)


def test_password_rules_of_the_account_page_keep_the_link(client, world, mail):
    secret = link_for(client, mail)
    resp = set_password(client, secret, "pendek")
    assert resp.status_code == 200 and "Kata sandi minimal 12 karakter." in resp.get_data(as_text=True)
    resp = set_password(client, secret, NEW_PASSWORD, "sandi-yang-lain-2026")
    assert resp.status_code == 200 and "Kedua kata sandi tidak sama." in resp.get_data(as_text=True)
    assert user().check_password(PASSWORD)
    assert set_password(client, secret).status_code == 302


def test_a_completed_reset_lifts_the_failed_login_lock(client, world, mail, app_ctx):
    for _ in range(app_ctx.config["LOGIN_MAX_FAILURES"]):
        login(client, FOCAL, "salah")
    assert login(client, FOCAL, PASSWORD).status_code == 429
    # Requests for links (even failed ones) are not failed logins, and do not lift the lock.
    for _ in range(3):
        ask(client, "tidak.ada@example.org")
    ask(client, FOCAL)
    assert login(client, FOCAL, PASSWORD).status_code == 429
    assert set_password(client, secrets_mailed(mail)[-1]).status_code == 302
    assert login(client, FOCAL, NEW_PASSWORD).status_code == 302


def test_smtp_down_leaves_the_email_to_the_scheduler(client, world, mail, app_ctx):
    from datetime import datetime, timedelta

    from tests.smtp_server import _free_port

    port = app_ctx.config["MAIL_PORT"]
    app_ctx.config["MAIL_PORT"] = _free_port()  # nobody listens there
    try:
        resp = ask(client, FOCAL)
        assert resp.status_code == 302 and resp.headers["Location"] == "/login"  # the same answer
    finally:
        app_ctx.config["MAIL_PORT"] = port
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "pending" and row.attempts == 1 and LINK.search(row.body_text)  # kept for the retry
    assert mail.handler.received == []
    later = datetime.fromisoformat(FIXED_NOW) + timedelta(minutes=5)
    assert deliver_pending(db.session, SmtpMailer(app_ctx.config), later).sent == 1
    secret = secrets_mailed(mail)[0]
    assert set_password(client, secret).status_code == 302
    db.session.expire_all()
    assert secret not in db.session.scalar(select(OutboxMessage.body_text))


def test_a_link_that_expired_while_smtp_was_down_is_never_sent(client, world, mail, app_ctx):
    """The retry after the link's hour has passed gives up instead of mailing a dead link; the secret goes."""
    from datetime import datetime, timedelta

    from tests.smtp_server import _free_port

    port = app_ctx.config["MAIL_PORT"]
    app_ctx.config["MAIL_PORT"] = _free_port()  # nobody listens there
    try:
        assert ask(client, FOCAL).status_code == 302
    finally:
        app_ctx.config["MAIL_PORT"] = port
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    token = db.session.scalar(select(PasswordResetToken))
    assert row.status == "pending" and row.expires_at == token.expires_at
    later = datetime.fromisoformat(FIXED_NOW) + timedelta(minutes=61)
    result = deliver_pending(db.session, SmtpMailer(app_ctx.config), later)
    assert (result.sent, result.failed) == (0, 1)
    assert mail.handler.received == []
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "failed" and "expired" in row.last_error and not LINK.search(row.body_text)


def test_password_reset_emails_are_scrubbed_after_delivery(app_ctx):
    assert KIND_PASSWORD_RESET in outbox.SECRET_KINDS


# --- Every password change ends every session -----------------------------------------------------

def _change_on_account_page(app_ctx, world, mail):
    own = app_ctx.test_client()
    login(own, FOCAL)
    resp = own.post("/account", data={"pw-current": PASSWORD, "pw-new": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD,
                                      "pw-submit": "1"})
    assert resp.status_code == 302
    assert own.get("/actions/mine").status_code == 200  # the device that changed it stays signed in


def _change_by_admin(app_ctx, world, mail):
    admin = app_ctx.test_client()
    login(admin, "admin@example.org")
    resp = admin.post(f"/admin/users/{world.focal.id}/password", data={"password": NEW_PASSWORD,
                                                                       "confirm": NEW_PASSWORD})
    assert resp.status_code == 302


def _change_by_link(app_ctx, world, mail):
    client = app_ctx.test_client()
    assert set_password(client, link_for(client, mail)).status_code == 302


@pytest.mark.parametrize("change", [_change_on_account_page, _change_by_admin, _change_by_link],
                         ids=["account-page", "admin", "emailed-link"])
def test_an_old_sessions_cookies_are_refused_after_a_password_change(app_ctx, world, mail, change):
    phone = app_ctx.test_client()
    assert phone.post("/login", data={"email": FOCAL, "password": PASSWORD}).status_code == 302
    session_cookie = phone.get_cookie("session").value
    assert phone.get("/actions/mine").status_code == 200
    change(app_ctx, world, mail)

    stolen = app_ctx.test_client()  # the old session cookie, replayed ("remember me" is the same cookie, kept)
    stolen.set_cookie("session", session_cookie)
    resp = stolen.get("/actions/mine")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert phone.get("/actions/mine").status_code == 302
    assert login(app_ctx.test_client(), FOCAL, NEW_PASSWORD).status_code == 302
