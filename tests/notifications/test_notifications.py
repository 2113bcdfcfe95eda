"""The bell, email preferences, the reminder rules and the admins' outbox page, through the web client."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import (
    COORDINATOR_KINDS,
    KIND_DUE_SOON,
    KIND_OVERDUE,
    KIND_WEEKLY_SUMMARY,
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENDING,
    OUTBOX_SENT,
    REMINDER_KINDS,
    Notification,
    NotificationPreference,
    OutboxMessage,
    ReminderSettings,
    User,
)
from coordinator.notifications import center as service
from tests.conftest import FIXED_NOW, login

NOW = datetime.fromisoformat(FIXED_NOW)
LEADER, FOCAL, OTHER_FOCAL = "pimpinan@example.org", "dinsos@example.org", "dpppa@example.org"
COORDINATOR, ADMIN = "koordinator@example.org", "admin@example.org"
ROLES = {"anonymous": None, "leader": LEADER, "focal": FOCAL, "coordinator": COORDINATOR, "admin": ADMIN}


def page(resp) -> str:
    return resp.get_data(as_text=True)


def uid(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def notify(email: str, title: str, *, url: str | None = "/actions", read: bool = False, minutes: int = 0,
           kind: str = KIND_DUE_SOON) -> int:
    note = Notification(key=f"{email}|{title}|{minutes}", user_id=uid(email), kind=kind, title=title, body=None,
                        url=url, created_at=NOW - timedelta(minutes=minutes), read_at=NOW if read else None)
    db.session.add(note)
    db.session.commit()
    return note.id


def message(status: str = OUTBOX_FAILED, recipient: str = "dinsos@example.org", attempts: int = 6,
            error: str | None = "gave up") -> int:
    msg = OutboxMessage(key=f"{recipient}|{status}|{attempts}|{error}", recipient=recipient, user_id=uid(recipient),
                        kind=KIND_OVERDUE, subject="Pengingat: aksi terlambat", body_text="isi", status=status,
                        attempts=attempts, created_at=NOW - timedelta(hours=1),
                        next_attempt_at=NOW + timedelta(hours=6),
                        last_error=error, claim_token="abc" if status == OUTBOX_SENDING else None,
                        sent_at=NOW if status == OUTBOX_SENT else None)
    db.session.add(msg)
    db.session.commit()
    return msg.id


def settings_row() -> tuple:
    db.session.expire_all()
    return db.session.execute(select(
        ReminderSettings.due_soon_days, ReminderSettings.overdue_first_day, ReminderSettings.overdue_repeat_days,
        ReminderSettings.monthly_update_day, ReminderSettings.escalate_after_days,
        ReminderSettings.indicator_reminders, ReminderSettings.daily_run_time,
        ReminderSettings.weekly_summary_weekday)).all()


GOOD_SETTINGS = {"due_soon_days": "30, 7,1", "overdue_first_day": "2", "overdue_repeat_days": "14",
                 "monthly_update_day": "20", "escalate_after_days": "21", "indicator_reminders": "y",
                 "daily_run_time": "06:30", "weekly_summary_weekday": "4", "review_wait_days": "4"}


# --- Every route for every role ----------------------------------------------------------------------

LOGIN = 302
# endpoint key: (GET statuses, POST statuses) by role; None = method not allowed (405) for everyone.
EXPECTED = {
    "/notifications": ({"leader": 200, "focal": 200, "coordinator": 200, "admin": 200}, None),
    "/notifications/{own}/open": ({"leader": 404, "focal": 302, "coordinator": 404, "admin": 404}, None),
    "/notifications/read-all": (None, {"leader": 302, "focal": 302, "coordinator": 302, "admin": 302}),
    "/account/notifications": ({"leader": 200, "focal": 200, "coordinator": 200, "admin": 200},
                               {"leader": 302, "focal": 302, "coordinator": 302, "admin": 302}),
    "/reminders/settings": ({"leader": 403, "focal": 403, "coordinator": 200, "admin": 200},
                            {"leader": 403, "focal": 403, "coordinator": 302, "admin": 302}),
    "/admin/outbox": ({"leader": 403, "focal": 403, "coordinator": 403, "admin": 200}, None),
    "/admin/outbox/{message}/retry": (None, {"leader": 403, "focal": 403, "coordinator": 403, "admin": 302}),
}
CASES = [(url, method, role) for url in EXPECTED for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize("url, method, role", CASES, ids=[f"{m}-{u}-{r}" for u, m, r in CASES])
def test_route_statuses(url, method, role, client, world):
    ids = {"own": notify(FOCAL, "Tenggat 7 hari: Pelaksanaan"), "message": message()}
    if role != "anonymous":
        assert login(client, ROLES[role]).status_code == 302
    get_rules, post_rules = EXPECTED[url]
    rules = get_rules if method == "GET" else post_rules
    resp = client.open(url.format(**ids), method=method, data={})
    if rules is None:
        assert resp.status_code == 405
    elif role == "anonymous":
        assert resp.status_code == LOGIN and "/login" in resp.headers["Location"]
    else:
        assert resp.status_code == rules[role], f"{method} {url} as {role}: {resp.status_code}"


def test_missing_ids_are_404(as_user):
    client = as_user(ADMIN)
    assert client.get("/notifications/999999/open").status_code == 404
    assert client.get(f"/notifications/{2**63}/open").status_code == 404
    assert client.post("/admin/outbox/999999/retry").status_code == 404


# --- The bell ----------------------------------------------------------------------------------------

def test_unread_count_in_every_page(as_user):
    for i in range(3):
        notify(FOCAL, f"Pengingat {i}", minutes=i)
    notify(FOCAL, "Sudah dibaca", read=True)
    notify(OTHER_FOCAL, "Bukan milik Dinsos")
    client = as_user(FOCAL)
    html = page(client.get("/actions"))
    assert re.search(r'href="/notifications" class="bell">.*?<span class="badge[^"]*"[^>]*>3</span>', html, re.S)
    html = page(as_user(OTHER_FOCAL).get("/plan"))
    assert re.search(r'href="/notifications" class="bell">[^<]*Notifikasi <span[^>]*>1</span>', html)
    html = page(as_user(LEADER).get("/plan"))
    assert 'class="bell"' in html and not re.search(r'class="bell">[^<]*<span', html)  # nothing unread: no number


def test_list_newest_first_unread_highlighted_and_paginated(as_user, app_ctx):
    for i in range(30):
        notify(FOCAL, f"Pengingat nomor {i:02d}", minutes=i, read=i % 2 == 1)
    client = as_user(FOCAL)
    html = page(client.get("/notifications"))
    titles = re.findall(r"Pengingat nomor (\d\d)", html)
    assert titles == [f"{i:02d}" for i in range(app_ctx.config["PAGE_SIZE"])]
    assert '<li class="notification unread"' in html and '<strong>Pengingat nomor 00</strong>' in html
    assert '<strong>Pengingat nomor 01</strong>' not in html
    assert "15 belum dibaca" in html
    html2 = page(client.get("/notifications?page=2"))
    assert re.findall(r"Pengingat nomor (\d\d)", html2) == [f"{i:02d}" for i in range(25, 30)]
    assert client.get("/notifications?page=abc").status_code == 200
    assert client.get("/notifications?page=99999999999999999999999").status_code == 200


def test_opening_marks_read_and_redirects_to_the_item(as_user):
    note = notify(FOCAL, "Aksi terlambat", url="/actions/1")
    client = as_user(FOCAL)
    resp = client.get(f"/notifications/{note}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == "/actions/1"
    db.session.expire_all()
    first_read = db.session.get(Notification, note).read_at
    assert first_read == NOW
    assert client.get(f"/notifications/{note}/open").status_code == 302  # opening again is harmless


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)", None])
def test_opening_only_redirects_to_local_paths(as_user, url):
    note = notify(FOCAL, "Tautan aneh", url=url)
    resp = as_user(FOCAL).get(f"/notifications/{note}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == "/notifications"


def test_another_users_notification_is_404_and_stays_unread(as_user):
    note = notify(FOCAL, "Milik Dinsos")
    for email in (OTHER_FOCAL, COORDINATOR, ADMIN):
        assert as_user(email).get(f"/notifications/{note}/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note).read_at is None


def test_read_all_marks_only_mine(as_user):
    mine = [notify(FOCAL, f"Saya {i}", minutes=i) for i in range(3)]
    theirs = notify(OTHER_FOCAL, "Mereka")
    client = as_user(FOCAL)
    assert client.post("/notifications/read-all").status_code == 302
    db.session.expire_all()
    assert all(db.session.get(Notification, i).read_at == NOW for i in mine)
    assert db.session.get(Notification, theirs).read_at is None
    assert 'class="bell">' in page(client.get("/plan")) and "belum dibaca" not in page(client.get("/plan"))


def test_read_all_needs_csrf(as_user, app_ctx):
    notify(FOCAL, "Saya")
    client = as_user(FOCAL)
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/notifications/read-all").status_code == 400
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))) == 1


# --- Email preferences ---------------------------------------------------------------------------------

def test_preferences_saved_and_read_back(as_user):
    client = as_user(FOCAL)
    html = page(client.get("/account/notifications"))
    assert "Tenggat yang mendekat" in html and "Laporan kemajuan bulanan belum diisi" in html
    assert "Ringkasan mingguan" not in html  # focal points get no weekly summary
    assert html.count("checked") == len(REMINDER_KINDS) - len(COORDINATOR_KINDS)  # everything on by default
    data = {"submitted": "1", f"email_{KIND_OVERDUE}": "y", "email_weekly_summary": "y"}
    assert client.post("/account/notifications", data=data).status_code == 302
    prefs = service.email_preferences(db.session, uid(FOCAL))
    assert prefs[KIND_OVERDUE] is True and prefs[KIND_DUE_SOON] is False
    assert service.wants_email(db.session, uid(FOCAL), KIND_DUE_SOON) is False
    assert service.wants_email(db.session, uid(FOCAL), KIND_OVERDUE) is True
    # The weekly summary was not on the focal point's form: not stored.
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)
                             .where(NotificationPreference.kind == KIND_WEEKLY_SUMMARY)) == 0
    html = page(client.get("/account/notifications"))
    assert re.search(rf'id="email_{KIND_OVERDUE}"[^>]*checked|checked[^>]*id="email_{KIND_OVERDUE}"', html)
    assert not re.search(rf'id="email_{KIND_DUE_SOON}"[^>]*checked|checked[^>]*id="email_{KIND_DUE_SOON}"', html)
    # Everything off, then on again: rows are updated, not doubled.
    client.post("/account/notifications", data={"submitted": "1"})
    prefs = service.email_preferences(db.session, uid(FOCAL))
    assert not any(v for k, v in prefs.items() if k not in COORDINATOR_KINDS)
    client.post("/account/notifications", data={"submitted": "1", **{f"email_{k}": "y" for k in REMINDER_KINDS}})
    assert all(service.email_preferences(db.session, uid(FOCAL)).values())
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == \
        len(REMINDER_KINDS) - len(COORDINATOR_KINDS)
    # Another user's choices are untouched.
    assert all(service.email_preferences(db.session, uid(OTHER_FOCAL)).values())


def test_coordinators_choose_about_the_weekly_summary(as_user):
    client = as_user(COORDINATOR)
    assert "Ringkasan mingguan untuk koordinator" in page(client.get("/account/notifications"))
    client.post("/account/notifications", data={"submitted": "1", f"email_{KIND_DUE_SOON}": "y"})
    assert service.wants_email(db.session, uid(COORDINATOR), KIND_WEEKLY_SUMMARY) is False


def test_preferences_page_in_english(as_user):
    user = db.session.scalar(select(User).where(User.email == FOCAL))
    user.locale = "en"
    db.session.commit()
    html = page(as_user(FOCAL).get("/account/notifications"))
    assert 'lang="en"' in html


# --- Reminder rules ------------------------------------------------------------------------------------

def test_settings_row_created_with_defaults_on_first_use(as_user):
    assert settings_row() == []
    html = page(as_user(COORDINATOR).get("/reminders/settings"))
    assert settings_row() == [("14,7,1", 1, 7, 25, 14, True, "07:00", 0)]
    assert 'value="14,7,1"' in html and 'value="07:00"' in html
    as_user(ADMIN).get("/reminders/settings")
    assert len(settings_row()) == 1


def test_settings_saved(as_user):
    client = as_user(COORDINATOR)
    resp = client.post("/reminders/settings", data=GOOD_SETTINGS)
    assert resp.status_code == 302, page(resp)[:2000]
    assert settings_row() == [("30,7,1", 2, 14, 20, 21, True, "06:30", 4)]
    data = dict(GOOD_SETTINGS)
    del data["indicator_reminders"]  # an unticked box is not posted
    client.post("/reminders/settings", data=data)
    assert settings_row()[0][5] is False
    assert service.due_soon_list(db.session.scalars(select(ReminderSettings)).one()) == [30, 7, 1]


BAD_SETTINGS = [
    ("due_soon_days", "", "Wajib diisi."),
    ("due_soon_days", "14,0,1", "Setiap jumlah hari harus bilangan bulat 1–90"),
    ("due_soon_days", "91", "Setiap jumlah hari harus bilangan bulat 1–90"),
    ("due_soon_days", "7;1", "Setiap jumlah hari harus bilangan bulat 1–90"),
    ("due_soon_days", "-1", "Setiap jumlah hari harus bilangan bulat 1–90"),
    ("due_soon_days", ",,", "Isi paling sedikit satu jumlah hari"),
    ("due_soon_days", "1,2,3,4,5,6,7,8,9,10,11", "Paling banyak 10 jumlah hari."),
    ("due_soon_days", "x" * 500, "Paling banyak 40 karakter."),
    ("monthly_update_day", "29", "Harus antara 1 dan 28."),
    ("monthly_update_day", "0", "Harus antara 1 dan 28."),
    ("monthly_update_day", "abc", "Bukan bilangan bulat yang sah."),
    ("monthly_update_day", "", "Wajib diisi."),
    ("overdue_repeat_days", "99999999999999999999999", "Harus antara 1 dan 90."),
    ("escalate_after_days", "-5", "Harus antara 1 dan 365."),
    ("daily_run_time", "7:00", "Tulis jam sebagai JJ:MM"),
    ("daily_run_time", "24:00", "Tulis jam sebagai JJ:MM"),
    ("daily_run_time", "07:60", "Tulis jam sebagai JJ:MM"),
    ("daily_run_time", "pagi", "Tulis jam sebagai JJ:MM"),
    ("weekly_summary_weekday", "7", "Pilihan tidak sah."),
    ("weekly_summary_weekday", "senin", "Pilihan tidak sah."),
]


@pytest.mark.parametrize("field, value, message", BAD_SETTINGS, ids=[f"{f}={v[:12]}" for f, v, _m in BAD_SETTINGS])
def test_bad_settings_rerender_in_indonesian_and_change_nothing(as_user, field, value, message):
    client = as_user(COORDINATOR)
    client.get("/reminders/settings")
    before = settings_row()
    resp = client.post("/reminders/settings", data={**GOOD_SETTINGS, field: value})
    assert resp.status_code == 200
    html = page(resp)
    assert "Periksa kembali isian yang ditandai." in html
    assert message.replace("'", "&#39;") in html
    assert re.search(rf'id="{field}-err"', html), "the message sits on its field"
    assert settings_row() == before


def test_settings_service_validates_on_its_own(app_ctx):
    with pytest.raises(DomainError):
        service.update_settings(db.session, service.SettingsInput("14,7", 1, 7, 29, 14, True, "07:00", 0), NOW)
    with pytest.raises(DomainError):
        service.update_settings(db.session, service.SettingsInput("14", 1, 7, 25, 14, True, "7am", 0), NOW)
    assert service.normalise_due_soon_days(" 1, 14 ,7,7 ") == "14,7,1"
    assert db.session.scalar(select(func.count()).select_from(ReminderSettings)) == 0


# --- The outbox ------------------------------------------------------------------------------------------

def test_outbox_lists_messages_filters_and_shows_flagged_users(as_user):
    failed = message(OUTBOX_FAILED, error="550 5.1.1 <dinsos@example.org>: user unknown")
    message(OUTBOX_SENT, recipient="dpppa@example.org", attempts=1, error=None)
    message(OUTBOX_PENDING, recipient="pimpinan@example.org", attempts=2, error="421 try later")
    user = db.session.scalar(select(User).where(User.email == FOCAL))
    user.email_undeliverable_at = NOW
    user.email_undeliverable_reason = "550 5.1.1 user unknown"
    db.session.commit()
    client = as_user(ADMIN)
    html = page(client.get("/admin/outbox"))
    assert "3 pesan" in html and "Gagal (1)" in html and "Terkirim (1)" in html and "Menunggu (1)" in html
    assert "421 try later" in html and "Pengingat: aksi terlambat" in html
    assert f"/admin/outbox/{failed}/retry" in html
    flagged = html.split('id="undeliverable-list"')[1]
    assert "dinsos@example.org" in flagged and "550 5.1.1 user unknown" in flagged
    assert "dpppa@example.org" not in flagged
    html = page(client.get("/admin/outbox?status=failed"))
    rows = html.split('id="outbox-list"')[1].split("</table>")[0]
    assert "1 pesan" in html and "user unknown" in rows and "421 try later" not in rows
    assert client.get("/admin/outbox?status=nonsense&page=-3").status_code == 200


def test_retry_puts_a_failed_message_back_to_pending_now(as_user):
    failed = message(OUTBOX_FAILED)
    client = as_user(ADMIN)
    resp = client.post(f"/admin/outbox/{failed}/retry", data={"next": "/admin/outbox?status=failed"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/outbox?status=failed"
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, failed)
    assert (msg.status, msg.next_attempt_at, msg.attempts) == (OUTBOX_PENDING, NOW, 0)


@pytest.mark.parametrize("status", [OUTBOX_SENT, OUTBOX_SENDING])
def test_retry_leaves_sent_and_claimed_messages_alone(as_user, status):
    mid = message(status, attempts=1)
    client = as_user(ADMIN)
    resp = client.post(f"/admin/outbox/{mid}/retry", data={"next": "https://evil.example/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/outbox"
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, mid)
    assert (msg.status, msg.attempts) == (status, 1)
    assert "sedang dikirim atau sudah terkirim" in page(client.get("/admin/outbox"))


def test_coordinator_cannot_retry(as_user):
    failed = message(OUTBOX_FAILED)
    assert as_user(COORDINATOR).post(f"/admin/outbox/{failed}/retry").status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed).status == OUTBOX_FAILED


def test_every_mistake_is_shown_at_once(as_user):
    client = as_user(ADMIN)
    resp = client.post("/reminders/settings", data={**GOOD_SETTINGS, "due_soon_days": "0", "monthly_update_day": "30",
                                                     "daily_run_time": "7.00"})
    html = page(resp)
    assert resp.status_code == 200
    for field in ("due_soon_days", "monthly_update_day", "daily_run_time"):
        assert f'id="{field}-err"' in html
    assert settings_row() == [("14,7,1", 1, 7, 25, 14, True, "07:00", 0)]  # created on first use, unchanged
