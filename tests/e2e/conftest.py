"""Fixtures of the browser tests: a live SITISEK on its own seeded SQLite file,
and Debian's Chromium driven by Playwright.

Independent of the session-scoped `app` fixture of tests/conftest.py: the live
server has its own app object, database file and upload folder, and real CSRF.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

from config import TestingConfig
from coordinator import create_app
from coordinator.demo.seed import seed_demo
from coordinator.extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LIVE_NOW = "2026-11-27T02:00:00"  # 10:00 WITA on 27 November 2026
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (`-m "not e2e"` leaves them out). Under pytest-xdist each
    worker that runs some starts a live server and Chromium of its own."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveServer:
    app: Flask
    url: str
    upload_dir: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on 127.0.0.1:<free port>, seeded with the scale-1 demo at LIVE_NOW."""
    base = tmp_path_factory.mktemp("live")
    uploads = base / "uploads"
    uploads.mkdir()
    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{base / 'live.db'}"
    cfg.UPLOAD_DIR = str(uploads)
    cfg.WTF_CSRF_ENABLED = True  # a real browser posts real forms
    cfg.FIXED_NOW = LIVE_NOW
    cfg.PUBLIC_PAGE = True  # the public page is on here, so its journey and accessibility are checked too
    application = create_app(cfg)
    application.config.update(WTF_CSRF_ENABLED=True, FIXED_NOW=LIVE_NOW, UPLOAD_DIR=str(uploads))
    with application.app_context():
        upgrade(directory=str(REPO / "migrations"))
        seed_demo(db.session, datetime.fromisoformat(LIVE_NOW), scale=1)
        db.session.commit()
        db.session.remove()

    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(application, f"http://127.0.0.1:{server.server_port}", uploads)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # The journey is part of `make test`: a missing browser is a failure, unless a developer opts out.
        if os.environ.get("E2E_OPTIONAL") == "1":
            pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
        pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium), or set E2E_OPTIONAL=1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
