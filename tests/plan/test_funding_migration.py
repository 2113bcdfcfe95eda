"""Migration 3d5f8a2c6e71 on a database that has a plan: each action's one funding source becomes its first
action_funding row, with milestones pointing at the actions (SQLite's foreign keys on, as the app connects: a
batch copy of the action table failed there). Run on a database of its own, migrated to the revision before."""
from __future__ import annotations

import os
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import make_url

import config
from coordinator import create_app
from coordinator.extensions import db
from tests import databases

BEFORE, AFTER = "7c1e2f9a4b10", "3d5f8a2c6e71"


@pytest.fixture()
def old_database(tmp_path):
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"{make_url(pg).database}_funding_migration_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    databases._admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    yield databases._with_database(pg, name)
    databases._admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _table(name: str) -> Table:
    return Table(name, MetaData(), autoload_with=db.engine)


def test_each_funding_source_becomes_a_row_and_back(old_database):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = old_database
    application = create_app(cfg)
    with application.app_context():
        try:
            upgrade(directory=str(databases.MIGRATIONS), revision=BEFORE)
            with db.engine.begin() as conn:
                agency = conn.execute(_table("agency").insert().values(
                    code="DINSOS", short_name="Dinsos", name="Dinas Sosial", kind="opd", aliases="",
                    active=True)).inserted_primary_key[0]
                plan = conn.execute(_table("plan").insert().values(
                    name="RAD", start_year=2026, end_year=2028)).inserted_primary_key[0]
                pillar = conn.execute(_table("pillar").insert().values(
                    plan_id=plan, number=1, name="Validasi")).inserted_primary_key[0]
                program = conn.execute(_table("program").insert().values(
                    pillar_id=pillar, code="1.1", name="Pendataan")).inserted_primary_key[0]
                ids = []
                for code, source in (("1.1.1", "APBD"), ("1.1.2", None), ("1.1.3", "CSR")):
                    action = conn.execute(_table("action").insert().values(
                        program_id=program, code=code, title=code, lead_agency_id=agency, ats_categories="DO",
                        start_date=date(2026, 1, 1), due_date=date(2026, 12, 31), marked_complete=False,
                        budget_amount=100_000_000, funding_source=source)).inserted_primary_key[0]
                    conn.execute(_table("milestone").insert().values(
                        action_id=action, title="Rapat", due_date=date(2026, 3, 1), state="belum_mulai"))
                    ids.append(action)

            upgrade(directory=str(databases.MIGRATIONS), revision=AFTER)
            assert "funding_source" not in {c["name"] for c in inspect(db.engine).get_columns("action")}
            funding = _table("action_funding")
            with db.engine.connect() as conn:
                rows = conn.execute(select(funding.c.action_id, funding.c.source, funding.c.amount,
                                           funding.c.position).order_by(funding.c.action_id)).all()
                milestones = conn.execute(select(_table("milestone").c.action_id)).scalars().all()
            assert [tuple(r) for r in rows] == [(ids[0], "APBD", None, 0), (ids[2], "CSR", None, 0)]
            assert sorted(milestones) == sorted(ids)  # nothing pointing at the actions was lost

            db.session.remove()
            downgrade(directory=str(databases.MIGRATIONS), revision=BEFORE)
            action = _table("action")
            with db.engine.connect() as conn:
                back = {code: source for code, source in conn.execute(select(action.c.code, action.c.funding_source))}
            assert back == {"1.1.1": "APBD", "1.1.2": None, "1.1.3": "CSR"}
        finally:
            db.session.remove()
            db.engine.dispose()
