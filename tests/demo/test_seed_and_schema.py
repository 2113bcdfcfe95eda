"""The demo seed and the migrations."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from coordinator.core.clock import utcnow
from coordinator.demo.content import DEMO_PASSWORD
from coordinator.extensions import db
from coordinator.models import (
    Action,
    Agency,
    Area,
    AuditEntry,
    Indicator,
    Meeting,
    Milestone,
    PlanRevision,
    ProgressOutcome,
    ProgressUpdate,
    User,
)
from coordinator.monitor.deadlines import build_monitor


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_migrations_match_the_models(app_ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], "models changed without a migration: flask db migrate"


def test_seed_demo_builds_a_kutim_shaped_plan(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email in ("admin@example.org", "koordinator@example.org", "disdikbud@example.org", "dinsos@example.org",
                  "pimpinan@example.org", DEMO_PASSWORD):
        assert email in result.output
    assert _count(Area, Area.level == "kecamatan") == 18
    assert _count(Area, Area.level == "desa") == 141
    assert _count(Action) >= 40 and _count(Milestone) >= 120 and _count(Indicator) >= 10
    assert db.session.scalar(select(Area.nama).where(Area.kode == "64.08.08")) == "Kongbeng"
    for code in ("DISDIKBUD", "BAPPEDA", "DISDUKCAPIL", "DINSOS", "DPPPA", "DPMDES", "KESRA", "KEMENAG", "BAZNAS",
                 "TPPKK"):
        assert _count(Agency, Agency.code == code) == 1, code
    user = db.session.scalar(select(User).where(User.email == "dinsos@example.org"))
    assert user.role == "fokal" and user.agency.code == "DINSOS" and user.check_password(DEMO_PASSWORD)
    outcomes = db.session.scalars(select(ProgressOutcome)).all()
    assert outcomes and sum(o.returned for o in outcomes) > 0  # children reached and returned, per desa
    months = db.session.scalars(select(ProgressUpdate.period).distinct()).all()
    assert len(months) == 12  # a year of history up to this month
    monitor = build_monitor(db.session, utcnow())
    assert monitor.count("action", "overdue") > 0 and monitor.count("milestone", "overdue") > 0
    assert monitor.due_7 or monitor.due_30
    for code in ("DPPKB", "DISKOMINFO"):  # agencies that stopped reporting
        recent = _count(ProgressUpdate, ProgressUpdate.agency_id == select(Agency.id).where(Agency.code == code)
                        .scalar_subquery(), ProgressUpdate.period >= monitor.today.replace(day=1, month=10))
        assert recent == 0, code
    # Reports in every review state, a correction accepted in turn, and an action moved past its first date.
    states = dict(db.session.execute(select(ProgressUpdate.review_status, func.count())
                                     .where(ProgressUpdate.superseded_at.is_(None))
                                     .group_by(ProgressUpdate.review_status)).all())
    assert states["diajukan"] > 0 and states["dikembalikan"] >= 1 and states["diterima"] > states["diajukan"]
    corrected = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.supersedes_id.is_not(None))).all()
    assert {u.review_status for u in corrected} == {"diajukan", "diterima"}
    assert _count(ProgressUpdate, ProgressUpdate.counted.is_(True), ProgressUpdate.superseded_at.is_not(None)) == 0
    assert monitor.rescheduled and monitor.rescheduled[0].moves == 1
    # Two past meetings with minutes; their follow-ups open, overdue, waiting for review and done.
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.held_on)).all()
    assert len(meetings) == 2 and all(m.minutes and m.held_on < monitor.today for m in meetings)
    statuses = [f.status(monitor.today) for m in meetings for f in m.follow_ups]
    assert {"terbuka", "terlambat", "diajukan", "selesai"} <= set(statuses)
    # A plan revision adopted, with the changes made under it.
    [revision] = db.session.scalars(select(PlanRevision)).all()
    assert not revision.is_open and _count(AuditEntry, AuditEntry.plan_revision_id == revision.id) >= 2
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0  # never seeds twice
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "koordinator@example.org" in quiet.output


def test_seed_scale_makes_regency_sized_copies(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["seed-demo", "--scale", "2"])
    assert result.exit_code == 0, result.output
    assert _count(Area) == 2 * 159
    assert _count(Action) == 2 * 44
    assert _count(Action, Action.code.startswith("K2-")) == 44
