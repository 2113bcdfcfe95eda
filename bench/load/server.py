"""The server under load and its clean-up: a PostgreSQL database of its own, the seed, gunicorn, an SMTP sink.

Everything runs in production mode as tests/test_deploy.py starts it, at a fixed now, so that every run
sees the same data. A run must leave nothing behind, also after a failure, Ctrl+C or SIGTERM: the Rig
holds what was started and removes it again (database dropped, folder deleted, processes stopped).
"""
from __future__ import annotations

import base64
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.load.constants import ACCESS_LOG_FORMAT, BIN, DB_NAME, NOW, REPO

if TYPE_CHECKING:
    from bench.load.cpu import CpuMeter


# The database and the environment ----------------------------------------------------------------

def pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql)


def db_url(admin_url: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + DB_NAME


def create_database(admin_url: str) -> None:
    """A fresh database: whatever an earlier run left is dropped first."""
    try:
        pg_admin(admin_url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        pg_admin(admin_url, f"CREATE DATABASE {DB_NAME}")
    except Exception as err:  # noqa: BLE001
        raise SystemExit(f"PostgreSQL at {admin_url} is needed: {err}") from err


def settle(url: str) -> str:
    """VACUUM ANALYZE the load database; returns the server's autovacuum setting."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        return str(conn.execute("SHOW autovacuum").fetchone()[0])


def pg_server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        full = conn.execute("SELECT version()").fetchone()[0]
    return full.split(" on ")[0].split(",")[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(tmp: Path, url: str, port: int, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TEST_", "FLASK_", "GUNICORN_", "COORDINATOR_", "MAIL_", "LOAD_"))}
    env.update(COORDINATOR_ENV="production", FLASK_APP="coordinator", DATABASE_URL=url,
               SECRET_KEY=secrets.token_hex(32),
               CHILD_DATA_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
               UPLOAD_DIR=str(tmp / "uploads"), COORDINATOR_INSTANCE=str(tmp), PROXY_COUNT="1",
               COORDINATOR_NOW=NOW, LOGIN_IP_LIMIT="100000", BASE_URL="https://sitisek.example",
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_TIMEOUT="10",
               MAIL_DEFAULT_SENDER="SITISEK Kutim <sitisek@kutaitimurkab.example>",
               GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", PYTHONPATH=str(REPO))
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "flask"), *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, start_new_session=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def build(env: dict[str, str], scale: int) -> dict[str, float]:
    """`flask db upgrade`, then `flask seed-demo`; returns how long each took (reported, not measured)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    timings["upgrade"] = time.perf_counter() - started
    started = time.perf_counter()
    print(f"seeding the demo at scale {scale} into PostgreSQL {DB_NAME} …", file=sys.stderr)
    flask(env, "seed-demo", "--scale", str(scale))
    timings["seed"] = time.perf_counter() - started
    return timings


# Processes ----------------------------------------------------------------------------------------

class SmtpSink:
    """A local SMTP server that keeps (recipient, subject) of every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes, policy

        subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
        with self.lock:
            self.received += [(rcpt, subject) for rcpt in envelope.rcpt_tos]
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def stop_process(proc: subprocess.Popen | None, timeout: float = 60) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def start_gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    """deploy/gunicorn.conf.py as deployed; only the access log format differs (server time per request)."""
    with log.open("wb") as log_out:
        return subprocess.Popen([str(BIN / "gunicorn"), "--config", str(REPO / "deploy" / "gunicorn.conf.py"),
                                 "--access-logformat", ACCESS_LOG_FORMAT], cwd=REPO, env=env, stdout=log_out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text(errors="replace")[-3000:])
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def gunicorn_log_findings(log_text: str) -> tuple[list[str], list[str]]:
    """Errors in gunicorn's log fail the run; recycled workers are only noted (production does the same)."""
    log_problems, notes = [], []
    if "Traceback" in log_text or "[ERROR]" in log_text:
        log_problems.append("gunicorn's log has errors: " + next(
            ln for ln in log_text.splitlines() if "Traceback" in ln or "[ERROR]" in ln))
    boots = log_text.count("Booting worker")
    if boots > 2:
        notes.append(f"{boots - 2} worker(s) recycled by gunicorn during the run (max_requests), as in production.")
    return log_problems, notes


# Clean-up -----------------------------------------------------------------------------------------

def on_signals() -> None:
    """A Ctrl+C or a SIGTERM ends the run through Rig.close(): processes stopped, database dropped."""

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background


class Rig:
    """What a run starts and must remove again: the folder, the database, gunicorn, Locust, the SMTP sink."""

    def __init__(self, admin_url: str, keep: bool) -> None:
        self.admin_url, self.keep = admin_url, keep
        self.tmp = Path(tempfile.mkdtemp(prefix="sitisek-load-"))
        self.url = db_url(admin_url)
        self.web: subprocess.Popen | None = None
        self.locust: subprocess.Popen | None = None
        self.sink = SmtpSink()
        self.meter: CpuMeter | None = None

    def close(self) -> None:
        if self.meter is not None:
            self.meter.stop_event.set()
        stop_process(self.locust, 30)
        stop_process(self.web, 60)
        self.sink.stop()
        if self.keep:
            print(f"kept: database {self.url}, folder {self.tmp}", file=sys.stderr)
        else:
            with contextlib.suppress(Exception):
                pg_admin(self.admin_url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            shutil.rmtree(self.tmp, ignore_errors=True)
