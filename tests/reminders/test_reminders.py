"""Reminder rules, digests and `flask reminders run`, against a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from coordinator.core.clock import WITA
from coordinator.extensions import db
from coordinator.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Notification,
    NotificationPreference,
    OutboxMessage,
    ProgressUpdate,
)
from coordinator.reminders.due import collect, load_settings, run_reminders
from coordinator.reminders.stages import parse_days
from tests.conftest import make_user
from tests.paths import ROOT
from tests.smtp_server import unwire


def at(d: date, hour: int = 7) -> datetime:
    """`hour` o'clock WITA on day d, as the naive UTC the services take."""
    return datetime.combine(d, time(hour), tzinfo=WITA).astimezone(UTC).replace(tzinfo=None)


def due(world, d: date) -> list[tuple[str, str, str, str]]:
    """(recipient, kind, item, stage) of every reminder at 07:00 WITA on day d."""
    settings = load_settings(db.session)
    return sorted((r.recipient, r.kind, f"{r.item_type}:{r.item_id}", r.stage)
                  for r in collect(db.session, at(d), settings))


def _cli(app):
    return app.test_cli_runner()


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_parse_days():
    assert parse_days("14,7,1") == [14, 7, 1]
    assert parse_days(" 7; x, 0, -3, 30 ,7") == [30, 7]
    assert parse_days(None) == []


def test_due_soon_on_14_7_and_1_days_before_only(world):
    m2 = f"milestone:{world.m2.id}"  # Dinsos, due 1 December 2026
    hits = {d: [r for r in due(world, d) if r[2] == m2] for d in
            (date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 24), date(2026, 11, 30), date(2026, 12, 1))}
    assert hits[date(2026, 11, 17)] == [("dinsos@example.org", "due_soon", m2, "d-14")]
    assert hits[date(2026, 11, 18)] == []
    assert hits[date(2026, 11, 24)] == [("dinsos@example.org", "due_soon", m2, "d-7")]
    assert hits[date(2026, 11, 30)] == [("dinsos@example.org", "due_soon", m2, "d-1")]
    assert hits[date(2026, 12, 1)] == []  # due today: not yet late


def test_overdue_on_day_1_and_8_not_day_2(world):
    m3 = f"milestone:{world.m3.id}"  # DPPPA, due 20 November 2026

    def on(d):
        return [r for r in due(world, d) if r[2] == m3]

    assert on(date(2026, 11, 21)) == [("dpppa@example.org", "overdue", m3, "late-1")]
    assert on(date(2026, 11, 22)) == []
    assert on(date(2026, 11, 28)) == [("dpppa@example.org", "overdue", m3, "late-8")]
    world.m3.state = "selesai"
    world.m3.completed_on = date(2026, 11, 27)
    db.session.flush()
    assert on(date(2026, 11, 28)) == []  # done: no more reminders


def test_missing_monthly_update_from_the_25th_and_only_real_updates_count(world):
    a1, a3 = f"action:{world.a1.id}", f"action:{world.a3.id}"

    def missing(d):
        return {r[2] for r in due(world, d) if r[1] == "missing_update"}

    assert missing(date(2026, 11, 24)) == set()
    assert missing(date(2026, 11, 25)) == {a1, a3}  # a2 is late but still active: its agency has no focal point
    world.a1.title = "Pendampingan keluarga (diperbarui)"  # editing the action is not a progress update
    db.session.add(ProgressUpdate(action=world.a3, agency=world.dpppa, author=world.other_focal,
                                  period=date(2026, 11, 1), percent_complete=40, achievements="Sosialisasi",
                                  created_at=datetime(2026, 11, 20)))
    db.session.flush()
    assert missing(date(2026, 11, 25)) == {a1}
    rows = [r for r in due(world, date(2026, 11, 25)) if r[1] == "missing_update"]
    assert rows == [("dinsos@example.org", "missing_update", a1, "2026-11")]


def test_escalation_after_14_days_goes_to_the_head_and_the_coordinators(world):
    world.disdik.head_email = "kepala.disdik@example.org"
    db.session.flush()
    a2 = f"action:{world.a2.id}"  # Disdikbud, due 31 October 2026
    assert [r for r in due(world, date(2026, 11, 14)) if r[1] == "escalation"] == []
    esc = [r for r in due(world, date(2026, 11, 15)) if r[1] == "escalation"]
    assert esc == [("admin@example.org", "escalation", a2, "late-15"),  # admins can do all a coordinator does
                   ("kepala.disdik@example.org", "escalation", a2, "late-15"),
                   ("koordinator@example.org", "escalation", a2, "late-15")]
    assert [r for r in due(world, date(2026, 11, 16)) if r[1] == "escalation"] == []
    assert {r[0] for r in due(world, date(2026, 11, 22)) if r[1] == "escalation"} == {
        "admin@example.org", "kepala.disdik@example.org", "koordinator@example.org"}


def test_indicator_without_last_quarter_value_reminds_coordinators(world):
    ind = Indicator(plan=world.plan, code="IK-1", name="Anak kembali sekolah", unit="anak", direction="naik")
    db.session.add(ind)
    db.session.flush()
    db.session.add(IndicatorTarget(indicator_id=ind.id, year=2026, quarter=4, value=100))
    db.session.flush()
    rows = [r for r in due(world, date(2026, 11, 27)) if r[1] == "missing_indicator"]
    assert rows == [("admin@example.org", "missing_indicator", f"indicator:{ind.id}", "2026-Q3"),
                    ("koordinator@example.org", "missing_indicator", f"indicator:{ind.id}", "2026-Q3")]
    db.session.add(IndicatorValue(indicator_id=ind.id, year=2026, quarter=3, value=80,
                                  entered_at=datetime(2026, 10, 3)))
    db.session.flush()
    assert [r for r in due(world, date(2026, 11, 27)) if r[1] == "missing_indicator"] == []


def test_missing_indicator_names_the_quarter_as_the_pages_do(world):
    """Issue 20: one name per quarter: "TW III 2026" as on the indicator pages, "Q3 2026" in English."""
    from dataclasses import replace

    from coordinator.reminders.digest import notification_title

    ind = Indicator(plan=world.plan, code="IK-1", name="Anak kembali sekolah", unit="anak", direction="naik")
    db.session.add(ind)
    db.session.flush()
    db.session.add(IndicatorTarget(indicator_id=ind.id, year=2026, quarter=4, value=100))
    db.session.flush()
    reminder = next(r for r in collect(db.session, at(date(2026, 11, 27)), load_settings(db.session))
                    if r.kind == "missing_indicator")
    title_id = notification_title(replace(reminder, locale="id"))
    title_en = notification_title(replace(reminder, locale="en"))
    assert title_id.endswith("(nilai untuk periode TW III 2026 belum diisi)")
    assert "Q3 2026" in title_en and "Quarter" not in title_en


def test_digest_content_language_preferences_and_rerun(world, smtp):
    """Dinsos has two focal points: one reading English, one Indonesian who turned off due-soon email."""
    world.focal.locale = "en"
    second = make_user("dinsos2@example.org", "fokal", world.dinsos)
    db.session.flush()
    db.session.add(NotificationPreference(user_id=second.id, kind="due_soon", email_enabled=False))
    for action, agency, author in ((world.a1, world.dinsos, world.focal), (world.a3, world.dpppa, world.other_focal)):
        db.session.add(ProgressUpdate(action=action, agency=agency, author=author, period=date(2026, 11, 1),
                                      percent_complete=50, achievements="Berjalan", created_at=datetime(2026, 11, 3)))
    db.session.commit()
    now = at(date(2026, 11, 30))  # m2 due tomorrow (1 December), a Monday: weekly summary too

    result = run_reminders(db.session, now, smtp.mailer())
    db.session.commit()
    assert result.delivery is not None and result.delivery.failed == 0
    by_to = {str(m["To"]): m for m in smtp.handler.parsed()}
    # dinsos2 turned due_soon email off; admins hear what coordinators hear
    assert set(by_to) == {"dinsos@example.org", "koordinator@example.org", "admin@example.org"}

    en = by_to["dinsos@example.org"]
    html = unwire(en.get_body(preferencelist=("html",)).get_content())
    text = unwire(en.get_body(preferencelist=("plain",)).get_content())
    assert '<html lang="en">' in html
    assert "1 December 2026" in text and "Desember" not in text  # formatted in the recipient's locale
    link = f"http://127.0.0.1:5000/actions/{world.a1.id}#milestone-{world.m2.id}"
    assert link in text and f'href="{link}"' in html
    assert "1.1.1 Pendampingan keluarga — Pelaksanaan" in text

    # The in-app notifications are there for both, even for the one who turned email off.
    notes = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (world.focal.id, "due_soon") in notes and (second.id, "due_soon") in notes

    summary = by_to["koordinator@example.org"]
    assert str(summary["Subject"]).startswith("Ringkasan mingguan RAD ATS:")
    body = unwire(summary.get_body(preferencelist=("plain",)).get_content())
    assert "Disdikbud" in body and "DPPPA" in body and "http://127.0.0.1:5000/monitor" in body

    # A rerun of the same day records and sends nothing more.
    again = run_reminders(db.session, now + timedelta(hours=3), smtp.mailer())
    db.session.commit()
    assert (again.notifications, again.enqueued) == (0, 0)
    assert len(smtp.handler.received) == 3  # dinsos, the coordinator, the admin: nothing more on the rerun


def test_indonesian_digest_for_an_indonesian_user(world, smtp):
    run_reminders(db.session, at(date(2026, 11, 28)), smtp.mailer())  # m3 8 days late for DPPPA, no update yet
    db.session.commit()
    [msg] = [m for m in smtp.handler.parsed() if m["To"] == "dpppa@example.org"]
    assert msg["Subject"] == "Pengingat RAD ATS: 2 tenggat"  # one email with both items
    text = unwire(msg.get_body(preferencelist=("plain",)).get_content())
    assert "terlambat 8 hari, tenggat 20 November 2026" in text
    assert "== Terlambat ==" in text and "== Laporan kemajuan bulan ini belum ada ==" in text
    assert text.index("== Terlambat ==") < text.index("== Laporan kemajuan")
    assert "belum ada laporan kemajuan untuk November 2026" in text
    assert f"http://127.0.0.1:5000/actions/{world.a3.id}/progress/new" in text
    assert f"http://127.0.0.1:5000/actions/{world.a3.id}#milestone-{world.m3.id}" in text
    assert '<html lang="id">' in msg.get_body(preferencelist=("html",)).get_content()


def test_dry_run_prints_and_writes_nothing(app_ctx, world, smtp):
    out = _cli(app_ctx).invoke(args=["reminders", "run", "--now", "2026-11-28T07:00+08:00",
                                                     "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "dpppa@example.org [id] Pengingat RAD ATS" in out.output
    assert "DRY RUN 2026-11-28" in out.output
    assert _outbox() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert smtp.handler.received == []


def test_smtp_down_run_exits_0_and_next_run_delivers_once(app_ctx, world, smtp):
    runner = _cli(app_ctx)
    smtp.stop()
    out = runner.invoke(args=["reminders", "run", "--now", "2026-11-28T07:00+08:00"])
    assert out.exit_code == 0, out.output
    assert "sent=0" in out.output and "retry_later=" in out.output
    rows = _outbox()
    assert rows and {r.status for r in rows} == {"pending"}
    smtp.start()
    out = runner.invoke(args=["reminders", "run", "--now", "2026-11-28T07:10+08:00"])  # after the 5-minute backoff
    assert out.exit_code == 0, out.output
    assert "enqueued=0" in out.output
    out = runner.invoke(args=["reminders", "run", "--now", "2026-11-28T09:00+08:00"])
    assert "enqueued=0" in out.output and "sent=0" in out.output
    assert Counter(str(m["To"]) for m in smtp.handler.parsed()) == Counter({r.recipient: 1 for r in rows})
    assert {r.status for r in _outbox()} == {"sent"}


def test_time_travel_across_a_month_end(app_ctx, world, smtp):
    make_user("fokal.disdik@example.org", "fokal", world.disdik)
    db.session.commit()
    runner = _cli(app_ctx)
    out = runner.invoke(args=["reminders", "run", "--now", "2026-10-31T07:00+08:00"])
    assert out.exit_code == 0, out.output
    october = {(n.kind, n.url) for n in db.session.scalars(select(Notification))}
    assert ("missing_update", f"/actions/{world.a1.id}/progress/new") in october  # the bell keeps local paths
    assert not any(kind == "overdue" for kind, _ in october)
    # 23:30 UTC on 31 October is already 1 November in WITA: the month has turned.
    out = runner.invoke(args=["reminders", "run", "--now", "2026-10-31T23:30:00"])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    new = [(n.kind, n.url) for n in db.session.scalars(select(Notification)) if (n.kind, n.url) not in october]
    assert not any(kind == "missing_update" for kind, _ in new)  # 1 November: before the 25th
    assert ("overdue", f"/actions/{world.a2.id}") in new  # a2 was due 31 October: day 1
    rows = _outbox()
    assert len(rows) == len(smtp.handler.received) and {r.status for r in rows} == {"sent"}
    to_disdik = [m for m in smtp.handler.parsed() if m["To"] == "fokal.disdik@example.org"]
    assert len(to_disdik) == 2
    first, second = (unwire(m.get_body(preferencelist=("plain",)).get_content()) for m in to_disdik)
    assert "Oktober 2026" in first and "terlambat" not in first
    assert "terlambat 1 hari, tenggat 31 Oktober 2026" in second


@pytest.mark.commits
def test_two_cli_processes_at_the_same_moment_send_each_message_once(world, smtp, tmp_path):
    world.disdik.head_email = "kepala.disdik@example.org"
    db.session.commit()
    smtp.handler.delay = 0.02
    url = db.engine.url.render_as_string(hide_password=False)
    script = (
        "import os, sys\n"
        "from flask.cli import FlaskGroup\n"
        "from coordinator import create_app\n"
        "from coordinator.reminders.cli import register\n"
        "app = create_app()\n"
        "app.config.update(MAIL_SERVER='127.0.0.1', MAIL_PORT=int(os.environ['T_MAIL_PORT']))\n"
        "register(app)\n"
        "FlaskGroup(create_app=lambda: app).main(['reminders', 'run', '--now', sys.argv[1]], prog_name='flask')\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "T_MAIL_PORT": str(smtp.port), "COORDINATOR_ENV": "development",
           "COORDINATOR_INSTANCE": str(tmp_path), "SECRET_KEY": "x"}
    now = "2026-11-15T07:00:00+08:00"  # a2 15 days late: escalation; a Sunday
    procs = [subprocess.Popen([sys.executable, "-c", script, now], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    received = Counter(str(m["To"]) for m in smtp.handler.parsed())
    assert received and set(received.values()) == {1}
    assert {"kepala.disdik@example.org", "koordinator@example.org"} <= set(received)
    rows = _outbox()
    assert len(rows) == len(received) and {r.status for r in rows} == {"sent"}


def test_bell_links_open_the_item_and_admins_hear_escalations(app_ctx):
    """Review findings: notifications keep a local path (the bell only follows local paths),
    and admins, who can do all a coordinator does, are in the coordinators' audience."""
    from coordinator.models import Notification, User
    from coordinator.reminders import due as reminder_service
    from tests.conftest import World

    World()  # the small plan of the other tests
    now = datetime(2026, 11, 29, 23, 0)  # 07:00 WITA, 30 November: m2 of a1 is due in 1 day
    reminder_service.run_reminders(db.session, now, None)
    db.session.commit()
    notes = db.session.scalars(select(Notification)).all()
    assert notes and all(n.url.startswith("/") for n in notes)
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    # 5 December WITA: milestone m3 (due 20 November) is 15 days late, the first escalation day
    when = datetime(2026, 12, 4, 23, 0)
    items = reminder_service.collect(db.session, when, reminder_service.load_settings(db.session, when), "http://x")
    escalated = {r.recipient for r in items if r.kind == "escalation"}
    assert admin.email in escalated and "koordinator@example.org" in escalated


def test_a_failed_daily_run_is_tried_again_the_same_day():
    from datetime import date as _date

    from coordinator.reminders.scheduler import daily_run_still_due

    at = datetime(2026, 11, 30, 7, 20)  # WITA
    assert daily_run_still_due(at, (7, 0), _date(2026, 11, 29))  # today's run has not succeeded yet
    assert not daily_run_still_due(at, (7, 0), _date(2026, 11, 30))  # done today
    assert not daily_run_still_due(datetime(2026, 11, 30, 6, 50), (7, 0), _date(2026, 11, 29))  # not time yet
