"""gunicorn settings for SITISEK on a Pemkab server (deploy/coordinator-web.service).

Override any of them in /etc/sitisek/env: GUNICORN_WORKERS, GUNICORN_BIND, GUNICORN_TIMEOUT."""
import os

wsgi_app = "run:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx in front; never exposed directly
# Two cores on a typical Pemkab VM: two sync workers, each with a few threads for slow phones on 3G.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# The monthly PDF and a 5.000-row import take seconds, not minutes; anything longer is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow for months.
max_requests = 2000
max_requests_jitter = 200
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
