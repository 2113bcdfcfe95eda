"""gunicorn settings for SITISEK on a Pemkab server (deploy/coordinator-web.service).

Override any of them in /etc/sitisek/env: GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_BIND, GUNICORN_TIMEOUT."""
import os

wsgi_app = "run:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx in front; never exposed directly
# Two cores on a typical Pemkab VM: two sync workers, one request at a time each. nginx buffers the requests
# and answers of slow phones on 3G, so a worker never waits on a client. Threads do not add CPU (one Python
# process runs on one core at a time) and make a cheap page wait behind another thread's costly one: under the
# load test (bench/load, 32 connections, 2 cores) p95 was 260 ms with 1 thread, 358 ms with 2 and 452 ms with 4.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The monthly PDF and a 5.000-row import take seconds, not minutes; anything longer is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow for months.
max_requests = 20000  # a safety net against leaks; each recycle also empties the worker's page cache
max_requests_jitter = 2000
# Only nginx on this machine may say which client and scheme a request came from.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"  # to the journal
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Load the app once in the master: workers share its memory and a broken config fails the start at once.
preload_app = True


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    # The master loaded the app (preload_app); a pooled database connection it may hold must not be
    # shared with the workers. Dispose without closing: the master's sockets stay the master's.
    from coordinator.extensions import db
    from run import app

    with app.app_context():
        db.engine.dispose(close=False)
