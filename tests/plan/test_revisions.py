"""Plan revisions (RAD perubahan): the changes made while one is open are grouped under it; the monthly report
names the revision in force; an action can be merged into another."""
from datetime import date, datetime

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Action, AuditEntry, Milestone, PlanRevision
from coordinator.plan.revisions import revision_facts
from coordinator.reports.facts import collect_facts
from coordinator.reports.model import build_report


def _revision() -> PlanRevision:
    db.session.expire_all()
    return db.session.scalar(select(PlanRevision).order_by(PlanRevision.id.desc()))


def test_changes_made_while_a_revision_is_open_are_listed_under_it(world, as_user, app_ctx):
    coordinator = as_user("koordinator@example.org")
    page = coordinator.post("/plan/revisions/new", data={"legal_basis": "", "reason": ""}).get_data(as_text=True)
    assert "Wajib diisi" in page and _revision() is None
    resp = coordinator.post("/plan/revisions/new", data={"legal_basis": "Perbup No. 7 Tahun 2027",
                                                         "reason": "Kaji paruh waktu"})
    assert resp.status_code == 302
    revision = _revision()
    assert revision.number == 1 and revision.is_open
    # Only one open at a time.
    page = coordinator.post("/plan/revisions/new", data={"legal_basis": "Perbup lain", "reason": "Lagi"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Masih ada perubahan RAD yang terbuka" in page
    assert db.session.scalar(select(PlanRevision.id).where(PlanRevision.number == 2)) is None

    # Under it: a new target, a due date moved with its reason, a3 merged into a1. Marking a milestone done is
    # carrying the plan out, not changing it.
    plan_form = {"name": world.plan.name, "start_year": "2025", "end_year": "2028", "baseline_ats": "13.411",
                 "target_ats": "6.000", "baseline_year": "2025"}
    assert coordinator.post("/plan/edit", data=plan_form).status_code == 302
    a2 = world.a2
    edit = {"program_id": str(a2.program_id), "code": a2.code, "title": a2.title,
            "lead_agency_id": str(a2.lead_agency_id),
            "start_date": a2.start_date.isoformat(), "due_date": "2027-06-30", "due_reason": "Kaji paruh waktu"}
    assert coordinator.post(f"/actions/{a2.id}/edit", data=edit).status_code == 302
    refused = coordinator.post(f"/actions/{world.a3.id}/override", data={
        "status": "berjalan", "reason": "Digabung", "merged_into_id": str(world.a1.id)}).get_data(as_text=True)
    assert "Aksi yang digabung berstatus Dibatalkan" in refused
    assert coordinator.post(f"/actions/{world.a3.id}/override", data={
        "status": "dibatalkan", "reason": "Digabung dengan pendampingan keluarga",
        "merged_into_id": str(world.a1.id)}).status_code == 302
    a3 = db.session.get(Action, world.a3.id)
    assert a3.status_override == "dibatalkan" and a3.merged_into_id == world.a1.id
    assert "digabung ke" in coordinator.get(f"/actions/{world.a3.id}").get_data(as_text=True)
    milestone = db.session.scalar(select(Milestone).where(Milestone.action_id == world.a1.id))
    coordinator.post(f"/milestones/{milestone.id}/done")

    page = coordinator.get(f"/plan/revisions/{revision.id}").get_data(as_text=True)
    assert 'id="changes-targets"' in page and 'id="changes-dates"' in page and 'id="changes-merged"' in page
    assert "Kaji paruh waktu" in page
    tagged = db.session.scalars(select(AuditEntry).where(AuditEntry.plan_revision_id == revision.id)).all()
    assert not any(e.entity_type == "milestone" and set(e.after or {}) <= {"state", "completed_on"} for e in tagged)

    # A focal point reads it but cannot adopt it; the coordinator adopts it, and later changes belong to no revision.
    focal = as_user("dinsos@example.org")
    assert focal.get(f"/plan/revisions/{revision.id}").status_code == 200
    assert focal.post(f"/plan/revisions/{revision.id}/adopt").status_code == 403
    coordinator = as_user("koordinator@example.org")
    assert coordinator.post(f"/plan/revisions/{revision.id}/adopt").status_code == 302
    assert not _revision().is_open
    before = len(tagged)
    coordinator.post("/plan/edit", data={**plan_form, "target_ats": "6.100"})
    assert db.session.query(AuditEntry).filter(AuditEntry.plan_revision_id.is_not(None)).count() == before
    assert "sudah ditetapkan" in coordinator.post(f"/plan/revisions/{revision.id}/adopt",
                                                  follow_redirects=True).get_data(as_text=True)


def test_the_monthly_report_names_the_revision_in_force(world, app_ctx):
    from coordinator.plan.revisions import adopt_revision, start_revision

    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 11, 27, 2))
    report = build_report(facts, "kabupaten", "")
    assert report.plan_revision == {"in_force": None, "pending": None}
    revision = start_revision(db.session, world.plan, "Perbup No. 7 Tahun 2026", "Kaji paruh waktu",
                              world.coordinator.id, datetime(2026, 10, 1, 2))
    assert revision_facts(db.session, date(2026, 10, 31)) == {
        "in_force": None, "pending": {"number": 1, "legal_basis": "Perbup No. 7 Tahun 2026"}}
    adopt_revision(db.session, revision, world.coordinator.id, datetime(2026, 11, 10, 2))
    db.session.commit()
    assert revision_facts(db.session, date(2026, 10, 31))["in_force"] is None  # October reports on the first plan
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 11, 27, 2))
    assert build_report(facts, "kabupaten", "").plan_revision["in_force"] == {
        "number": 1, "legal_basis": "Perbup No. 7 Tahun 2026", "adopted_on": "2026-11-10"}
