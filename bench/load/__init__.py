"""Load test: production mode (gunicorn, 2 workers) on PostgreSQL at demo scale 10, 32 signed-in connections.

    .venv/bin/python -m bench.load [--scale 10] [--users 32] [--duration 30] [--think S] [--pg URL] [--keep]

1. A fresh PostgreSQL database (`coordinator_load`, dropped first and at the end) on the local server
   (--pg names the maintenance database to connect to), `flask db upgrade`, `flask seed-demo --scale 10`,
   all in production mode as tests/test_deploy.py starts it (COORDINATOR_ENV=production, DATABASE_URL,
   SECRET_KEY, CHILD_DATA_KEY, UPLOAD_DIR and COORDINATOR_INSTANCE in a temporary folder, PROXY_COUNT=1)
   at a fixed now (COORDINATOR_NOW, Friday 27 November 2026 10:00 WITA) so that every run sees the same
   data, and LOGIN_IP_LIMIT raised for the run (each session also has an address of its own). Then
   VACUUM ANALYZE, as autovacuum would have done on a server that has run for a while.
2. The seed has one coordinator, one leader and one admin; the run adds four coordinators, four leaders
   and an admin (accounts.create_user, as `flask users create` does) and signs in 32 accounts through
   the login form with its CSRF token: the 12 coordinators, leaders and admins and 20 focal points of
   different agencies. gunicorn runs deploy/gunicorn.conf.py with GUNICORN_WORKERS=2 (only its access
   log format is changed, to get the server time per request) and is ready when /healthz answers.
3. A short warm-up (untimed), then Locust (bench/load/locustfile.py, FastHttpUser) keeps 32 connections busy
   for --duration seconds with no think time (--think S: a pause of 0.5 S to 1.5 S after each page, like a
   person reading it) over a weighted mix: the deadline monitor, the action list
   with and without filters, action pages (real ids; a focal point opens only its agency's actions), the
   ATS overview and the ATS area pages (kecamatan and desa). Every request is sent as nginx forwards it
   (X-Forwarded-Proto: https, X-Forwarded-For). Only 2xx/3xx count, and a redirect to the login page is
   an error.
4. While it runs: a further focal point opens the progress form, posts a real update with an evidence PDF
   (CSRF token, multipart), and `flask reminders run` runs as its own process (with the scheduler unit's
   Nice=, and its CPUWeight= as the nice value of the process's own autogroup) against a local SMTP server
   (aiosmtpd). Afterwards the database is checked: the update is stored once with its evidence file, the
   reminder run's notifications and outbox messages are all there, once each, every email was received
   once; a second reminder run adds nothing.
5. With gunicorn stopped, one request at a time per page kind in-process on the same database, with
   the page cache off (what building a page costs): wall and CPU time, SQL statements and their time,
   CPU by package (--no-profile skips it).
6. Prints a Markdown report, writes bench/results/load-latest.md, and exits 1 if a target is missed:
   no error, p95 ≤ 300 ms over all requests, the update and the reminder run as above. Database,
   folder and processes are removed at the end, also after a failure or Ctrl+C (--keep keeps them).

The machine's CPU is shared with whatever else runs: the report splits the CPU time used during the
window into SITISEK (gunicorn and its PostgreSQL backends), Locust, and everything else.

Modules, in the order of a run: constants (fixed date, targets, page mix), server (database, seed,
gunicorn, SMTP sink, clean-up), sessions (accounts, login, warm-up), locust_run (the load and its
statistics), cpu (who used the cores), checks (progress update, reminder run, database check),
profiling (one request at a time), report (the Markdown), cli (the order of it all), locustfile
(loaded by Locust, not imported).
"""
