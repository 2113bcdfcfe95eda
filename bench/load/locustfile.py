"""The Locust side of `python -m bench.load`: one Locust user per signed-in session, no think time.

Not run on its own, and not imported: bench.load signs the users in, writes the plan (sessions, weighted
page mix, URLs) to the file named by LOAD_PLAN, starts `locust -f bench/load/locustfile.py --headless ...`
(bench.load.locust_run) and reads back every request from the file named by LOAD_SAMPLES (JSON lines: kind,
start, ms, status, error). Locust's own percentiles are rounded; bench.load computes its figures from these
samples.

Every request goes out as nginx would forward it (X-Forwarded-Proto: https, the user's own address in
X-Forwarded-For, the same User-Agent as at login). The session cookie is Secure, so it is sent by hand
(a cookie jar would keep a Secure cookie off plain http) and updated whenever the server sets it again.
A 2xx or 3xx answer is a success, except a redirect to the login page (an ended session); anything else
(4xx, 5xx, a dropped connection, a timeout) is an error.
"""
from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import gevent
from locust import FastHttpUser, between, constant, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
SAMPLES_FILE = Path(os.environ["LOAD_SAMPLES"])
_SESSIONS = iter(PLAN["sessions"])
_SAMPLES: list[str] = []
SESSION_COOKIE = "__Host-sitisek"  # config.ProductionConfig.SESSION_COOKIE_NAME (bench/load/constants.py)
_SESSION_COOKIE = re.compile(r"(?:^|,\s*)" + re.escape(SESSION_COOKIE) + r"=([^;]*)")


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None,
            start_time=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    _SAMPLES.append(json.dumps({"kind": name, "start": start_time, "ms": response_time, "status": status,
                                "error": None if exception is None else str(exception)[:200]}))


@events.test_stop.add_listener
def _write_samples(**_kwargs):
    SAMPLES_FILE.write_text("\n".join(_SAMPLES) + ("\n" if _SAMPLES else ""), encoding="utf-8")


THINK = float(PLAN.get("think", 0))


class SignedInUser(FastHttpUser):
    # By default a closed loop: the next request goes as soon as the last answer is read (as wrk does).
    # --think S: a pause between 0.5 S and 1.5 S after each answer, like a person reading the page.
    wait_time = between(0.5 * THINK, 1.5 * THINK) if THINK > 0 else constant(0)
    max_retries = 0  # a dropped connection is an error, not a silent second try
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.session = next(_SESSIONS)
        self.rng = random.Random(f"{PLAN['seed']}-{self.session['email']}")
        self.kinds = [kind for kind, _w in self.session["mix"]]
        self.weights = [w for _k, w in self.session["mix"]]
        self.cookie = self.session["cookie"]
        if THINK > 0:  # people do not all click at the same second: spread the first requests over one pause
            gevent.sleep(self.rng.uniform(0, THINK))

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}", "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.session["ip"], "User-Agent": self.session["ua"],
                "Accept-Language": "id"}

    @task
    def open_a_page(self) -> None:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        url = self.rng.choice(self.session["urls"][kind])
        with self.client.get(url, name=kind, headers=self.headers(), allow_redirects=False,
                             catch_response=True) as resp:
            set_cookie = resp.headers.get("Set-Cookie") or ""
            found = _SESSION_COOKIE.search(set_cookie)
            if found and found.group(1):
                self.cookie = found.group(1)
            location = resp.headers.get("Location") or ""
            if 300 <= resp.status_code < 400 and "/login" in location:
                resp.failure(f"redirect to the login page from {url}")
            elif not 200 <= resp.status_code < 400:
                resp.failure(f"HTTP {resp.status_code} from {url}")
            else:
                resp.success()
