"""Who signs in and what they open: the accounts, the login through the form, the page mix, the warm-up.

The seed has too few coordinators, leaders and admins for 32 sessions, so `prepare` adds some, inside
the app (a subprocess with the production environment), and picks focal points of different agencies
with the actions each may open. The Browser signs in as a person would (login form, CSRF token, an
address of its own); it keeps cookies by hand because the session cookie is Secure and the run talks
plain http to gunicorn.
"""
from __future__ import annotations

import http.client
import json
import re
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from bench.load.constants import (
    ACTION,
    AREA,
    ATS,
    EXTRA_ACCOUNTS,
    FILTERED,
    LIST,
    MIX_FOCAL,
    MIX_SEES_EVERYTHING,
    MONITOR,
    PASSWORD,
    REPO,
    SESSION_COOKIE,
)

# Run inside the app (a subprocess with the production environment) --------------------------------

def prepare(out: Path, sees_everything: int, focal_points: int, seed: int) -> None:
    """Adds the extra accounts, then writes what the run needs: accounts, action ids, filter URLs."""
    import random

    from sqlalchemy import func, select

    from coordinator import create_app
    from coordinator.accounts.users import create_user
    from coordinator.core.clock import month_start, utcnow, wita_today
    from coordinator.extensions import db
    from coordinator.models import Action, Agency, Area, Milestone, Pillar, ProgressUpdate, User
    from coordinator.models.action import action_supporting_agency

    rng = random.Random(seed)
    app = create_app()
    with app.app_context():
        s = db.session
        now = utcnow()
        disdikbud = s.scalar(select(Agency.id).where(Agency.code == "DISDIKBUD"))
        for role, n in EXTRA_ACCOUNTS:
            for i in range(1, n + 1):
                create_user(s, email=f"load.{role}.{i}@example.org", name=f"Uji beban {role} {i}", password=PASSWORD,
                            role=role, agency_id=disdikbud if role == "koordinator" else None, locale="id", now=now)
        s.commit()

        all_actions = sorted(s.scalars(select(Action.id).where(Action.deleted_at.is_(None))))
        live = set(all_actions)
        visible: dict[int, set[int]] = defaultdict(set)
        for action_id, agency_id in s.execute(select(Action.id, Action.lead_agency_id)
                                              .where(Action.deleted_at.is_(None))):
            visible[agency_id].add(action_id)
        for action_id, agency_id in s.execute(select(action_supporting_agency.c.action_id,
                                                     action_supporting_agency.c.agency_id)):
            if action_id in live:
                visible[agency_id].add(action_id)
        accounts = [{"email": u.email, "role": u.role, "actions": all_actions}
                    for u in s.scalars(select(User).where(User.role.in_(("koordinator", "pimpinan", "admin")),
                                                          User.active.is_(True)).order_by(User.id))][:sees_everything]
        focal = [u for u in s.scalars(select(User).where(User.role == "fokal", User.active.is_(True)).order_by(User.id))
                 if len(visible.get(u.agency_id or 0, ())) >= 2]
        # Spread over the agencies and the regency copies: every k-th focal point; one agency each.
        step = max(1, len(focal) // (focal_points + 1))
        chosen, agencies_taken = [], set()
        for u in focal[::step] + focal:
            if len(chosen) == focal_points:
                break
            if u.agency_id not in agencies_taken:
                chosen.append(u)
                agencies_taken.add(u.agency_id)
        accounts += [{"email": u.email, "role": u.role, "actions": sorted(visible[u.agency_id])} for u in chosen]

        # The writer: a focal point of another agency, on an action its agency leads, not yet reported this month.
        period = month_start(wita_today(now))
        reported = set(s.execute(select(ProgressUpdate.action_id, ProgressUpdate.agency_id)
                                 .where(ProgressUpdate.period == period, ProgressUpdate.superseded_at.is_(None))))
        writer = None
        for u in focal:
            if u.agency_id in agencies_taken:
                continue
            led = s.scalars(select(Action).where(Action.lead_agency_id == u.agency_id, Action.deleted_at.is_(None),
                                                 Action.start_date <= period).order_by(Action.code)).all()
            candidates = [a for a in led if (a.id, u.agency_id) not in reported]
            if candidates:
                a = candidates[0]
                writer = {"email": u.email, "action_id": a.id, "action_code": a.code, "agency_id": u.agency_id,
                          "period": period.strftime("%Y-%m"), "period_date": period.isoformat()}
                break
        assert writer, "no focal point with an unreported action this month"

        pillars = sorted(s.scalars(select(Pillar.id)))
        kecamatan = sorted(s.scalars(select(Area.kode).where(Area.level == "kecamatan", Area.active.is_(True))))
        desa = sorted(s.scalars(select(Area.kode).where(Area.level == "desa", Area.active.is_(True))))
        lead_agencies = sorted({a for a, ids in visible.items() if ids})
        filtered = [f"/actions?{urlencode({'status': st, 'sort': 'due_date'})}"
                    for st in ("terlambat", "berjalan", "belum_mulai", "selesai")]
        filtered += [f"/actions?{urlencode({'pillar': rng.choice(pillars), 'kecamatan': rng.choice(kecamatan)})}"
                     for _ in range(12)]
        filtered += [f"/actions?{urlencode({'agency': a})}" for a in rng.sample(lead_agencies, 12)]
        filtered += [f"/actions?{urlencode({'q': q})}" for q in ("sekolah", "anak", "data", "paket", "verifikasi")]
        filtered += ["/actions?due_from=2026-12-01&due_to=2027-06-30&sort=due_date",
                     f"/actions?status=terlambat&pillar={pillars[0]}&sort=due_date&dir=desc"]
        plan = {
            "accounts": accounts, "writer": writer,
            "urls": {
                "list": ["/actions", "/actions?page=2", "/actions?page=5", "/actions?sort=due_date",
                         "/actions?sort=title&dir=desc"],
                "filtered": filtered,
                "areas": [f"/ats/area/{k}" for k in kecamatan + rng.sample(desa, len(kecamatan))],
            },
            "counts": {
                "actions": len(all_actions),
                "milestones": s.scalar(select(func.count(Milestone.id))),
                "updates": s.scalar(select(func.count(ProgressUpdate.id))),
                "agencies": s.scalar(select(func.count(Agency.id))),
                "users": s.scalar(select(func.count(User.id))),
                "kecamatan": len(kecamatan), "desa": len(desa),
            },
        }
        db.session.remove()
    out.write_text(json.dumps(plan), encoding="utf-8")


def prepare_accounts(env: dict[str, str], tmp: Path, users: int) -> dict:
    """Runs `prepare` as `python -m bench.load --prepare` in the production environment; returns its plan."""
    plan_file = tmp / "prepared.json"  # bench.load.profiling reads it from the same folder
    done = subprocess.run([sys.executable, "-m", "bench.load", "--prepare", str(plan_file),
                           "--users", str(users)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300, start_new_session=True)
    if done.returncode != 0:
        raise SystemExit("preparing the accounts failed:\n" + done.stderr[-3000:])
    return json.loads(plan_file.read_text(encoding="utf-8"))


# A browser without a cookie jar (the session cookie is Secure; the run talks plain http to gunicorn) ---

class Browser:
    def __init__(self, port: int, ip: str, user_agent: str) -> None:
        self.port, self.ip, self.user_agent = port, ip, user_agent
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, dict[str, str], str, float]:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.ip, "User-Agent": self.user_agent,
                   "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        if method == "POST":  # Flask-WTF checks the referrer of a form posted over https (as a browser sends it)
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie = rest.split(";", 1)[0]
            if cookie and "expires=thu, 01 jan 1970" not in value.lower():
                self.cookies[name.strip()] = cookie
            else:
                self.cookies.pop(name.strip(), None)
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, data.decode("utf-8", "replace"), elapsed

    def get(self, path: str) -> tuple[int, dict[str, str], str, float]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str, float]:
        return self.request("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def post_multipart(self, path: str, fields: dict[str, str], files: list[tuple[str, str, str, bytes]]
                       ) -> tuple[int, dict[str, str], str, float]:
        boundary = "----sitisekload" + secrets.token_hex(8)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, ctype, data in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def csrf_token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if not value:
        raise RuntimeError("no CSRF token in the form")
    return value.group(1)


def sign_in(port: int, email: str, index: int) -> Browser:
    browser = Browser(port, f"203.0.113.{10 + index}", f"Mozilla/5.0 (SITISEK load test; user {index})")
    status, _h, page, _ms = browser.get("/login")
    if status != 200:
        raise RuntimeError(f"GET /login: HTTP {status}")
    status, headers, page, _ms = browser.post_form("/login", {"csrf_token": csrf_token(page), "email": email,
                                                              "password": PASSWORD})
    location = headers.get("location", "")
    if status != 302 or "/login" in location or SESSION_COOKIE not in browser.cookies:
        error = re.search(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', page)
        raise RuntimeError(f"login as {email} failed: HTTP {status} {error.group(1).strip() if error else ''}")
    return browser


def build_sessions(accounts: list[dict], browsers: list[Browser], urls: dict[str, list[str]]) -> list[dict]:
    """What Locust gets per signed-in account: its cookie, address, weighted mix and the URLs of each kind."""
    sessions = []
    for account, browser in zip(accounts, browsers, strict=True):
        mix = MIX_FOCAL if account["role"] == "fokal" else MIX_SEES_EVERYTHING
        by_kind = {MONITOR: ["/monitor"], LIST: urls["list"] + (
                       ["/actions/mine"] * 3 if account["role"] == "fokal" else []),
                   FILTERED: urls["filtered"], ACTION: [f"/actions/{i}" for i in account["actions"]],
                   ATS: ["/ats"], AREA: urls["areas"]}
        sessions.append({"email": account["email"], "role": account["role"], "cookie": browser.cookies[SESSION_COOKIE],
                         "ip": browser.ip, "ua": browser.user_agent, "mix": list(mix.items()),
                         "urls": {k: by_kind[k] for k in mix}})
    return sessions


def warm_up(sessions: list[dict], browsers: list[Browser]) -> int:
    """Untimed: every page kind on both workers, and every session once (a bad cookie stops here)."""
    warmup = 0
    for i, (session, browser) in enumerate(zip(sessions, browsers, strict=True)):
        kinds = [kind for kind, _w in session["mix"]] if i % 8 == 0 else [session["mix"][0][0]]
        for kind in kinds:
            for _ in range(2 if i % 8 == 0 else 1):
                path = session["urls"][kind][warmup % len(session["urls"][kind])]
                status, headers, _page, _ms = browser.get(path)
                warmup += 1
                if status >= 400 or "/login" in headers.get("location", ""):
                    raise SystemExit(f"warm-up: {session['email']} GET {path}: HTTP {status}")
    return warmup
