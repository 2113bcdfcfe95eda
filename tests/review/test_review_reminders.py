"""The review's two reminder stages: a returned report not yet corrected (its agency), a report waiting too long
for review (coordinators); each once per stage day, in the daily digest, through a real SMTP server."""
from datetime import date, datetime

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import KIND_REPORT_RETURNED, KIND_REVIEW_WAITING, Notification, ProgressUpdate
from coordinator.reminders.due import load_settings, run_reminders
from coordinator.review import service
from tests.reminders.test_reminders import at, due
from tests.smtp_server import unwire


def _report(world, created: datetime, action=None, agency=None, author=None) -> ProgressUpdate:
    report = ProgressUpdate(action=action or world.a1, agency=agency or world.dinsos, author=author or world.focal,
                            period=date(2026, 11, 1), percent_complete=50, achievements="Berjalan",
                            created_at=created, review_status="diajukan", counted=False)
    db.session.add(report)
    db.session.commit()
    return report


def _review_items(world, d: date) -> list[tuple[str, str, str, str]]:
    return [r for r in due(world, d) if r[1] in (KIND_REPORT_RETURNED, KIND_REVIEW_WAITING)]


def test_a_returned_report_reminds_its_agency_until_corrected(world, smtp):
    report = _report(world, at(date(2026, 11, 20), 9))
    service.return_report(db.session, report, world.coordinator, "Lampirkan berita acara", at(date(2026, 11, 21), 9))
    db.session.commit()
    assert _review_items(world, date(2026, 11, 21)) == []  # the day of return: the bell said it already
    day1 = [("dinsos@example.org", KIND_REPORT_RETURNED, f"progress:{report.id}", "returned-1")]
    assert _review_items(world, date(2026, 11, 22)) == day1
    assert _review_items(world, date(2026, 11, 23)) == []  # then every overdue_repeat_days (7)
    assert _review_items(world, date(2026, 11, 29))[0][3] == "returned-8"

    run_reminders(db.session, at(date(2026, 11, 22)), smtp.mailer())
    db.session.commit()
    [mail] = [m for m in smtp.handler.parsed() if m["To"] == "dinsos@example.org"]
    text = unwire(mail.get_body(preferencelist=("plain",)).get_content())
    assert "Laporan dikembalikan, belum diperbaiki" in text and "dikembalikan 1 hari lalu" in text
    assert f"http://127.0.0.1:5000/progress/{report.id}/correct" in text
    kinds = {n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == world.focal.id))}
    assert kinds == {KIND_REPORT_RETURNED}  # the bell at return and the day-1 reminder

    # Corrected: the returned version is history, no more reminders.
    report.superseded_at = at(date(2026, 11, 25))
    db.session.commit()
    assert _review_items(world, date(2026, 11, 29)) == []


def test_a_report_waiting_too_long_reminds_the_coordinators(world, smtp):
    report = _report(world, at(date(2026, 11, 20), 9))
    settings = load_settings(db.session)
    assert settings.review_wait_days == 5
    assert _review_items(world, date(2026, 11, 24)) == []
    stage = [(email, KIND_REVIEW_WAITING, f"progress:{report.id}", "waiting-5")
             for email in ("admin@example.org", "koordinator@example.org")]
    assert _review_items(world, date(2026, 11, 25)) == stage
    assert _review_items(world, date(2026, 11, 26)) == []
    assert [r[3] for r in _review_items(world, date(2026, 12, 2))] == ["waiting-12", "waiting-12"]
    settings.review_wait_days = 2
    db.session.commit()
    assert [r[3] for r in _review_items(world, date(2026, 11, 22))] == ["waiting-2", "waiting-2"]

    run_reminders(db.session, at(date(2026, 11, 22)), smtp.mailer())
    db.session.commit()
    mail = next(m for m in smtp.handler.parsed() if m["To"] == "koordinator@example.org")
    text = unwire(mail.get_body(preferencelist=("plain",)).get_content())
    assert "Laporan menunggu tinjauan" in text and f"http://127.0.0.1:5000/reviews/{report.id}" in text
    assert not any(m["To"] == "dinsos@example.org" for m in smtp.handler.parsed())  # focal points are not told
    # Accepted: nothing more.
    service.accept(db.session, report, world.coordinator, at(date(2026, 11, 22), 10))
    db.session.commit()
    assert _review_items(world, date(2026, 11, 24)) == []


def test_the_reminder_setting_is_checked(world, as_user):
    client = as_user("koordinator@example.org")
    form = {"due_soon_days": "14,7,1", "overdue_first_day": "1", "overdue_repeat_days": "7",
            "monthly_update_day": "25", "escalate_after_days": "14", "indicator_reminders": "y",
            "daily_run_time": "07:00", "weekly_summary_weekday": "0"}
    for bad in ("0", "61", "lima", ""):
        page = client.post("/reminders/settings", data={**form, "review_wait_days": bad}).get_data(as_text=True)
        assert "review_wait_days-err" in page, bad
    assert load_settings(db.session).review_wait_days == 5
    assert client.post("/reminders/settings", data={**form, "review_wait_days": "3"}).status_code == 302
    db.session.expire_all()
    assert load_settings(db.session).review_wait_days == 3
