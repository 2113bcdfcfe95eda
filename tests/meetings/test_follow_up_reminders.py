"""Follow-ups keep the milestones' reminder rhythm: due soon, late, escalated, and a closing waiting for review;
the digest goes out through a real SMTP server, once."""
from datetime import date

from coordinator.extensions import db
from coordinator.models import KIND_DUE_SOON, KIND_ESCALATION, KIND_OVERDUE, KIND_REVIEW_WAITING
from coordinator.reminders.due import run_reminders
from tests.helpers import meeting_with_follow_ups
from tests.reminders.test_reminders import at, due
from tests.smtp_server import unwire


def _follow_ups(world, d: date, key: str = "follow_up:"):
    return [r for r in due(world, d) if r[2].startswith(key)]


def test_follow_ups_remind_their_agency_then_escalate_and_a_waiting_closing_reminds_coordinators(world, smtp,
                                                                                                app_ctx):
    world.dinsos.head_email = "kepala.dinsos@example.org"
    _meeting, item, reported = meeting_with_follow_ups(app_ctx, world)  # due 15 Dec; reported on 20 Nov
    db.session.commit()
    key = f"follow_up:{item.id}"
    assert _follow_ups(world, date(2026, 12, 8), key) == [("dinsos@example.org", KIND_DUE_SOON, key, "d-7")]
    assert _follow_ups(world, date(2026, 12, 9), key) == []
    assert _follow_ups(world, date(2026, 12, 16), key) == [("dinsos@example.org", KIND_OVERDUE, key, "late-1")]
    escalated = _follow_ups(world, date(2026, 12, 30), key)  # 15 days late: the head and the coordinators too
    assert {(r[0], r[1]) for r in escalated} >= {("kepala.dinsos@example.org", KIND_ESCALATION),
                                                 ("koordinator@example.org", KIND_ESCALATION)}
    # The closing reported on 20 November waits 5 days on the 25th: the coordinators hear of it.
    waiting = [r for r in _follow_ups(world, date(2026, 11, 25)) if r[1] == KIND_REVIEW_WAITING]
    assert {r[0] for r in waiting} == {"koordinator@example.org", "admin@example.org"}
    assert {r[2] for r in waiting} == {f"follow_up:{reported.id}"}

    run_reminders(db.session, at(date(2026, 12, 8)), smtp.mailer())
    db.session.commit()
    run_reminders(db.session, at(date(2026, 12, 8), 9), smtp.mailer())  # a rerun the same day sends nothing more
    db.session.commit()
    mails = [m for m in smtp.handler.parsed() if m["To"] == "dinsos@example.org"]
    assert len(mails) == 1
    text = unwire(mails[0].get_body(preferencelist=("plain",)).get_content())
    assert "Padankan DTKS dengan daftar ATS" in text and "jatuh tempo dalam 7 hari" in text
    assert f"http://127.0.0.1:5000/follow-ups/{item.id}" in text
