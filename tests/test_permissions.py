"""Every route × every role × GET and POST, with the exact status expected.

A new route fails `test_every_route_is_in_the_matrix` until it is added here,
so no page can ship without its permission being decided and tested.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordinator.accounts import api_tokens
from coordinator.actions.evidence import IncomingFile, store
from coordinator.calendar import feed as calendar_feed
from coordinator.extensions import db
from coordinator.models import (
    Action,
    AreaAlias,
    AtsSnapshot,
    ChildCase,
    Comment,
    Evidence,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    Notification,
    OutboxMessage,
    ProgressUpdate,
    ReferenceItem,
    User,
    VerifierArea,
)
from coordinator.plan.revisions import adopt_revision, start_revision
from tests.conftest import World, login
from tests.helpers import MINIMAL_PDF, closed_month_with_archive, meeting_with_follow_ups
from tests.verval.verval_data import make_child

ROLES = ("anon", "leader", "focal_own", "focal_other", "coordinator", "admin", "verifier")
EMAILS = {"leader": "pimpinan@example.org", "focal_own": "dinsos@example.org", "focal_other": "dpppa@example.org",
          "coordinator": "koordinator@example.org", "admin": "admin@example.org",
          "verifier": "verifikator@example.org"}
LOGIN = 302  # anonymous users are sent to the login page
NO = 405


def rule(anon=LOGIN, leader=403, focal_own=403, focal_other=403, coordinator=403, admin=403, verifier=403):
    """A village verifier (of Teluk Lingga) gets 403 everywhere but their children's pages and their account."""
    return dict(anon=anon, leader=leader, focal_own=focal_own, focal_other=focal_other, coordinator=coordinator,
                admin=admin, verifier=verifier)


def everyone(status, anon=LOGIN, verifier=403):
    return rule(anon, status, status, status, status, status, verifier)


def coordinators(status):
    return rule(coordinator=status, admin=status)


def admins(status):
    return rule(admin=status)


def seeing_all(status, own=None):
    return rule(leader=status, focal_own=own if own is not None else 403, coordinator=status, admin=status)


METHOD_NOT_ALLOWED = rule(NO, NO, NO, NO, NO, NO, NO)


def api_rule(anon=401, focal_own=200, focal_other=200, verifier=403):
    """Leaders, coordinators and admins read everything through the API, as on the web pages."""
    return rule(anon, 200, focal_own, focal_other, 200, 200, verifier)


API_READ_ONLY = METHOD_NOT_ALLOWED

# endpoint: (url template, GET expectations, POST expectations (empty form)).
# An empty POST to an edit form keeps the stored values (WTForms falls back to the
# object), so it saves without change and redirects: 302.
MATRIX: dict[str, tuple[str, dict, dict]] = {
    "accounts.login": ("/login", rule(200, 302, 302, 302, 302, 302, 302), rule(200, 302, 302, 302, 302, 302, 302)),
    "accounts.logout": ("/logout", METHOD_NOT_ALLOWED, everyone(302, verifier=302)),
    "accounts.set_language": ("/language/en", rule(302, 302, 302, 302, 302, 302, 302), METHOD_NOT_ALLOWED),
    "accounts.account": ("/account", everyone(200, verifier=200), everyone(200, verifier=200)),
    # Signed-in users change their password on the account page; a reset link works for anyone holding it.
    "accounts.forgot_password": ("/password/forgot", rule(200, 302, 302, 302, 302, 302, 302),
                                 rule(200, 302, 302, 302, 302, 302, 302)),
    "accounts.reset_password": ("/password/reset/unknown-link-0123456789abcdef",
                                rule(404, 404, 404, 404, 404, 404, 404), rule(404, 404, 404, 404, 404, 404, 404)),
    "monitor.home": ("/", everyone(302, verifier=302), METHOD_NOT_ALLOWED),
    "monitor.deadlines": ("/monitor", seeing_all(200), METHOD_NOT_ALLOWED),
    "plan.overview": ("/plan", everyone(200), METHOD_NOT_ALLOWED),
    "plan.edit_plan": ("/plan/edit", coordinators(200), coordinators(302)),
    "plan.new_pillar": ("/pillars/new", coordinators(200), coordinators(200)),
    "plan.edit_pillar": ("/pillars/{pillar}/edit", coordinators(200), coordinators(302)),
    "plan.delete_pillar": ("/pillars/{pillar}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "plan.new_program": ("/programs/new", coordinators(200), coordinators(200)),
    "plan.edit_program": ("/programs/{program}/edit", coordinators(200), coordinators(302)),
    "plan.delete_program": ("/programs/{program}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    # Plan revisions: everyone who reads the plan reads them; an empty opening form is refused (200); adopting the
    # matrix's revision, adopted already, says so on its page (302)
    "plan.revision_index": ("/plan/revisions", everyone(200), METHOD_NOT_ALLOWED),
    "plan.revision_new": ("/plan/revisions/new", METHOD_NOT_ALLOWED, coordinators(200)),
    "plan.revision_detail": ("/plan/revisions/{revision}", everyone(200), METHOD_NOT_ALLOWED),
    "plan.revision_adopt": ("/plan/revisions/{revision}/adopt", METHOD_NOT_ALLOWED, coordinators(302)),
    "actions.index": ("/actions", everyone(200), METHOD_NOT_ALLOWED),
    "actions.mine": ("/actions/mine", rule(LOGIN, 302, 200, 200, 302, 302), METHOD_NOT_ALLOWED),
    "actions.new": ("/actions/new", coordinators(200), coordinators(200)),
    "actions.detail": ("/actions/{a1}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "actions.edit": ("/actions/{a1}/edit", coordinators(200), coordinators(200)),
    "actions.delete": ("/actions/{a1}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "actions.override": ("/actions/{a1}/override", METHOD_NOT_ALLOWED, coordinators(302)),
    "actions.complete": ("/actions/{a1}/complete", METHOD_NOT_ALLOWED,
                         rule(focal_own=302, coordinator=302, admin=302)),
    "actions.new_milestone": ("/actions/{a1}/milestones/new", coordinators(200), coordinators(200)),
    "actions.edit_milestone": ("/milestones/{m2}/edit", coordinators(200), coordinators(200)),
    "actions.delete_milestone": ("/milestones/{m2}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "actions.milestone_done": ("/milestones/{m2}/done", METHOD_NOT_ALLOWED,
                               rule(focal_own=302, coordinator=302, admin=302)),
    "actions.new_progress": ("/actions/{a1}/progress/new", rule(focal_own=200), rule(focal_own=200)),
    "actions.correct_progress": ("/progress/{update}/correct", rule(focal_own=200), rule(focal_own=200)),
    "actions.evidence": ("/evidence/{evidence}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    # The review of the matrix's waiting report: accepted (302), returned without a comment (200, refused)
    "review.queue": ("/reviews", coordinators(200), METHOD_NOT_ALLOWED),
    "review.report": ("/reviews/{update}", coordinators(200), METHOD_NOT_ALLOWED),
    "review.accept": ("/reviews/{update}/accept", METHOD_NOT_ALLOWED, coordinators(302)),
    "review.return_": ("/reviews/{update}/return", METHOD_NOT_ALLOWED, coordinators(200)),
    "agencies.index": ("/agencies", everyone(200), METHOD_NOT_ALLOWED),
    "agencies.detail": ("/agencies/{dinsos}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "agencies.new": ("/agencies/new", coordinators(200), coordinators(200)),
    "agencies.edit": ("/agencies/{dinsos}/edit", coordinators(200), coordinators(302)),
    "indicators.index": ("/indicators", everyone(200), METHOD_NOT_ALLOWED),
    "figures.definitions": ("/definisi", everyone(200), METHOD_NOT_ALLOWED),
    "figures.effects_table": ("/hasil-intervensi", everyone(200), METHOD_NOT_ALLOWED),
    "summary.index": ("/ringkasan", everyone(200), METHOD_NOT_ALLOWED),
    # Off by default (PUBLIC_PAGE): no such page; a village verifier is refused before routing decides (403).
    # On, tests/public/test_public.py.
    "public.index": ("/publik", everyone(404, anon=404, verifier=404), METHOD_NOT_ALLOWED),
    "indicators.detail": ("/indicators/{indicator}", everyone(200), METHOD_NOT_ALLOWED),
    "indicators.new": ("/indicators/new", coordinators(200), coordinators(200)),
    "indicators.edit": ("/indicators/{indicator}/edit", coordinators(200), coordinators(302)),
    "indicators.delete": ("/indicators/{indicator}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "indicators.new_target": ("/indicators/{indicator}/targets/new", coordinators(200), coordinators(200)),
    "indicators.delete_target": ("/targets/{target}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "indicators.new_value": ("/indicators/{indicator}/values/new", coordinators(200), coordinators(200)),
    "indicators.edit_value": ("/values/{value}/edit", coordinators(200), coordinators(200)),
    "indicators.delete_value": ("/values/{value}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    # the matrix's value is accepted already: the page says so (302); owners' own entry in tests/indicators
    "indicators.accept_value": ("/values/{value}/accept", METHOD_NOT_ALLOWED, coordinators(302)),
    "indicators.return_value": ("/values/{value}/return", METHOD_NOT_ALLOWED, coordinators(302)),
    "ats.overview": ("/ats", everyone(200), METHOD_NOT_ALLOWED),
    "ats.area": ("/ats/area/{desa}", everyone(200), METHOD_NOT_ALLOWED),
    "ats.coverage": ("/ats/coverage", everyone(200), METHOD_NOT_ALLOWED),
    "ats.import_upload": ("/ats/import", coordinators(200), coordinators(200)),
    "ats.snapshots": ("/ats/snapshots", seeing_all(200), METHOD_NOT_ALLOWED),
    "ats.snapshot_file": ("/ats/snapshots/{snapshot}/file", coordinators(200), METHOD_NOT_ALLOWED),
    "ats.alias_delete": ("/ats/aliases/{alias}/delete", METHOD_NOT_ALLOWED, coordinators(302)),
    "ats.import_confirm": ("/ats/import/confirm", METHOD_NOT_ALLOWED, coordinators(400)),
    "calendar.feed": ("/calendar/{dinsos_feed_token}.ics", everyone(200, anon=200), METHOD_NOT_ALLOWED),
    "calendar.account": ("/account/calendar", everyone(200), METHOD_NOT_ALLOWED),
    "calendar.new_feed": ("/account/calendar/new", METHOD_NOT_ALLOWED, everyone(200)),  # the new link, shown once
    "calendar.revoke_feed": ("/account/calendar/{dinsos_feed}/revoke", METHOD_NOT_ALLOWED,
                             rule(leader=404, focal_own=302, focal_other=404, coordinator=302, admin=302)),
    "notifications.index": ("/notifications", everyone(200, verifier=200), METHOD_NOT_ALLOWED),
    "notifications.open": ("/notifications/{notification}/open",
                           rule(leader=404, focal_own=302, focal_other=404, coordinator=404, admin=404, verifier=404),
                           METHOD_NOT_ALLOWED),
    "notifications.read_all": ("/notifications/read-all", METHOD_NOT_ALLOWED, everyone(302, verifier=302)),
    "notifications.preferences": ("/account/notifications", everyone(200, verifier=200), everyone(302, verifier=302)),
    "notifications.settings": ("/reminders/settings", coordinators(200), coordinators(302)),
    # WhatsApp: an empty form opts out (302); village verifiers get no reminders. The platform's webhook takes no
    # session: without the verify token (GET) or a valid signature (POST) it is 403 for everyone.
    "notifications.whatsapp": ("/account/whatsapp", METHOD_NOT_ALLOWED, everyone(302)),
    "notifications.whatsapp_subscribe": ("/webhooks/whatsapp", rule(403, 403, 403, 403, 403, 403, 403),
                                         rule(403, 403, 403, 403, 403, 403, 403)),
    "notifications.whatsapp_statuses": ("/webhooks/whatsapp", rule(403, 403, 403, 403, 403, 403, 403),
                                        rule(403, 403, 403, 403, 403, 403, 403)),
    "notifications.outbox": ("/admin/outbox", admins(200), METHOD_NOT_ALLOWED),
    "notifications.retry": ("/admin/outbox/{message}/retry", METHOD_NOT_ALLOWED, admins(302)),
    # Monthly report: October 2026 is closed with one archived PDF; September 2026 is open.
    "reports.index": ("/reports/", rule(leader=200, coordinator=200, admin=200), METHOD_NOT_ALLOWED),
    "reports.month": ("/reports/2026-10", rule(leader=200, coordinator=200, admin=200), METHOD_NOT_ALLOWED),
    "reports.preview": ("/reports/2026-10/preview.pdf", coordinators(200), METHOD_NOT_ALLOWED),
    "reports.close": ("/reports/2026-09/close", coordinators(200), coordinators(302)),
    "reports.reopen": ("/reports/2026-10/reopen", METHOD_NOT_ALLOWED, coordinators(302)),
    "reports.generate": ("/reports/2026-10/generate", METHOD_NOT_ALLOWED, coordinators(302)),
    "reports.send": ("/reports/archive/{archive}/send", METHOD_NOT_ALLOWED, coordinators(302)),
    "reports.download": ("/reports/archive/{archive}/download", rule(leader=200, coordinator=200, admin=200),
                         METHOD_NOT_ALLOWED),
    "reports.settings": ("/reports/settings", coordinators(200), coordinators(302)),
    # Verval: the child is in Teluk Lingga (the verifier's desa), confirmed ATS, followed by a2 (Dinsos supports).
    "verval.index": ("/verval/", rule(leader=200, coordinator=200, admin=200, verifier=302), METHOD_NOT_ALLOWED),
    "verval.reconciliation": ("/verval/rekonsiliasi", rule(leader=200, coordinator=200, admin=200),
                              METHOD_NOT_ALLOWED),
    "verval.import_upload": ("/verval/impor", coordinators(200), coordinators(200)),
    "verval.import_confirm": ("/verval/impor/konfirmasi", METHOD_NOT_ALLOWED, rule(coordinator=400, admin=400)),
    "verval.verifiers": ("/verval/verifikator", coordinators(200), coordinators(200)),
    "verval.verifier_remove": ("/verval/verifikator/{verifier_area}/hapus", METHOD_NOT_ALLOWED, coordinators(302)),
    "verval.export": ("/verval/ekspor?format=csv", coordinators(200), METHOD_NOT_ALLOWED),
    "verval.access_log": ("/verval/log-akses", admins(200), METHOD_NOT_ALLOWED),
    "verval.erase": ("/verval/anak/{child}/hapus", METHOD_NOT_ALLOWED, coordinators(302)),
    "verval.settings": ("/verval/pengaturan", coordinators(200), coordinators(200)),
    "verval.retention": ("/verval/retensi", METHOD_NOT_ALLOWED, coordinators(302)),
    "verval.children": ("/verval/anak", rule(focal_own=200, focal_other=200, coordinator=200, admin=200,
                                             verifier=200),
                        rule(focal_own=302, focal_other=302, coordinator=302, admin=302, verifier=302)),
    "verval.child": ("/verval/anak/{child}", rule(focal_own=200, focal_other=404, coordinator=200, admin=200,
                                                  verifier=200), METHOD_NOT_ALLOWED),
    # an empty post asks again for the reason (200); a child not theirs is 404 for a focal point of another agency
    "verval.reveal": ("/verval/anak/{child}/buka", METHOD_NOT_ALLOWED,
                      rule(focal_own=200, focal_other=404, coordinator=200, admin=200, verifier=200)),
    "verval.verify": ("/verval/anak/{child}/verifikasi",
                      rule(focal_own=403, focal_other=404, coordinator=200, admin=200, verifier=200),
                      rule(focal_own=403, focal_other=404, coordinator=200, admin=200, verifier=200)),
    # Verval without signal: JSON only (an empty form is a 400) for verifiers and coordinators
    "verval.offline_page": ("/verval/luring/", rule(coordinator=200, admin=200, verifier=200), METHOD_NOT_ALLOWED),
    "verval.offline_worker": ("/verval/luring/sw.js", rule(coordinator=200, admin=200, verifier=200),
                              METHOD_NOT_ALLOWED),
    "verval.offline_prepare": ("/verval/luring/siapkan", METHOD_NOT_ALLOWED,
                               rule(coordinator=400, admin=400, verifier=400)),
    "verval.offline_key": ("/verval/luring/kunci", METHOD_NOT_ALLOWED, rule(coordinator=400, admin=400, verifier=400)),
    "verval.offline_sync": ("/verval/luring/sinkron", METHOD_NOT_ALLOWED,
                            rule(coordinator=400, admin=400, verifier=400)),
    "verval.link_case": ("/verval/anak/{child}/kasus", METHOD_NOT_ALLOWED, coordinators(302)),
    "verval.case_outcome": ("/verval/kasus/{case}", rule(focal_own=200, focal_other=404, coordinator=200, admin=200),
                            rule(focal_own=200, focal_other=404, coordinator=200, admin=200)),
    "admin.users": ("/admin/users", coordinators(200), METHOD_NOT_ALLOWED),
    "admin.user_new": ("/admin/users/new", coordinators(200), coordinators(200)),
    "admin.user_edit": ("/admin/users/{dpppa_user}/edit", coordinators(200), coordinators(302)),
    "admin.user_password": ("/admin/users/{dpppa_user}/password", METHOD_NOT_ALLOWED, coordinators(200)),
    "admin.user_toggle": ("/admin/users/{dpppa_user}/toggle", METHOD_NOT_ALLOWED, coordinators(302)),
    "admin.areas": ("/admin/areas", admins(200), METHOD_NOT_ALLOWED),
    "admin.area_new": ("/admin/areas/new", admins(200), admins(200)),
    "admin.area_edit": ("/admin/areas/{desa}/edit", admins(200), admins(302)),
    "admin.area_delete": ("/admin/areas/{desa}/delete", METHOD_NOT_ALLOWED, admins(302)),
    "admin.reference": ("/admin/reference", admins(200), METHOD_NOT_ALLOWED),
    "admin.reference_new": ("/admin/reference/sumber_dana/new", admins(200), admins(200)),
    "admin.reference_edit": ("/admin/reference/items/{item}/edit", admins(200), admins(302)),
    "admin.api_tokens": ("/admin/api-tokens", admins(200), admins(200)),
    "admin.api_token_revoke": ("/admin/api-tokens/{token}/revoke", METHOD_NOT_ALLOWED, admins(302)),
    "admin.logins": ("/admin/logins", admins(200), METHOD_NOT_ALLOWED),
    # The RAD matrix in Excel. An empty confirmation has no pending file: 400.
    "rad_matrix.upload": ("/plan/import", coordinators(200), coordinators(200)),
    "rad_matrix.confirm": ("/plan/import/confirm", METHOD_NOT_ALLOWED, coordinators(400)),
    "rad_matrix.export": ("/plan/export.xlsx", seeing_all(200), METHOD_NOT_ALLOWED),
    # The read API is called with each role's bearer token (no session cookie); without one: 401.
    "api.openapi": ("/api/v1/openapi.json", api_rule(200, 200, 200, 200), API_READ_ONLY),
    "api.plan": ("/api/v1/plan", api_rule(), API_READ_ONLY),
    "api.pillars": ("/api/v1/pillars", api_rule(), API_READ_ONLY),
    "api.agencies": ("/api/v1/agencies", api_rule(), API_READ_ONLY),
    "api.agency": ("/api/v1/agencies/{dinsos}", api_rule(focal_other=403), API_READ_ONLY),
    "api.actions": ("/api/v1/actions", api_rule(), API_READ_ONLY),
    "api.action": ("/api/v1/actions/{a1}", api_rule(focal_other=403), API_READ_ONLY),
    "api.progress_reports": ("/api/v1/progress-reports", api_rule(), API_READ_ONLY),
    # The discussion: whoever sees the action posts (an empty post: the form again); only the author corrects
    "discussion.post": ("/actions/{a1}/comments", METHOD_NOT_ALLOWED, rule(focal_own=200, coordinator=200,
                                                                           admin=200)),  # leaders read only
    "discussion.correct": ("/comments/{comment}/correct", rule(focal_own=200), rule(focal_own=200)),
    "api.indicators": ("/api/v1/indicators", api_rule(), API_READ_ONLY),
    "api.indicator": ("/api/v1/indicators/{indicator}", api_rule(), API_READ_ONLY),
    "api.ats_snapshots": ("/api/v1/ats/snapshots", api_rule(focal_own=403, focal_other=403), API_READ_ONLY),
    "api.ats_summary": ("/api/v1/ats/summary", api_rule(), API_READ_ONLY),
    # As the monthly reports: coordinators and leaders
    "api.figures": ("/api/v1/figures", api_rule(focal_own=403, focal_other=403), API_READ_ONLY),
    # Meetings: dinsos (focal_own) was invited and owes the open follow-up; dpppa (focal_other) neither.
    "meetings.index": ("/meetings", everyone(200), METHOD_NOT_ALLOWED),
    "meetings.new": ("/meetings/new", coordinators(200), coordinators(200)),
    "meetings.edit": ("/meetings/{meeting}/edit", coordinators(200), coordinators(200)),  # the date is required
    "meetings.detail": ("/meetings/{meeting}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "meetings.minutes": ("/meetings/{meeting}/minutes.pdf", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "meetings.file": ("/meeting-files/{meeting_file}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "meetings.add_follow_up": ("/meetings/{meeting}/follow-ups", METHOD_NOT_ALLOWED, coordinators(200)),
    "meetings.add_files": ("/meetings/{meeting}/files", METHOD_NOT_ALLOWED, coordinators(200)),
    "meetings.follow_ups": ("/follow-ups", everyone(200), METHOD_NOT_ALLOWED),
    "meetings.follow_up": ("/follow-ups/{follow_up}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    "meetings.evidence": ("/follow-up-evidence/{follow_up_evidence}", seeing_all(200, own=200), METHOD_NOT_ALLOWED),
    # an empty closing note, return comment or cancel reason: the form again (200); the reported one accepted (302)
    "meetings.close": ("/follow-ups/{follow_up}/close", METHOD_NOT_ALLOWED,
                       rule(focal_own=200, coordinator=200, admin=200)),
    "meetings.accept": ("/follow-ups/{follow_up_reported}/accept", METHOD_NOT_ALLOWED, coordinators(302)),
    "meetings.return_": ("/follow-ups/{follow_up_reported}/return", METHOD_NOT_ALLOWED, coordinators(200)),
    "meetings.cancel": ("/follow-ups/{follow_up}/cancel", METHOD_NOT_ALLOWED, coordinators(200)),
    "meetings.edit_follow_up": ("/follow-ups/{follow_up}/edit", coordinators(200), coordinators(200)),
    "api.follow_ups": ("/api/v1/follow-ups", api_rule(), API_READ_ONLY),
    # Public, for nginx, systemd and monitoring: says only whether the database answers.
    "health.check": ("/healthz", rule(200, 200, 200, 200, 200, 200, 200), METHOD_NOT_ALLOWED),
}


def _report(world: World, app) -> dict[str, object]:
    update = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 11, 1),
                            percent_complete=30, achievements="Capaian", created_at=datetime(2026, 11, 20),
                            review_status="diajukan", counted=False)  # waiting: the review forms are on its page
    db.session.add(update)
    db.session.flush()
    stored, digest = store(app.config["UPLOAD_DIR"], IncomingFile("bukti.pdf", MINIMAL_PDF))
    evidence = Evidence(update_id=update.id, original_name="bukti.pdf", stored_name=stored,
                        content_type="application/pdf", size=len(MINIMAL_PDF), sha256=digest,
                        uploaded_at=datetime(2026, 11, 20))
    db.session.add(evidence)
    db.session.flush()
    return {"update": update.id, "evidence": evidence.id}


def _indicator(world: World, app) -> dict[str, object]:
    indicator = Indicator(plan=world.plan, code="I-1", name="Jumlah ATS", unit="anak", direction="turun",
                          baseline_value=13411, baseline_year=2025)
    target = IndicatorTarget(indicator=indicator, year=2026, quarter=None, value=10000)
    value = IndicatorValue(indicator=indicator, year=2026, quarter=3, value=10539, source="Pusdatin",
                           entered_at=datetime(2026, 11, 20))
    waiting = IndicatorValue(indicator=indicator, year=2026, quarter=2, value=11000, entered_at=datetime(2026, 11, 21),
                             review_status="diajukan")  # its review forms are on the indicator's page
    db.session.add_all([indicator, target, value, waiting])
    db.session.flush()
    return {"indicator": indicator.id, "target": target.id, "value": value.id}


def _ats(world: World, app) -> dict[str, object]:
    ats_dir = Path(app.config["UPLOAD_DIR"]) / "ats"
    ats_dir.mkdir(parents=True, exist_ok=True)
    (ats_dir / "matrix.csv").write_bytes(b"kode_wilayah,kategori,jenjang,jumlah\n64.08.04,BPB,,10\n")
    snapshot = AtsSnapshot(as_of=date(2026, 9, 30), source="Pusdatin", file_name="ats.csv", stored_file="matrix.csv",
                           created_at=datetime(2026, 10, 1))
    alias = AreaAlias(name_key="TLK LINGGA", area_kode=world.desa.kode, created_at=datetime(2026, 10, 1))
    db.session.add_all([snapshot, alias])
    db.session.flush()
    return {"snapshot": snapshot.id, "alias": alias.id}


def _messages(world: World, app) -> dict[str, object]:
    notification = Notification(key="perm|focal", user_id=world.focal.id, kind="due_soon", title="Tenggat",
                                url="/actions", created_at=datetime(2026, 11, 20))
    message = OutboxMessage(key="perm|msg", recipient=world.focal.email, user_id=world.focal.id, kind="due_soon",
                            subject="Tenggat", body_text="isi", status="failed", attempts=6,
                            created_at=datetime(2026, 11, 20), next_attempt_at=datetime(2026, 11, 20))
    comment = Comment(action_id=world.a1.id, author_id=world.focal.id, body="Komentar",
                      created_at=datetime(2026, 11, 20))
    db.session.add_all([notification, message, comment])
    db.session.flush()
    return {"notification": notification.id, "message": message.id, "comment": comment.id}


def _meeting(world: World, app) -> dict[str, object]:
    meeting, follow_up, reported = meeting_with_follow_ups(app, world)
    return {"meeting": meeting.id, "meeting_file": meeting.files[0].id, "follow_up": follow_up.id,
            "follow_up_reported": reported.id, "follow_up_evidence": reported.evidence[0].id}


def _revision(world: World, app) -> dict[str, object]:
    revision = start_revision(db.session, world.plan, "Perbup No. 7 Tahun 2026", "Kaji paruh waktu",
                              world.coordinator.id, datetime(2026, 11, 20))
    adopt_revision(db.session, revision, world.coordinator.id, datetime(2026, 11, 20))  # its form is on the page
    return {"revision": revision.id}


def _archive(world: World, app) -> dict[str, object]:
    return {"archive": closed_month_with_archive(app, datetime(2026, 11, 20)).id}


def _child(world: World, app) -> dict[str, object]:
    child = make_child(app, "Anak Matriks", world.desa.kode, status="ats_valid")
    case = ChildCase(child_id=child.id, action_id=world.a2.id, created_at=datetime(2026, 11, 20),
                     updated_at=datetime(2026, 11, 20))
    db.session.add(case)
    db.session.flush()
    return {"child": child.id, "case": case.id}


def _access(world: World, app) -> dict[str, object]:
    feed, feed_token = calendar_feed.create_feed(db.session, agency=world.dinsos, created_by=world.coordinator,
                                                 now=datetime(2026, 11, 20))
    token, _secret = api_tokens.create_token(db.session, world.focal.id, "matriks", None, None,
                                             datetime(2026, 11, 20))
    return {"dinsos_feed": feed.id, "dinsos_feed_token": feed_token, "token": token.id}


def _world(world: World, app) -> dict[str, object]:
    verifier_area = db.session.scalar(select(VerifierArea.id).where(VerifierArea.user_id == world.verifier.id))
    return {"pillar": world.pillar.id, "program": world.program.id, "a1": world.a1.id, "m2": world.m2.id,
            "dinsos": world.dinsos.id, "desa": world.desa.kode, "dpppa_user": world.other_focal.id,
            "verifier_area": verifier_area,
            "item": db.session.scalar(select(ReferenceItem.id).order_by(ReferenceItem.id).limit(1))}


# What a URL needs, built only when its template names it: each test builds just its own rows.
GROUPS = (_world, _report, _indicator, _ats, _messages, _meeting, _revision, _archive, _child, _access)
KEYS = {"update": _report, "evidence": _report, "indicator": _indicator, "target": _indicator,
        "value": _indicator, "snapshot": _ats, "alias": _ats, "notification": _messages, "message": _messages,
        "comment": _messages, "meeting": _meeting, "meeting_file": _meeting, "follow_up": _meeting,
        "follow_up_reported": _meeting, "follow_up_evidence": _meeting, "revision": _revision, "archive": _archive,
        "child": _child, "case": _child, "dinsos_feed": _access, "dinsos_feed_token": _access, "token": _access}
# Pages that show rows their URL does not name: the monthly reports need the closed October, the ATS summary a
# snapshot.
NEEDS = {"reports.": (_archive,), "api.ats_summary": (_ats,)}


def _ids(world: World, app) -> dict[str, object]:
    """Every row of the matrix at once (the hostile-input crawls open every page)."""
    ids: dict[str, object] = {}
    for build in GROUPS:
        ids.update(build(world, app))
    db.session.commit()
    return ids


class _LazyIds(dict):
    def __init__(self, world: World, app) -> None:
        super().__init__()
        self.world, self.app = world, app

    def build(self, group) -> None:  # type: ignore[no-untyped-def]
        self.update(group(self.world, self.app))
        db.session.commit()

    def __missing__(self, key: str) -> object:
        self.build(KEYS.get(key, _world))
        return self[key]


def url_for_case(endpoint: str, template: str, world: World, app) -> str:
    ids = _LazyIds(world, app)
    for prefix, groups in NEEDS.items():
        if endpoint.startswith(prefix):
            for group in groups:
                ids.build(group)
    return template.format_map(ids)


CASES = [(endpoint, method, role) for endpoint in MATRIX for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize("endpoint, method, role", CASES, ids=[f"{e}-{m}-{r}" for e, m, r in CASES])
def test_route_permission(endpoint, method, role, client, world, app_ctx):
    url_template, get_rules, post_rules = MATRIX[endpoint]
    url = url_for_case(endpoint, url_template, world, app_ctx)
    headers = {}
    if endpoint.startswith("api.") and role != "anon":
        user = db.session.scalar(select(User).where(User.email == EMAILS[role]))
        headers["Authorization"] = "Bearer " + api_tokens.create_token(db.session, user.id, "uji", None, None,
                                                                       datetime(2026, 11, 20))[1]
        db.session.commit()
    elif role != "anon":
        assert login(client, EMAILS[role]).status_code == 302
    expected = (get_rules if method == "GET" else post_rules)[role]
    resp = client.open(url, method=method, data={}, headers=headers)
    assert resp.status_code == expected, f"{method} {url} as {role}: {resp.status_code}, expected {expected}"
    if expected == LOGIN and role == "anon" and endpoint != "accounts.set_language":
        assert "/login" in resp.headers["Location"]


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(MATRIX) == set(), "routes without a permission decision in tests/test_permissions.py"
    assert set(MATRIX) - endpoints == set()


def test_refused_writes_change_nothing(client, world, app_ctx):
    """A focal point of another agency posting to every write route of Dinsos's action."""
    ids = _ids(world, app_ctx)
    login(client, EMAILS["focal_other"])
    counts = {m: db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Milestone, ProgressUpdate)}
    for template, _get, post in MATRIX.values():
        if post["focal_other"] in (403, 404):
            client.post(template.format(**ids), data={"title": "dibajak", "code": "9.9.9", "percent_complete": "99",
                                                      "achievements": "dibajak", "period": "2026-11",
                                                      "status": "selesai", "reason": "dibajak"})
    db.session.expire_all()
    assert {m: db.session.scalar(select(func.count()).select_from(m)) for m in counts} == counts
    assert db.session.get(Action, world.a1.id).title == "Pendampingan keluarga"
    assert db.session.get(Action, world.a1.id).status_override is None
    assert db.session.get(Milestone, world.m2.id).state == "berjalan"
