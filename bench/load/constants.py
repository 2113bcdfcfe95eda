"""The fixed facts of the load test, in one place so that every module (and every run) uses the same ones.

The date, the password, the targets and the page mix are what make two runs comparable; the page
kinds are the names Locust records and the report groups by.
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results" / "load-latest.md"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "coordinator_load"
NOW = "2026-11-27T02:00:00"  # UTC: Friday 27 November 2026, 10:00 WITA (as bench/pages.py)
PASSWORD = "demo-kutim-2026"  # noqa: S105 - the published demo password
SESSION_COOKIE = "__Host-sitisek"  # config.ProductionConfig.SESSION_COOKIE_NAME: the load test runs production mode
P95_TARGET_MS = 300.0
EXTRA_ACCOUNTS = (("koordinator", 4), ("pimpinan", 4), ("admin", 1))
WRITER_AT_S = 8.0  # into the window: the focal point's progress update
REMINDERS_AT_S = 10.0  # into the window: `flask reminders run`
ACCESS_LOG_FORMAT = '%(s)s %(D)s "%(r)s"'  # status, microseconds, request line

# Page kinds of the mix, and their weights per kind of user.
MONITOR = "Deadline monitor"
LIST = "Action list"
FILTERED = "Action list, filtered"
ACTION = "Action page"
ATS = "ATS overview"
AREA = "ATS area page"
KINDS = (MONITOR, LIST, FILTERED, ACTION, ATS, AREA)
MIX_SEES_EVERYTHING = {MONITOR: 25, LIST: 10, FILTERED: 15, ACTION: 25, ATS: 10, AREA: 15}
MIX_FOCAL = {LIST: 20, FILTERED: 15, ACTION: 40, ATS: 10, AREA: 15}
