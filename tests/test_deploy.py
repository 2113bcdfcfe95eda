"""Production mode as deploy/ runs it: `flask db upgrade`, then gunicorn with deploy/gunicorn.conf.py,
and the scheduler as its own process, all from the environment file's settings."""
from __future__ import annotations

import base64
import configparser
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from coordinator.web.health import code_revision
from tests.smtp_server import _free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# A database of each pytest-xdist worker's own: the two tests that start production may run on both workers at once.
DEPLOY_DB = f"coordinator_deploy_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _postgres_url() -> str | None:
    """A database of its own on the local PostgreSQL: the suite's `test` database is left alone."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DEPLOY_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DEPLOY_DB}")
    except psycopg.Error:
        return None
    return f"postgresql://postgres@127.0.0.1:5432/{DEPLOY_DB}"


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    url = _postgres_url() or f"sqlite:///{tmp / 'prod.db'}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_"))}
    env.update(COORDINATOR_ENV="production", FLASK_APP="coordinator", DATABASE_URL=url,
               SECRET_KEY=secrets.token_hex(32),
               CHILD_DATA_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
               UPLOAD_DIR=str(tmp / "uploads"), COORDINATOR_INSTANCE=str(tmp), PROXY_COUNT="1",
               GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", PYTHONPATH=str(ROOT))
    yield env, f"http://127.0.0.1:{port}"
    if url.startswith("postgresql"):
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DEPLOY_DB} WITH (FORCE)")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _wait_healthy(base: str, proc: subprocess.Popen, seconds: float = 60) -> tuple[int, bytes]:
    deadline = time.monotonic() + seconds
    status, body = 0, b""
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gunicorn stopped: " + (proc.stdout.read().decode() if proc.stdout else "")
        try:
            status, _h, body = _get(base + "/healthz")
            if status == 200:
                return status, body
        except OSError:
            pass
        time.sleep(0.3)
    return status, body


def test_production_start_migrates_and_serves_behind_nginx(production_env):
    env, base = production_env
    upgrade = subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert upgrade.returncode == 0, upgrade.stderr
    web = subprocess.Popen([str(BIN / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py")], cwd=ROOT,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status, body = _wait_healthy(base, web)
        assert status == 200, body
        assert f'"revision":"{code_revision()}"' in body.decode().replace(" ", "")
        # As nginx forwards it: TLS ended at nginx, the client's address in X-Forwarded-For.
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        status, headers, page = _get(base + "/login", forwarded)
        assert status == 200 and b"<form" in page
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        cookie = headers.get("Set-Cookie", "")
        assert "Secure" in cookie and "HttpOnly" in cookie
        status, headers, css = _get(base + "/static/css/app.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        # Both workers answer (preload_app + post_fork): a burst is served without errors.
        for _ in range(20):
            assert _get(base + "/healthz")[0] == 200
    finally:
        web.send_signal(signal.SIGTERM)
        out = web.communicate(timeout=60)[0].decode()
    assert web.returncode == 0, out
    assert "Booting worker" in out and "Traceback" not in out


def test_production_refuses_to_start_without_its_secrets(production_env):
    env, _base = production_env
    broken = {k: v for k, v in env.items() if k != "CHILD_DATA_KEY"}
    result = subprocess.run([str(BIN / "flask"), "db", "current"], cwd=ROOT, env=broken, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "CHILD_DATA_KEY" in result.stderr


def test_scheduler_runs_as_its_own_process_and_stops_cleanly(production_env):
    env, _base = production_env
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=300)
    proc = subprocess.Popen([str(BIN / "flask"), "scheduler", "--no-catch-up"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(4)
    assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=30)[0].decode()
    assert "Traceback" not in out, out


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name)
    return parser


def test_unit_files_point_at_what_the_repository_ships():
    web = _unit("coordinator-web.service")["Service"]
    assert web["ExecStartPre"].endswith("flask db upgrade")
    assert "gunicorn --config /opt/sitisek/deploy/gunicorn.conf.py" in web["ExecStart"]
    assert web["EnvironmentFile"] == "/etc/sitisek/env" and web["User"] == "sitisek"
    scheduler = _unit("coordinator-scheduler.service")["Service"]
    assert scheduler["ExecStart"].endswith("flask scheduler")
    # Background work gives way to the web workers, between services (CPUWeight) as well as inside one (Nice).
    assert int(scheduler["CPUWeight"]) < int(web.get("CPUWeight", "100")) and int(scheduler["Nice"]) > 0
    env_keys = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
                if line and not line.startswith("#")}
    assert {"DATABASE_URL", "SECRET_KEY", "CHILD_DATA_KEY", "UPLOAD_DIR", "BASE_URL", "PROXY_COUNT"} <= env_keys
    nginx = (DEPLOY / "nginx-sitisek.conf").read_text()
    assert "client_max_body_size 110m;" in nginx and "ssl_certificate" in nginx
    assert "alias /opt/sitisek/coordinator/static/;" in nginx
    # The upload directory must never be reachable through nginx.
    assert "/var/lib/sitisek" not in nginx
