"""The email outbox against a real SMTP server on loopback (aiosmtpd, started by the tests)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coordinator.extensions import db
from coordinator.models import User
from coordinator.models.outbox import OutboxMessage
from coordinator.notifications.mailer import OutgoingMail
from coordinator.notifications.outbox import (
    BACKOFF,
    MAX_ATTEMPTS,
    STUCK_AFTER,
    DeliveryResult,
    deliver_pending,
    enqueue,
    message_id_of,
    outbox_key,
)
from tests.conftest import make_user
from tests.paths import ROOT
from tests.smtp_server import unwire

NOW = datetime(2026, 11, 27, 2, 0)  # conftest's FIXED_NOW: 10:00 WITA
REFUSED = "tidak.ada@example.org"
TEXT_ID = ("Yth. Bapak/Ibu,\n\nTahapan «Sosialisasi tahap I» jatuh tempo besok — mohon laporkan kemajuan. "
           "Terima kasih 🙏")
HTML_ID = "<p>Yth. Bapak/Ibu,</p><p>Tahapan <b>«Sosialisasi tahap I»</b> jatuh tempo besok — mohon laporkan.</p>"


def _enqueue(n: int = 1, *, user: User | None = None, recipient: str | None = None, **kw) -> list[str]:
    keys = []
    for i in range(n):
        to = recipient or (user.email if user else f"fokal{i}@example.org")
        key = outbox_key(to, f"milestone:{i}", "due", "2026-11-28", "1d")
        assert enqueue(db.session, key=key, recipient=to, user_id=user.id if user else None, kind="due",
                       subject=kw.get("subject", f"Pengingat {i}: tahapan jatuh tempo besok"),
                       body_text=kw.get("body_text", TEXT_ID), body_html=kw.get("body_html"),
                       attachment=kw.get("attachment"), now=NOW)
        keys.append(key)
    db.session.commit()
    return keys


def _rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_twice_records_one_row(app_ctx):
    user = make_user("dinsos@example.org", "fokal")
    db.session.flush()
    args = dict(key=outbox_key(user.email, "milestone:7", "due", "2026-11-28", "1d"), recipient=user.email,
                user_id=user.id, kind="due", subject="Pengingat", body_text=TEXT_ID, now=NOW)
    assert enqueue(db.session, **args) is True
    assert enqueue(db.session, **args) is False
    db.session.commit()
    assert enqueue(db.session, **{**args, "subject": "Lain"}) is False  # a rerun after commit changes nothing
    db.session.commit()
    rows = _rows()
    assert len(rows) == 1
    assert (rows[0].status, rows[0].attempts, rows[0].subject, rows[0].next_attempt_at) == ("pending", 0,
                                                                                            "Pengingat", NOW)


@pytest.mark.commits
def test_two_sessions_enqueueing_the_same_keys_at_once_record_each_once(app_ctx):
    engine = db.engine
    barrier = threading.Barrier(2)
    inserted: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                count = 0
                for i in range(20):
                    to = f"fokal{i}@example.org"
                    count += enqueue(session, key=outbox_key(to, "action:1", "overdue", "2026-11-20", "1"),
                                     recipient=to, user_id=None, kind="overdue", subject=f"Terlambat {i}",
                                     body_text=TEXT_ID, now=NOW)
                session.commit()
                inserted.append(count)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(inserted) == 20
    assert len(_rows()) == 20


def test_long_keys_are_hashed_and_stay_unique():
    a = outbox_key("x" * 400, 1)
    b = outbox_key("x" * 400, 2)
    assert len(a) == len(b) == 300 and a != b


def test_deliver_sends_once_with_content_intact(app_ctx, smtp, tmp_path):
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% ringkasan kemajuan\n%%EOF\n")
    _enqueue(1, recipient="Dinsos@example.org", subject="Pengingat: «Sosialisasi tahap I» jatuh tempo besok",
             body_html=HTML_ID, attachment=("Ringkasan November.pdf", str(pdf)))

    result = deliver_pending(db.session, smtp.mailer(), NOW)
    assert result == DeliveryResult(sent=1)
    again = deliver_pending(db.session, smtp.mailer(), NOW + timedelta(hours=1))
    assert again == DeliveryResult()

    assert len(smtp.handler.received) == 1
    mail_from, rcpt_tos, _raw = smtp.handler.received[0]
    assert mail_from == "sitisek@kutaitimurkab.example" and rcpt_tos == ["Dinsos@example.org"]
    msg = smtp.handler.parsed()[0]
    assert msg["Subject"] == "Pengingat: «Sosialisasi tahap I» jatuh tempo besok"
    assert msg["To"] == "Dinsos@example.org"
    assert "sitisek@kutaitimurkab.example" in msg["From"]
    assert unwire(msg.get_body(preferencelist=("plain",)).get_content()) == TEXT_ID
    assert unwire(msg.get_body(preferencelist=("html",)).get_content()) == HTML_ID
    attachments = list(msg.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_filename() == "Ringkasan November.pdf"
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == pdf.read_bytes()

    [row] = _rows()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, NOW, None)


@pytest.mark.commits
def test_two_runs_at_the_same_moment_send_each_message_once(app_ctx, smtp):
    keys = _enqueue(12)
    smtp.handler.delay = 0.02  # a slow server keeps both runs busy at the same time
    engine = db.engine
    barrier = threading.Barrier(2)
    results: list[DeliveryResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            mailer = smtp.mailer()
            barrier.wait()
            results.append(deliver_pending(lambda: Session(engine), mailer, NOW, batch=5))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(r.sent for r in results) == len(keys)
    assert sum(r.failed + r.retry_later for r in results) == 0
    subjects = smtp.handler.subjects()
    assert len(subjects) == len(keys) and set(subjects.values()) == {1}
    assert {r.status for r in _rows()} == {"sent"}


@pytest.mark.commits
def test_two_cli_processes_at_the_same_moment_send_each_message_once(app_ctx, smtp, tmp_path):
    """Two `outbox deliver` processes started together, against the test database built by the migrations."""
    keys = _enqueue(10)
    smtp.handler.delay = 0.02
    url = db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "COORDINATOR_ENV": "development", "COORDINATOR_INSTANCE": str(tmp_path), "SECRET_KEY": "x"}
    command = [sys.executable, "-m", "flask", "--app", "coordinator", "outbox", "deliver", "--now", NOW.isoformat()]
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "sent=" in out
    total = sum(int(out.split("sent=")[1].split()[0]) for out, _err in outputs)
    assert total == len(keys)
    subjects = smtp.handler.subjects()
    assert len(subjects) == len(keys) and set(subjects.values()) == {1}


def test_smtp_down_fails_softly_and_the_next_run_delivers_once(app_ctx, smtp):
    _enqueue(1)
    smtp.stop()

    result = deliver_pending(db.session, smtp.mailer(), NOW)
    assert result == DeliveryResult(retry_later=1)
    [row] = _rows()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + BACKOFF[0])
    assert row.last_error and "Connection" in row.last_error

    smtp.start()
    # Before the backoff has passed, nothing is due, even with the server back.
    assert deliver_pending(db.session, smtp.mailer(), NOW + timedelta(minutes=1)) == DeliveryResult()
    assert smtp.handler.received == []

    later = NOW + BACKOFF[0] + timedelta(minutes=1)
    assert deliver_pending(db.session, smtp.mailer(), later) == DeliveryResult(sent=1)
    assert deliver_pending(db.session, smtp.mailer(), later + timedelta(days=1)) == DeliveryResult()
    assert len(smtp.handler.received) == 1
    [row] = _rows()
    assert (row.status, row.attempts, row.sent_at) == ("sent", 2, later)


def test_gives_up_after_the_last_attempt(app_ctx, smtp):
    _enqueue(1)
    smtp.stop()
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = deliver_pending(db.session, smtp.mailer(), now)
        [row] = _rows()
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert result == DeliveryResult(retry_later=1) and row.status == "pending"
            assert row.next_attempt_at == now + BACKOFF[attempt - 1]
            now = row.next_attempt_at
        else:
            assert result == DeliveryResult(failed=1) and row.status == "failed"
            assert row.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")


def test_recipient_refused_for_good_fails_and_flags_the_user(app_ctx, smtp):
    user = make_user(REFUSED, "fokal")
    ok_user = make_user("dpppa@example.org", "fokal")
    db.session.commit()
    smtp.handler.refuse.add(REFUSED)
    _enqueue(1, user=user)
    _enqueue(1, user=ok_user)

    result = deliver_pending(db.session, smtp.mailer(), NOW)
    assert result == DeliveryResult(sent=1, failed=1)
    refused, delivered = _rows()
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550" in refused.last_error
    assert delivered.status == "sent"
    db.session.refresh(user)
    assert user.email_undeliverable_at == NOW
    assert "550" in user.email_undeliverable_reason and "User unknown" in user.email_undeliverable_reason
    assert [t for _f, t, _r in smtp.handler.received] == [["dpppa@example.org"]]

    # Later reminders to the flagged address are recorded as failed, never sent.
    key = outbox_key(REFUSED, "action:3", "overdue", "2026-11-20", "1")
    assert enqueue(db.session, key=key, recipient=REFUSED, user_id=user.id, kind="overdue", subject="Terlambat",
                   body_text=TEXT_ID, now=NOW + timedelta(days=1))
    db.session.commit()
    later = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    assert later.status == "failed" and "undeliverable" in later.last_error
    assert deliver_pending(db.session, smtp.mailer(), NOW + timedelta(days=2)) == DeliveryResult()


def test_message_recorded_before_the_flag_is_not_sent(app_ctx, smtp):
    user = make_user(REFUSED, "fokal")
    db.session.commit()
    _enqueue(1, user=user)
    db.session.execute(update(User).where(User.id == user.id)
                       .values(email_undeliverable_at=NOW, email_undeliverable_reason="550 User unknown"))
    db.session.commit()
    assert deliver_pending(db.session, smtp.mailer(), NOW) == DeliveryResult(failed=1)
    assert smtp.handler.received == []


def test_message_stuck_in_sending_is_released_and_sent(app_ctx, smtp):
    stuck_key, recent_key = _enqueue(2)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.key == stuck_key).values(
        status="sending", claim_token="crashed-run", claimed_at=NOW - timedelta(minutes=20)))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.key == recent_key).values(
        status="sending", claim_token="running-run", claimed_at=NOW - timedelta(minutes=10)))
    db.session.commit()

    result = deliver_pending(db.session, smtp.mailer(), NOW)
    assert result == DeliveryResult(sent=1, released=1)
    stuck, recent = _rows()
    assert (stuck.status, stuck.attempts) == ("sent", 2)  # the crashed claim counts as an attempt
    assert (recent.status, recent.claim_token) == ("sending", "running-run")  # another run may still be on it
    assert len(smtp.handler.received) == 1


class Killed(BaseException):
    """The process dying (SIGKILL, power cut): nothing after it runs, no `except Exception` catches it."""


class DiesAfterSmtpAccepts:
    """Sends for real, then the process dies before the outbox row is marked sent."""

    def __init__(self, mailer) -> None:
        self.mailer = mailer

    def send(self, mail: OutgoingMail) -> None:
        self.mailer.send(mail)
        raise Killed


def test_a_crash_after_smtp_accepted_resends_with_the_same_message_id(app_ctx, smtp):
    """The one window the claim cannot close: SMTP accepted the message, the run died before marking it sent. The
    message goes out again once the claim is released (at least once, never lost), and both copies carry the
    same Message-ID, derived from the row, so a mail system or the reader's client can drop the second."""
    _enqueue(2)
    with pytest.raises(Killed):
        deliver_pending(db.session, DiesAfterSmtpAccepts(smtp.mailer()), NOW)
    db.session.rollback()  # what the dead process had not committed is gone
    first, second = _rows()
    assert (first.status, first.sent_at, second.status) == ("sending", None, "pending")
    assert len(smtp.handler.received) == 1

    later = NOW + STUCK_AFTER + timedelta(minutes=1)
    assert deliver_pending(db.session, smtp.mailer(), later) == DeliveryResult(sent=2, released=1)
    first, second = _rows()
    assert (first.status, first.attempts, second.status) == ("sent", 2, "sent")
    received = [(str(m["Subject"]), str(m["Message-ID"])) for m in smtp.handler.parsed()]
    copies = [mid for subject, mid in received if subject == first.subject]
    assert len(received) == 3 and len(copies) == 2  # the first message twice, the second once
    expected = f"<{message_id_of(first.id, first.key, first.created_at)}@kutaitimurkab.example>"
    assert copies == [expected, expected] and expected.startswith(f"<outbox-{first.id}-")
    other = next(mid for subject, mid in received if subject == second.subject)
    assert other == f"<{message_id_of(second.id, second.key, second.created_at)}@kutaitimurkab.example>" != expected
    # The same row id in another database (made again, or restored) is another message: another Message-ID.
    assert message_id_of(first.id, "another|key", first.created_at) != message_id_of(first.id, first.key,
                                                                                      first.created_at)


def test_cli_deliver_and_list(app_ctx, smtp):
    _enqueue(2)
    runner = app_ctx.test_cli_runner()
    out = runner.invoke(args=["outbox", "deliver", "--now", "2026-11-27T10:00:00+08:00"])
    assert out.exit_code == 0, out.output
    assert "sent=2 failed=0 retry_later=0" in out.output
    assert {r.sent_at for r in _rows()} == {NOW}
    out = runner.invoke(args=["outbox", "list", "--status", "sent"])
    assert out.exit_code == 0, out.output
    assert "fokal0@example.org" in out.output and "fokal1@example.org" in out.output
    out = runner.invoke(args=["outbox", "list", "--status", "failed"])
    assert "No messages." in out.output
    bad = runner.invoke(args=["outbox", "deliver", "--now", "besok"])
    assert bad.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
