"""Hostile strings in every form, query-string filter and API parameter: nothing leaks, runs or breaks.

The forms are not a hand-kept list: every page of the permission matrix that a role can open is read and every
<form> on it is walked (`tests/hostile_forms.py`), so a new form is covered as soon as a page shows it. Each
string of `PAYLOADS` (SQL injection, template injection, XSS, `javascript:`) goes, as every role that is shown a
form, into
- pass A: every free-text field, the other fields keeping what the page offers (valid dates, choices), so the
  form saves and the string is stored and shown on the pages;
- pass B: every field at all (selects, numbers, dates, hidden values too).
Then every page of every role is read again, and the API. Files: test_hostile_files.py; sizes, numbers, dates,
headers, bodies and ids: test_hostile_requests.py.
"""
from __future__ import annotations

import html
import inspect
import itertools
import re
import sys
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import String, Text, func, select
from sqlalchemy import inspect as db_inspect

from coordinator.accounts import api_tokens
from coordinator.extensions import db
from coordinator.models import Action, Agency, Milestone, Pillar, ProgressUpdate, User
from tests.conftest import login
from tests.hostile_forms import PAYLOADS, SQL, XSS, Form, forms_of, leaks, local, scan
from tests.test_permissions import EMAILS, MATRIX, _ids

WALKED = ("anon", "coordinator", "admin", "focal_own", "leader", "verifier")
TEXT_KINDS = ("text", "search", "textarea", "url", "tel")
GOOD_PASSWORD = "Hx-sandi-Kutim-2026!"
# Forms that take text but destroy what later forms work on: posted last.
LAST = re.compile(r"/(hapus|delete|revoke|reopen)$")
# The columns where every pass-A string must be found stored exactly as typed (one row each at least).
MUST_STORE = {("action", "title"), ("action", "description"), ("action", "output"), ("pillar", "name"),
              ("pillar", "description"), ("program", "name"), ("milestone", "title"), ("agency", "name"),
              ("agency", "short_name"), ("progress_update", "achievements"), ("progress_update", "obstacles"),
              ("progress_update", "follow_up"), ("indicator", "name"), ("indicator", "definition"),
              ("plan", "name"), ("plan", "description"), ("user_account", "name"), ("area", "nama"),
              ("reference_item", "label_id"), ("child_verification", "notes"), ("child_case", "notes"),
              ("report_settings", "pemkab_name"), ("api_token", "name")}
_CATALOGUE: dict[tuple, tuple] = {}


def _pages(role: str, ids: dict) -> list[str]:
    """The pages of the permission matrix that `role` opens with 200 (the API is read with a token)."""
    return [tpl.format(**ids) for ep, (tpl, get, _post) in MATRIX.items()
            if get[role] == 200 and not ep.startswith(("api.", "calendar.feed"))]


def _as(client, role: str) -> None:
    client.post("/logout")
    if role != "anon":
        assert login(client, EMAILS[role]).status_code == 302


ARG_RE = re.compile(r'(?:args\.get(?:list)?|int_arg|_arg)\(\s*"(\w+)"')


def _read_args(app, url: str) -> set[str]:
    """The query parameters the view of `url` reads (in its own code and the helpers of its module it calls)."""
    endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path)
    view = inspect.unwrap(app.view_functions[endpoint])
    module, source = sys.modules[view.__module__], inspect.getsource(view)
    names = set(ARG_RE.findall(source))
    for called in set(re.findall(r"\b(\w+)\(", source)):
        helper = getattr(module, called, None)
        if inspect.isfunction(helper) and helper.__module__ == module.__name__:
            names |= set(ARG_RE.findall(inspect.getsource(helper)))
    return names


def _catalogue(client, ids: dict) -> tuple[list[tuple[str, Form]], dict[tuple[str, str], set[str]], list]:
    """(role, form) for every POST form a role is shown; (role, path) -> query parameters (read by the view, in
    the GET forms, in the links); (role, url) of the HTML pages. Walked once per session (the World's ids are the
    same in every test)."""
    key = tuple(sorted((k, v) for k, v in ids.items() if k != "dinsos_feed_token"))  # the only random id
    if key not in _CATALOGUE:
        posts: dict[tuple, tuple[str, Form]] = {}
        gets: dict[tuple[str, str], set[str]] = {}
        pages = []
        for role in WALKED:
            _as(client, role)
            for url in _pages(role, ids):
                path = urlsplit(url).path
                params = _read_args(client.application, url)
                if params and not any(p == path for _r, p in gets):
                    gets[(role, path)] = params
                resp = client.get(url)
                if "html" not in resp.content_type:
                    continue
                pages.append((role, url))
                html = resp.get_data(as_text=True)
                for form in forms_of(html, url):
                    if form.method == "get":
                        gets.setdefault((role, urlsplit(form.action).path), set()).update(
                            f.name for f in form.fields if f.kind != "submit")
                    elif any(f.kind not in ("hidden", "submit") for f in form.fields) and form.action != "/logout":
                        posts.setdefault((role, *form.key), (role, form))
                for href in scan(html).links:
                    parts = urlsplit(local(href, url))
                    if parts.query and not parts.netloc:
                        gets.setdefault((role, parts.path), set()).update(k for k, _v in parse_qsl(parts.query))
        _CATALOGUE[key] = (list(posts.values()), gets, pages)
    return _CATALOGUE[key]


_serial = itertools.count(1)


def _plain(f, n: int) -> str:
    """A valid value for a field that refused the payload (a number, a time, a code that must be unique)."""
    name = f.name.rsplit("-", 1)[-1]
    if f.kind == "select":
        return ([o for o in f.options if o] or [""])[0]
    if f.kind in ("date", "month"):  # a date still to come (expiry), a month not yet reported
        return "2027-01-31" if f.kind == "date" else "2026-10"
    if f.value.strip() and name not in ("code", "kode"):
        return f.value.strip()
    if name == "amount":  # one funding source's share of a budget: optional, blank is valid
        return ""
    for words, value in ((("year",), "2026"), (("time",), "08:00"), (("days",), "7"),
                         (("budget", "value", "amount", "realised"), "1.000"), (("code",), f"HX-{n}"),
                         (("email", "recipients"), f"hx{n}@example.org"),
                         (("kode",), f"64.08.04.{9000 + n}"), (("current",), "demo-kutim-2026")):
        if any(w in name for w in words):
            return value
    return str(1 + n % 20) if f.kind == "number" else f"hx {n}"


def _data(form: Form, payload: str, everything: bool, refused: frozenset = frozenset()) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    submit_done = False
    confirm = any(f.name.endswith("confirm") and f.kind == "password" for f in form.fields)
    for f in form.fields:
        if f.name == "csrf_token" or f.kind == "file":
            continue
        if f.kind == "submit":
            if not submit_done:
                data[f.name] = [f.value]
                submit_done = True
            continue
        if everything:
            data.setdefault(f.name, []).append(payload)
            continue
        n = next(_serial)
        if f.name in refused:
            value = _plain(f, n)
        elif f.kind in TEXT_KINDS:
            value = payload
        elif f.kind == "password":
            value = GOOD_PASSWORD if confirm else payload
        elif f.kind == "email":
            value = f.value or f"hx{n}@example.org"
        elif f.kind == "number":
            value = f.value
        elif f.kind == "date":
            value = f.value or "2026-12-15"
        elif f.kind == "month":
            value = f.value or "2026-11"
        elif f.kind in ("checkbox", "radio"):
            if not f.checked:
                continue
            value = f.value
        elif f.kind == "select":  # what a browser sends: the selected options, else the first of a single select
            data.setdefault(f.name, []).extend(f.selected or ([] if f.multiple else f.options[:1]))
            continue
        else:  # hidden
            value = f.value
        data.setdefault(f.name, []).append(value)
    return data


def check(resp, payload: str, app, where: str) -> None:
    """No server error, no secret, nothing the string could have become."""
    assert resp.status_code < 500, (where, resp.status_code)
    body = resp.get_data().decode("utf-8", "replace")
    assert not leaks(body, app.config), (where, leaks(body, app.config))
    if "html" in resp.content_type and ("alert(1)" in body or "javascript:" in body.lower()):
        found = scan(body)
        assert not found.dangers, (where, found.dangers)
        for raw in ("<script>alert(1)</script>", "<img src=x onerror", "<%= 7*7 %>", '"><img'):
            assert raw not in body, (where, raw)
    if resp.status_code in (301, 302, 303):
        assert not resp.headers["Location"].lower().lstrip().startswith("javascript:"), where


def shown(resp, payload: str) -> bool:
    """The payload is on the page as text (escaped by Jinja, or by the SVG charts' XML escaping)."""
    body = resp.get_data(as_text=True)
    return str(escape(payload)) in body or html.escape(payload, quote=False) in body


def _stored(payload: str) -> set[tuple[str, str]]:
    """(table, column) of every text column holding exactly the payload."""
    found = set()
    for table in db.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, String | Text)]
        for col in cols:
            if db.session.scalar(select(func.count()).select_from(table).where(col == payload)):
                found.add((table.name, col.name))
    return found


def _rows_near(payload: str) -> list[str]:
    """Values of the main text columns that contain a part of the payload but differ from it (altered input)."""
    probe = payload.strip()[:6]
    bad = []
    for model, col in ((Action, Action.title), (Pillar, Pillar.name), (Milestone, Milestone.title),
                       (Agency, Agency.name), (ProgressUpdate, ProgressUpdate.achievements), (User, User.name)):
        for value in db.session.scalars(select(col).where(col.contains(probe, autoescape=True))):
            if value != payload:
                bad.append(f"{model.__tablename__}: {value!r}")
    return bad


def _post_form(client, role: str, form: Form, payload: str, app, everything: bool) -> None:
    """Pass A (free text; fields that refuse the string, e.g. numbers or codes, get a valid value on the next
    try), then pass B (every field). A form that comes back shows the string as text."""
    has_text = any(f.kind in TEXT_KINDS for f in form.fields)
    tries = [(False, frozenset())] if has_text else []
    while tries:
        _all, refused = tries.pop()
        resp = client.post(form.action, data=_data(form, payload, False, refused))
        check(resp, payload, app, f"{role} POST {form.action} A{len(refused)}")
        more = set(re.findall(r'id="([^"]+)-err"', resp.get_data(as_text=True))) - refused
        if resp.status_code == 200 and more and len(refused) < 8:
            tries.append((False, refused | more))
        if resp.status_code == 200 and not refused and has_text:
            assert shown(resp, payload), (role, form.action)
    if everything:
        resp = client.post(form.action, data=_data(form, payload, True))
        check(resp, payload, app, f"{role} POST {form.action} B")
        if resp.status_code == 200 and has_text:
            assert shown(resp, payload), (role, form.action)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_hostile_strings_in_every_form(payload, client, world, app_ctx):
    ids = _ids(world, app_ctx)
    forms, _gets, pages = _catalogue(client, ids)
    tables = set(db_inspect(db.engine).get_table_names())
    assert len({f.action for _r, f in forms}) >= 40 and {r for r, _f in forms} >= {"anon", "verifier", "focal_own"}
    done = set()  # pass B once per form: the roles share its code
    for last in (False, True):  # erasing the child and reopening the month come after the check of what is stored
        current = None
        for role, form in forms:
            if bool(LAST.search(form.action)) == last:
                if role != current:
                    _as(client, role)
                    current = role
                _post_form(client, role, form, payload, app_ctx, form.key not in done)
                done.add(form.key)
        if not last:
            db.session.expire_all()
            stored = _stored(payload)
            assert MUST_STORE <= stored, sorted(MUST_STORE - stored)
    db.session.expire_all()
    assert set(db_inspect(db.engine).get_table_names()) == tables
    assert db.session.scalar(select(func.count()).select_from(Action)) >= 3
    assert not _rows_near(payload)
    # Every page of every role shows the stored strings as text.
    seen, current = 0, None
    for role, url in pages:
        if role != current:
            _as(client, role)
            current = role
        resp = client.get(url)
        check(resp, payload, app_ctx, f"{role} GET {url}")
        seen += shown(resp, payload)
    assert seen >= 20
    _api_check(client, world, payload, app_ctx)


def _api_check(client, world, payload: str, app) -> None:
    _token, secret = api_tokens.create_token(db.session, world.admin.id, "hx", None, None, datetime(2026, 11, 20))
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    client.post("/logout")
    def strings(value):
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    seen = 0
    for path in ("/api/v1/plan", "/api/v1/pillars", "/api/v1/agencies", "/api/v1/actions", "/api/v1/indicators",
                 f"/api/v1/actions/{world.a1.id}", f"/api/v1/agencies/{world.dinsos.id}"):
        resp = client.get(path, headers=auth)
        check(resp, payload, app, path)
        assert resp.status_code == 200 and resp.is_json
        seen += payload in strings(resp.get_json())
    assert seen >= 3


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_hostile_strings_in_every_filter(payload, client, world, app_ctx):
    """Every query parameter of the list pages' filter forms and links, one at a time and repeated."""
    ids = _ids(world, app_ctx)
    _forms, gets, _pages_ = _catalogue(client, ids)
    assert len(gets) >= 8
    current = None
    for (role, path), params in sorted(gets.items()):
        if role != current:
            _as(client, role)
            current = role
        for name in sorted(params):
            url = f"{path}?{urlencode({name: payload})}"
            check(client.get(url), payload, app_ctx, f"{role} GET {url}")
        check(client.get(path + "?" + urlencode([(n, payload) for n in params] * 2)), payload, app_ctx, path)
    # An injected condition matches nothing: the search is a parameter, never SQL text.
    if payload in SQL:
        _as(client, "coordinator")
        body = client.get("/actions?" + urlencode({"q": payload})).get_data(as_text=True)
        assert world.a1.title not in body and world.a3.title not in body
        body = client.get("/admin/users?" + urlencode({"q": payload})).get_data(as_text=True)
        assert "dpppa@example.org" not in body


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_hostile_strings_in_every_api_parameter(payload, client, world, app_ctx):
    """Every parameter the OpenAPI document declares, in the query and in the path: JSON errors, no 500."""
    _token, secret = api_tokens.create_token(db.session, world.coordinator.id, "hx", None, None,
                                             datetime(2026, 11, 20))
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    spec = client.get("/api/v1/openapi.json").get_json()
    calls = 0
    for path, item in spec["paths"].items():
        params = item.get("get", {}).get("parameters", []) + item.get("parameters", [])
        params = [spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                  for p in params]
        url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)
        for p in params:
            if p["in"] == "query":
                target = f"{url}?{urlencode({p['name']: payload})}"
            elif p["in"] == "path":
                target = "/api/v1" + path.replace("{" + p["name"] + "}", payload.replace("/", "%2F"))
            else:
                continue
            resp = client.get(target, headers=auth)
            check(resp, payload, app_ctx, target)
            assert resp.is_json and resp.status_code in (200, 400, 404), (target, resp.status_code)
            calls += 1
    assert calls >= 15
    if payload in SQL:
        resp = client.get("/api/v1/actions?" + urlencode({"q": payload}), headers=auth)
        assert resp.get_json()["total"] == 0


def test_login_with_injection_lets_nobody_in(client, world):
    for email, password in [(p, p) for p in SQL] + [("admin@example.org' --", "x"), ("admin@example.org", SQL[0])]:
        resp = client.post("/login", data={"email": email, "password": password})
        assert resp.status_code in (200, 429)
        assert client.get("/monitor").status_code == 302


def test_javascript_urls_never_become_links(client, world, app_ctx, as_user):
    """The only user-chosen URLs are `next` targets and notification links: local paths only."""
    as_user("koordinator@example.org")
    for target in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "//evil.example/x",
                   "https://evil.example/", "/\\evil.example"):
        resp = client.post(f"/admin/users/{world.other_focal.id}/toggle", data={"next": target})
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/"), target
        assert not resp.headers["Location"].startswith(("//", "/\\")), target
        client.post("/logout")
        resp = client.post("/login?" + urlencode({"next": target}),
                           data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/"), target
        assert not resp.headers["Location"].startswith(("//", "/\\")), target
    from coordinator.models import Notification

    db.session.add(Notification(key="hx", user_id=world.coordinator.id, kind="due_soon", title=XSS[0],
                                url="javascript:alert(1)", created_at=datetime(2026, 11, 20)))
    db.session.commit()
    resp = client.get("/notifications")
    check(resp, XSS[0], app_ctx, "/notifications")
    assert not any(h.lower().startswith("javascript") for h in scan(resp.get_data(as_text=True)).links)
    note_id = db.session.scalar(select(Notification.id).where(Notification.key == "hx"))
    resp = client.get(f"/notifications/{note_id}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == "/notifications"


def test_search_fields_are_parameters_not_sql(client, world, as_user):
    """A quote typed into a search box is a literal quote."""
    as_user("koordinator@example.org")
    assert world.a1.title in client.get("/actions?q=Pendampingan").get_data(as_text=True)
    for q in ("x' OR '1'='1", "Pendampingan' --", "Pendampingan\\' OR 1=1 --"):
        body = client.get("/actions?" + urlencode({"q": q})).get_data(as_text=True)
        assert world.a1.title not in body and world.a2.title not in body, q
