"""WhatsApp as the outbox's second channel, against a Cloud API stand-in on loopback (tests/whatsapp_server.py):
opting in with an Indonesian number, one digest a day, the platform's errors, delivery statuses through the signed
webhook, and falling back to email when a number cannot receive WhatsApp."""
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import AuditEntry, NotificationPreference, OutboxMessage, User
from coordinator.notifications.outbox import BACKOFF, DeliveryResult, deliver_pending
from coordinator.notifications.phone import normalise_phone
from coordinator.notifications.whatsapp import channel_from_config
from coordinator.reminders.due import run_reminders
from tests.reminders.test_reminders import at
from tests.whatsapp_server import status_webhook

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 24)  # a1 is due on 31 December: due in 7 days, Dinsos' focal point is reminded


def _opt_in(user: User, phone: str = "+6281234567890") -> None:
    user.phone, user.whatsapp_opt_in_at = phone, at(date(2026, 12, 1))
    db.session.commit()


def _whatsapp_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")
                                   .order_by(OutboxMessage.id)))


def _run(smtp, whatsapp, day: date = DAY, hour: int = 7):
    result = run_reminders(db.session, at(day, hour), smtp.mailer(), whatsapp=channel_from_config(whatsapp.config))
    db.session.commit()
    return result


@pytest.mark.parametrize("typed, stored", [
    ("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"), ("6281234567890", "+6281234567890"),
    ("0813 5000 1234", "+6281350001234"), ("", None)])
def test_indonesian_numbers_are_stored_in_e164(typed, stored):
    assert normalise_phone(typed) == stored


def test_a_user_opts_in_with_a_number_and_the_moment_is_recorded(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    page = focal.post("/account/whatsapp", data={"phone": "0541-123456", "opt_in": "y"}).get_data(as_text=True)
    assert "tidak dikenali sebagai nomor ponsel Indonesia" in page  # a landline
    page = focal.post("/account/whatsapp", data={"phone": "", "opt_in": "y"}).get_data(as_text=True)
    assert "Isi nomor WhatsApp" in page
    db.session.expire_all()
    assert db.session.get(User, world.focal.id).whatsapp_opt_in_at is None
    assert focal.post("/account/whatsapp", data={"phone": "0812-3456-7890", "opt_in": "y"}).status_code == 302
    user = db.session.get(User, world.focal.id)
    assert user.phone == "+6281234567890" and user.whatsapp_opt_in_at is not None
    page = focal.get("/account/notifications").get_data(as_text=True)
    assert 'id="whatsapp-on"' in page and "+62 812-3456-7890" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "user",
                                                       AuditEntry.entity_id == str(user.id),
                                                       AuditEntry.operation == "update"))
    assert entry is not None and entry.after.get("phone") == "+6281234567890"
    focal.post("/account/whatsapp", data={"phone": "0812-3456-7890"})  # unticked: opted out
    db.session.expire_all()
    assert db.session.get(User, world.focal.id).whatsapp_opt_in_at is None


def test_one_short_digest_a_day_through_the_cloud_api_alongside_the_email(world, app_ctx, smtp, whatsapp):
    _opt_in(world.focal)
    _run(smtp, whatsapp)
    [sent] = whatsapp.received
    assert sent["to"] == "6281234567890" and sent["template"] == "sitisek_pengingat_harian" and sent["language"] == "id"
    assert sent["params"][:3] == ["Dinsos", "1", "0"] and sent["params"][3].endswith("/notifications")
    assert all("Pendampingan" not in p for p in sent["params"])  # a count and a link: no item, no child
    [row] = _whatsapp_rows()
    assert (row.status, row.provider_message_id, row.delivery_status) == ("sent", sent["id"], "accepted")
    assert sent["key"] == sent["opaque"] and sent["key"].startswith(f"outbox-{row.id}-")
    assert any(m["To"] == "dinsos@example.org" for m in smtp.handler.parsed())  # the email digest as before
    _run(smtp, whatsapp, hour=9)  # a rerun the same day sends nothing more
    assert len(whatsapp.received) == 1
    # English template for an English reader; nobody who has not opted in gets WhatsApp.
    world.focal.locale = "en"
    db.session.commit()
    _run(smtp, whatsapp, day=DAY + timedelta(days=6))  # due in 1 day
    assert whatsapp.received[-1]["template"] == "sitisek_daily_reminders"
    assert {m["to"] for m in whatsapp.received} == {"6281234567890"}


def test_the_platforms_errors_decide_between_retrying_and_giving_up(world, app_ctx, smtp, whatsapp):
    _opt_in(world.focal)
    whatsapp.rate_limited = 1
    _run(smtp, whatsapp)
    [row] = _whatsapp_rows()
    assert row.status == "pending" and "429" in row.last_error and whatsapp.received == []
    later = at(DAY) + BACKOFF[0] + timedelta(minutes=1)
    channel = channel_from_config(whatsapp.config)
    assert deliver_pending(db.session, smtp.mailer(), later, whatsapp=channel) == DeliveryResult(sent=1)
    assert len(whatsapp.received) == 1

    # An expired token: the message waits (an admin renews the token), the number is not blamed.
    _opt_in(world.coordinator, "+6281350001234")
    whatsapp.expired = True
    _run(smtp, whatsapp, day=DAY + timedelta(days=3))  # 27 December: a2 is escalated to the coordinators
    coordinator_row = [r for r in _whatsapp_rows() if r.recipient == "+6281350001234"][-1]
    assert coordinator_row.status == "pending" and "190" in coordinator_row.last_error
    whatsapp.expired = False

    # A template not approved: this message failed for good; the number still works.
    whatsapp.unapproved.add("sitisek_pengingat_harian")
    _run(smtp, whatsapp, day=DAY + timedelta(days=6))
    failed = _whatsapp_rows()[-1]
    assert failed.status == "failed" and "132001" in failed.last_error
    db.session.expire_all()
    assert db.session.get(User, world.focal.id).whatsapp_failed_at is None


def test_a_number_not_on_whatsapp_is_flagged_and_the_person_falls_back_to_email(world, app_ctx, smtp, whatsapp):
    _opt_in(world.focal, "+6281299990000")
    db.session.add(NotificationPreference(user_id=world.focal.id, kind="due_soon", email_enabled=False))
    db.session.commit()
    whatsapp.invalid.add("6281299990000")
    _run(smtp, whatsapp)
    [row] = _whatsapp_rows()
    assert row.status == "failed" and "131026" in row.last_error
    user = db.session.get(User, world.focal.id)
    assert user.whatsapp_failed_at is not None
    assert not [m for m in smtp.handler.parsed() if m["To"] == "dinsos@example.org"]  # email off for this kind
    _run(smtp, whatsapp, day=DAY + timedelta(days=6))  # the next reminder: by email, no more WhatsApp attempts
    assert len(_whatsapp_rows()) == 1 and whatsapp.requests == 1
    assert [m for m in smtp.handler.parsed() if m["To"] == "dinsos@example.org"]


def test_the_server_down_then_back_delivers_each_message_once(world, app_ctx, smtp, whatsapp):
    _opt_in(world.focal)
    whatsapp.stop()
    result = _run(smtp, whatsapp)
    assert result.delivery.retry_later == 1
    [row] = _whatsapp_rows()
    assert row.status == "pending" and "unreachable" in row.last_error
    whatsapp.start()
    channel = channel_from_config(whatsapp.config)
    later = at(DAY) + BACKOFF[0] + timedelta(minutes=1)
    assert deliver_pending(db.session, smtp.mailer(), later, whatsapp=channel).sent == 1
    assert deliver_pending(db.session, smtp.mailer(), later + timedelta(hours=2), whatsapp=channel).sent == 0
    assert len(whatsapp.received) == 1


def test_delivery_statuses_come_signed_and_a_forged_one_changes_nothing(world, app_ctx, client, smtp, whatsapp):
    _opt_in(world.focal)
    db.session.add(NotificationPreference(user_id=world.focal.id, kind="due_soon", email_enabled=False))
    db.session.commit()  # WhatsApp only: a number that fails then gets the message by email
    _run(smtp, whatsapp)
    [sent] = whatsapp.received
    body, signature = status_webhook([{"id": sent["id"], "status": "delivered", "recipient_id": sent["to"]}])
    forged = client.post("/webhooks/whatsapp", data=body, content_type="application/json",
                         headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert forged.status_code == 403 and _whatsapp_rows()[0].delivery_status == "accepted"
    assert client.post("/webhooks/whatsapp", data=body, content_type="application/json").status_code == 403
    ok = client.post("/webhooks/whatsapp", data=body, content_type="application/json",
                     headers={"X-Hub-Signature-256": signature})
    assert ok.status_code == 200 and ok.get_json() == {"ok": True, "updated": 1}
    read, read_sig = status_webhook([{"id": sent["id"], "status": "read", "recipient_id": sent["to"]}])
    client.post("/webhooks/whatsapp", data=read, content_type="application/json",
                headers={"X-Hub-Signature-256": read_sig})
    late = client.post("/webhooks/whatsapp", data=body, content_type="application/json",
                       headers={"X-Hub-Signature-256": signature})  # "delivered" again, late: no step back
    assert late.get_json()["updated"] == 0 and _whatsapp_rows()[0].delivery_status == "read"

    # Failed later, the number cannot receive WhatsApp: flagged, and the message goes by email once.
    failed, failed_sig = status_webhook([{"id": sent["id"], "status": "failed", "recipient_id": sent["to"],
                                          "errors": [{"code": 131026, "title": "Message undeliverable"}]}])
    for _ in range(2):
        client.post("/webhooks/whatsapp", data=failed, content_type="application/json",
                    headers={"X-Hub-Signature-256": failed_sig})
    db.session.expire_all()
    assert db.session.get(User, world.focal.id).whatsapp_failed_at is not None
    fallback = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("%whatsapp-fallback%"))).all()
    assert len(fallback) == 1 and fallback[0].recipient == "dinsos@example.org"
    # Odd JSON, signed: nothing to apply, no error.
    odd = b'{"entry": [{"changes": 5}, {"changes": [{"value": {"statuses": [{"status": ["x"]}]}}]}]}'
    import hashlib
    import hmac
    sig = "sha256=" + hmac.new(whatsapp.config["WHATSAPP_APP_SECRET"].encode(), odd, hashlib.sha256).hexdigest()
    assert client.post("/webhooks/whatsapp", data=odd, content_type="application/json",
                       headers={"X-Hub-Signature-256": sig}).get_json() == {"ok": True, "updated": 0}
    assert client.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
                      ).get_data(as_text=True) == "1158201444"
    assert client.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"
                      ).status_code == 403


@pytest.mark.commits
def test_two_reminder_runs_at_the_same_moment_send_each_whatsapp_message_once(world, app_ctx, whatsapp, smtp,
                                                                             tmp_path):
    for user, phone in ((world.focal, "+6281234567890"), (world.coordinator, "+6281350001234"),
                        (world.other_focal, "+6281377778888")):
        _opt_in(user, phone)
    url = db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "COORDINATOR_ENV": "development", "COORDINATOR_INSTANCE": str(tmp_path), "SECRET_KEY": "x",
           **{k: str(v) for k, v in whatsapp.config.items()}}
    command = [sys.executable, "-m", "flask", "--app", "coordinator", "reminders", "run", "--now",
               at(DAY + timedelta(days=6)).isoformat()]  # 30 December: Dinsos and the coordinators are reminded
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    numbers = [m["to"] for m in whatsapp.received]
    assert sorted(numbers) == sorted(set(numbers)) and len(numbers) >= 2


def test_after_a_rate_limit_the_runs_other_messages_wait_and_keep_their_attempts(world, app_ctx, smtp, whatsapp):
    _opt_in(world.focal)
    _opt_in(world.coordinator, "+6281350001234")
    whatsapp.rate_limited = 1
    _run(smtp, whatsapp, day=DAY + timedelta(days=6))  # 30 December: both are reminded
    rows = _whatsapp_rows()
    assert len(rows) == 2 and whatsapp.requests == 1  # one 429, then the channel rests for this run
    assert sorted(r.attempts for r in rows) == [0, 1] and {r.status for r in rows} == {"pending"}
    later = at(DAY + timedelta(days=6)) + BACKOFF[0] + timedelta(minutes=1)
    assert deliver_pending(db.session, smtp.mailer(), later, whatsapp=channel_from_config(whatsapp.config)).sent == 2
