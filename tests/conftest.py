"""Test fixtures: a real database built by the migrations (SQLite file, or
PostgreSQL when TEST_DATABASE_URL points at it), emptied between tests."""
from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import Action, Agency, Area, Milestone, Pillar, Plan, Program, User, VerifierArea
from coordinator.services.reference_data import load_reference_lists

PASSWORD = "demo-kutim-2026"
FIXED_NOW = "2026-11-27T02:00:00"  # 10:00 WITA on 27 November 2026


class FreshGlobalsClient(FlaskClient):
    """Requests in tests share the test's app context (and db session); clear
    `g` before each one so the signed-in user and locale are looked up afresh,
    as they are for every real request."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g)):
                delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    uploads = tmp_path_factory.mktemp("uploads")
    os.environ.setdefault("UPLOAD_DIR", str(uploads))
    cfg = TestingConfig()
    if not os.environ.get("TEST_DATABASE_URL"):
        cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    cfg.UPLOAD_DIR = str(uploads)
    application = create_app(cfg)
    application.test_client_class = FreshGlobalsClient
    application.config["FIXED_NOW"] = FIXED_NOW
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield application


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for t in tables:
            db.session.execute(t.delete())
    db.session.commit()


@pytest.fixture()
def app_ctx(app):
    app.config["FIXED_NOW"] = FIXED_NOW
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        _empty_all_tables()
        # Previews a test uploaded and never confirmed (the hostile-input suite leaves many) are not the next
        # test's: the app's own hourly cleanup would remove them in real use.
        for folder in ("ats-pending", "verval-pending", "rad-pending"):
            shutil.rmtree(Path(app.config["UPLOAD_DIR"]) / folder, ignore_errors=True)
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def client(app_ctx):
    return app_ctx.test_client()


def make_user(email: str, role: str, agency: Agency | None = None, locale: str = "id") -> User:
    user = User(email=email, name=email.split("@")[0].title(), role=role, agency=agency, locale=locale,
                created_at=datetime(2026, 1, 1), active=True)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


class World:
    """A small plan: two agencies, one pillar, three actions, one user per role."""

    def __init__(self) -> None:
        load_reference_lists(db.session)
        self.kec = Area(kode="64.08.04", nama="Sangatta Utara", level="kecamatan")
        self.desa = Area(kode="64.08.04.1001", nama="Teluk Lingga", level="desa", jenis="kelurahan",
                         parent_kode="64.08.04")
        self.kec2 = Area(kode="64.08.05", nama="Bengalon", level="kecamatan")
        db.session.add_all([self.kec, self.kec2])
        db.session.flush()
        db.session.add(self.desa)
        self.disdik = Agency(code="DISDIKBUD", short_name="Disdikbud", name="Dinas Pendidikan dan Kebudayaan",
                             kind="opd", aliases="")
        self.dinsos = Agency(code="DINSOS", short_name="Dinsos", name="Dinas Sosial", kind="opd", aliases="")
        self.dpppa = Agency(code="DPPPA", short_name="DPPPA", name="Dinas PPPA", kind="opd", aliases="")
        db.session.add_all([self.disdik, self.dinsos, self.dpppa])
        self.plan = Plan(name="SITISEK", start_year=2025, end_year=2028, baseline_ats=13411, target_ats=6706)
        self.pillar = Pillar(plan=self.plan, number=1, name="Validasi data")
        self.program = Program(pillar=self.pillar, code="1.1", name="Verifikasi")
        db.session.add_all([self.plan, self.pillar, self.program])
        self.admin = make_user("admin@example.org", "admin")
        self.coordinator = make_user("koordinator@example.org", "koordinator", self.disdik)
        self.leader = make_user("pimpinan@example.org", "pimpinan")
        self.focal = make_user("dinsos@example.org", "fokal", self.dinsos)
        self.other_focal = make_user("dpppa@example.org", "fokal", self.dpppa)
        self.verifier = make_user("verifikator@example.org", "verifikator")  # a PKK cadre of Teluk Lingga
        db.session.flush()
        db.session.add(VerifierArea(user_id=self.verifier.id, area_kode=self.desa.kode))
        # Dinsos leads a1; supports a2 (led by Disdikbud); a3 is DPPPA's alone.
        self.a1 = self.action("1.1.1", "Pendampingan keluarga", self.dinsos, date(2026, 1, 1), date(2026, 12, 31))
        self.a2 = self.action("1.1.2", "Verifikasi lapangan", self.disdik, date(2026, 1, 1), date(2026, 10, 31),
                              supporting=[self.dinsos])
        self.a3 = self.action("1.1.3", "Sosialisasi perkawinan anak", self.dpppa, date(2026, 2, 1), date(2027, 3, 31))
        self.m1 = Milestone(action=self.a1, title="Rapat persiapan", due_date=date(2026, 3, 1), state="selesai",
                            completed_on=date(2026, 2, 25))
        self.m2 = Milestone(action=self.a1, title="Pelaksanaan", due_date=date(2026, 12, 1), state="berjalan")
        self.m3 = Milestone(action=self.a3, title="Sosialisasi tahap I", due_date=date(2026, 11, 20),
                            state="berjalan")
        db.session.add_all([self.m1, self.m2, self.m3])
        db.session.commit()

    def action(self, code, title, lead, start, due, supporting=()):
        a = Action(program=self.program, code=code, title=title, lead_agency=lead, start_date=start, due_date=due,
                   ats_categories="DO")
        a.supporting_agencies = list(supporting)
        db.session.add(a)
        db.session.flush()
        return a


@pytest.fixture()
def world(app_ctx) -> World:
    return World()


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture()
def as_user(client, world):
    """as_user('koordinator@example.org') logs the test client in."""

    def _login(email: str):
        client.post("/logout")
        resp = login(client, email)
        assert resp.status_code == 302, resp.data[:500]
        return client

    return _login


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture()
def smtp(app_ctx):
    """A real SMTP server on loopback, and the app's MAIL_* settings pointing at it."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer()
    server.start()
    saved = {k: app_ctx.config.get(k) for k in server.config}
    app_ctx.config.update(server.config)
    yield server
    server.stop()
    app_ctx.config.update(saved)
