"""Test fixtures: a real database built once by the migrations (an SQLite file, or a PostgreSQL template
database when TEST_DATABASE_URL points at PostgreSQL), copied for each pytest-xdist worker.

Each test runs inside a transaction that is rolled back at its end: the app's session joins it through a
SAVEPOINT, so the app's own commits work as they do in production and vanish afterwards. Tests whose data
another connection, thread or process must see are marked `commits`: they commit for real, and the tables
are emptied after them.
"""
from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import CompoundSelect, Table, event, literal, select, union_all
from sqlalchemy.engine import Connection

from coordinator.admin.reference_data import load_reference_lists
from coordinator.extensions import db
from coordinator.models import Action, Agency, Area, Milestone, Pillar, Plan, Program, User, VerifierArea
from tests import databases

PASSWORD = "demo-kutim-2026"
FIXED_NOW = "2026-11-27T02:00:00"  # 10:00 WITA on 27 November 2026


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist) builds the schema once
        config.stash[databases.TEMPLATE] = databases.build_template()


def pytest_unconfigure(config: pytest.Config) -> None:
    template = config.stash.get(databases.TEMPLATE, None)
    if template is not None:
        databases.drop_template(template)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # type: ignore[no-untyped-def]  # xdist: tell each worker the template
    node.workerinput["db_template"] = node.config.stash[databases.TEMPLATE]


def _template(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["db_template"] if workerinput else config.stash[databases.TEMPLATE]


class FreshGlobalsClient(FlaskClient):
    """Requests in tests share the test's app context (and db session); clear
    `g` before each one so the signed-in user and locale are looked up afresh,
    as they are for every real request."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(vars(g)):
                delattr(g, key)
        return super().open(*args, **kwargs)


_flask_get_bind = FlaskSession.get_bind


def _get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[no-untyped-def]
    # Flask-SQLAlchemy 3 picks the engine by bind key and ignores a session bound to a connection; the
    # rolled-back tests bind it to the connection that holds the test's transaction.
    if bind is None and isinstance(self.bind, Connection):
        return self.bind
    return _flask_get_bind(self, mapper, clause=clause, bind=bind, **kwargs)


FlaskSession.get_bind = _get_bind  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def app(request, tmp_path_factory) -> Iterator[Flask]:
    from config import TestingConfig
    from coordinator import create_app

    uploads = tmp_path_factory.mktemp("uploads")
    os.environ.setdefault("UPLOAD_DIR", str(uploads))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = databases.worker_copy(_template(request.config), worker,
                                                        tmp_path_factory.mktemp("db"))
    cfg.UPLOAD_DIR = str(uploads)
    application = create_app(cfg)
    application.test_client_class = FreshGlobalsClient
    application.config["FIXED_NOW"] = FIXED_NOW
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop_worker_copy(cfg.SQLALCHEMY_DATABASE_URI)


_empty_all_tables = databases.empty_all_tables


@functools.cache
def _kept_tables() -> tuple[Table, ...]:
    # The data revision's one row may stand: emptying the tables writes it (coordinator/core/revision.py).
    return tuple(t for t in db.metadata.sorted_tables if t.name != "data_revision")


@functools.cache
def _any_row() -> CompoundSelect:
    return union_all(*(select(literal(1)).select_from(t) for t in _kept_tables())).limit(1)


def _rows_left(conn: Connection) -> list[str]:
    """Tables that hold rows, as the committed database shows them (one quick query when there are none)."""
    if conn.execute(_any_row()).first() is None:
        return []
    return [t.name for t in _kept_tables() if conn.execute(select(literal(1)).select_from(t).limit(1)).first()]


@contextmanager
def _rolled_back() -> Iterator[None]:
    conn = db.engine.connect()
    outer = conn.begin()
    if conn.dialect.name == "sqlite":
        # pysqlite opens a transaction only before its first write; without this BEGIN the first SAVEPOINT
        # would be the outermost transaction and its RELEASE a real commit.
        conn.exec_driver_sql("BEGIN")
    factory = db.session.session_factory
    db.session.remove()
    factory.kw.update(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.remove()
        factory.kw.pop("bind", None)
        factory.kw.pop("join_transaction_mode", None)
        outer.rollback()
        left = _rows_left(conn)
        conn.close()
        if left:
            _empty_all_tables()
            pytest.fail(f"the test committed outside its transaction ({', '.join(left)}): mark it "
                        "@pytest.mark.commits", pytrace=False)


@contextmanager
def _committing() -> Iterator[None]:
    try:
        yield
    finally:
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture()
def app_ctx(app, request):
    app.config["FIXED_NOW"] = FIXED_NOW
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        # Previews a test uploaded and never confirmed (the hostile-input suite leaves many) are not the next
        # test's: the app's own hourly cleanup would remove them in real use.
        for folder in ("ats-pending", "verval-pending", "rad-pending"):
            shutil.rmtree(Path(app.config["UPLOAD_DIR"]) / folder, ignore_errors=True)
        isolation = _committing if request.node.get_closest_marker("commits") else _rolled_back
        with isolation():
            yield app


def statements_run(fn: Callable[[], object]) -> list[str]:
    """The SQL statements the app runs while `fn()` runs. Savepoints are left out: the test's transaction adds
    one where production sends a plain BEGIN, which pysqlite and psycopg do not count as a statement."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return seen


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


def _serving(app, server):  # type: ignore[no-untyped-def]
    """Start a loopback server, point the app's settings at it for the test, then put everything back."""
    server.start()
    saved = {k: app.config.get(k) for k in server.config}
    app.config.update(server.config)
    yield server
    server.stop()
    app.config.update(saved)


@pytest.fixture()
def smtp(app_ctx):
    """A real SMTP server on loopback, and the app's MAIL_* settings pointing at it."""
    from tests.smtp_server import SmtpServer

    yield from _serving(app_ctx, SmtpServer())


@pytest.fixture()
def whatsapp(app_ctx):
    """The WhatsApp Cloud API stand-in on loopback (tests/whatsapp_server.py), and the app's WHATSAPP_* settings
    pointing at it."""
    from tests.whatsapp_server import WhatsAppServer

    yield from _serving(app_ctx, WhatsAppServer())
