"""Hostile requests beyond strings in fields: huge fields, numbers out of range, impossible dates, a forged Host
header, repeated parameters, bodies of the wrong type and unknown ids. No 500 anywhere, nothing saved by a
refused request. The forms are walked as in tests/test_hostile_input.py."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from coordinator.accounts import api_tokens
from coordinator.extensions import db
from coordinator.models import Action, Milestone, OutboxMessage, Pillar, ProgressUpdate
from tests.test_hostile_input import _as, _catalogue, _data, check
from tests.test_permissions import MATRIX, ROLES, _ids

BIG = "A" * 1_000_000
NUMBERS = [str(2**31), str(2**63), str(-(2**63) - 1), "-1", "1e309", "NaN", "-Infinity", "9" * 400]
DATES = ["0000-00-00", "9999-99-99", "9999-12-31", "0001-01-01", "2026-02-30", "2026-13", "0000-00", "9999-12",
         "31/12/99999", "-2026-01-01"]
BASE_URL = "https://sitisek.kutaitimurkab.example"


def _one_per_form(forms):
    seen, out = set(), []
    for role, form in forms:
        if form.action not in seen:
            seen.add(form.action)
            out.append((role, form))
    return out


def _walk(client, forms, make, app, label):
    """Posts make(form) (a dict, or None to skip) to one role's copy of every form, multipart where the page's
    form is; returns the status codes."""
    current, codes = None, []
    for role, form in _one_per_form(forms):
        data = make(form)
        if data is None:
            continue
        if role != current:
            _as(client, role)
            current = role
        resp = client.post(form.action, data=data, content_type="multipart/form-data" if form.multipart else None)
        check(resp, label, app, f"{role} POST {form.action} {label}")
        codes.append(resp.status_code)
    return codes


def _counts():
    db.session.expire_all()
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Action, Pillar, Milestone, ProgressUpdate)}


def test_a_megabyte_in_every_text_field(client, world, app_ctx):
    forms, _g, _p = _catalogue(client, _ids(world, app_ctx))
    before = _counts()

    def make(form):
        data = _data(form, "hx", False)
        texts = [f.name for f in form.fields if f.kind in ("text", "textarea", "search")]
        return {**data, **{n: BIG for n in texts}} if texts else None

    codes = _walk(client, forms, make, app_ctx, "1 MB")
    assert set(codes) <= {200, 302, 413} and codes.count(200) >= 25
    # A megabyte of title is refused by the form, a megabyte in a multipart form by the request size limit
    # (Flask's MAX_FORM_MEMORY_SIZE, 500 KB per field): the 413 page, in the user's language.
    _as(client, "coordinator")
    edit = {"program_id": world.program.id, "code": "1.1.1", "title": BIG, "lead_agency_id": world.dinsos.id,
            "ats_categories": "DO", "start_date": "2026-01-01", "due_date": "2026-12-31"}
    assert client.post(f"/actions/{world.a1.id}/edit", data=edit).status_code == 200
    _as(client, "focal_own")
    resp = client.post(f"/actions/{world.a1.id}/progress/new", content_type="multipart/form-data",
                       data={"period": "2026-10", "percent_complete": "5", "achievements": BIG})
    assert resp.status_code == 413 and "Kiriman terlalu besar" in resp.get_data(as_text=True)
    assert "setiap isian teks paling banyak 500 KB" in resp.get_data(as_text=True)  # not only about files
    assert _counts() == before


@pytest.mark.parametrize("kind, values", [("number", NUMBERS), ("date", DATES)])
def test_numbers_and_dates_out_of_range_in_every_field(kind, values, client, world, app_ctx):
    forms, _g, pages = _catalogue(client, _ids(world, app_ctx))
    for value in values:
        def make(form, value=value):
            data = _data(form, "hx", False)
            names = [f.name for f in form.fields if f.kind in (kind, "month") or
                     (f.kind == "text" and re.search(r"value|budget|amount|realised|year|date|time", f.name))]
            return {**data, **{n: value for n in names}} if names else None

        _walk(client, forms, make, app_ctx, value)
    # Whatever was saved (9999-12-31 is a real date), every page still renders.
    current = None
    for role, url in pages:
        if role != current:
            _as(client, role)
            current = role
        check(client.get(url), "", app_ctx, f"{role} GET {url} after {kind}s")


def test_dates_at_the_ends_of_the_calendar(client, world, app_ctx):
    """The forms refuse a year outside 2000–2100 with a message; the extreme dates they accept leave status,
    monitor, exports, calendar feed and reminders working."""
    ids = _ids(world, app_ctx)
    _as(client, "coordinator")
    action = {"program_id": world.program.id, "code": "1.1.1", "title": "Ujung kalender",
              "lead_agency_id": world.dinsos.id, "ats_categories": "DO"}
    resp = client.post(f"/actions/{world.a1.id}/edit", data={**action, "start_date": "0001-01-01",
                                                              "due_date": "9999-12-31"})
    assert resp.status_code == 200 and "2000" in resp.get_data(as_text=True)
    for start, due in (("2000-01-01", "2100-12-31"), ("2000-01-01", "2000-01-01")):
        # a moved due date needs its reason (plan/editing.py): given, so the extreme dates are what is tested
        resp = client.post(f"/actions/{world.a1.id}/edit", data={**action, "start_date": start, "due_date": due,
                                                                  "due_reason": "Uji ujung kalender"})
        assert resp.status_code == 302
        assert client.post(f"/milestones/{world.m2.id}/edit", data={
            "title": "Akhir", "due_date": due, "state": "berjalan", "due_reason": "Uji ujung kalender"}
        ).status_code == 302
        _token, secret = api_tokens.create_token(db.session, world.coordinator.id, "hx", None, None,
                                                 datetime(2026, 11, 20))
        db.session.commit()
        for url in ("/monitor", "/actions", f"/actions/{world.a1.id}", "/actions?sort=due_date",
                    f"/agencies/{world.dinsos.id}", "/plan/export.xlsx", "/actions?export=csv", "/account/calendar",
                    f"/api/v1/actions/{world.a1.id}", f"/calendar/{ids['dinsos_feed_token']}.ics"):
            resp = client.get(url, headers={"Authorization": f"Bearer {secret}"})
            assert resp.status_code == 200, url
            check(resp, "", app_ctx, url)
        result = app_ctx.test_cli_runner().invoke(args=["reminders", "run", "--dry-run"])
        assert result.exit_code == 0, result.output


def test_unknown_and_impossible_ids_are_404(client, world, app_ctx):
    """Every route with an id in its URL, GET and POST, as a role allowed there (the API with a token): an id
    that does not exist, a negative one, one past the database's integers, junk."""
    ids = _ids(world, app_ctx)
    _token, secret = api_tokens.create_token(db.session, world.admin.id, "hx", None, None, datetime(2026, 11, 20))
    db.session.commit()
    cases = []
    for endpoint, (template, get, post) in MATRIX.items():
        names = re.findall(r"\{(\w+)\}", template)
        for method, rules in (("GET", get), ("POST", post)):
            role = next((r for r in ROLES if r != "anon" and rules[r] in (200, 302)), None)
            if names and role and endpoint != "accounts.reset_password":
                cases.append((role, method, template, names, endpoint.startswith("api.")))
    assert len(cases) >= 60
    current = None
    for role, method, template, names, api in sorted(cases):
        if not api and role != current:
            _as(client, role)
            current = role
        for bad in ("999999", str(2**31), str(2**63), "-1", "0", "1.5", "%2e%2e", "abc"):
            url = template.format(**{**ids, **{n: bad if isinstance(ids[n], int) else f"x{bad}" for n in names}})
            resp = client.open(url, method=method, headers={"Authorization": f"Bearer {secret}"} if api else {})
            assert resp.status_code == 404, (method, url, role, resp.status_code)
            check(resp, "", app_ctx, url)


def test_repeated_parameters_and_wrong_bodies(client, world, app_ctx):
    """Every form: each field twice with different values; text/plain, a broken multipart body, XML with an
    external entity (saves nothing); a JSON body (Flask-WTF reads it as the form, with the same checks)."""
    forms, _g, _p = _catalogue(client, _ids(world, app_ctx))

    def repeated(form):
        data = _data(form, "hx", False)
        return {k: v + ["lain", ""] for k, v in data.items()}

    _walk(client, forms, repeated, app_ctx, "repeated")
    before = _counts()
    current = None
    for role, form in _one_per_form(forms):
        if role != current:
            _as(client, role)
            current = role
        data = {k: v[0] for k, v in _data(form, "hx", False).items() if v}
        broken = b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nhx'  # no closing boundary
        for body, ctype in ((urlencode(data), "text/plain"), (broken, "multipart/form-data; boundary=x"),
                            (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
                             "application/xml")):
            resp = client.post(form.action, data=body, content_type=ctype)
            check(resp, "", app_ctx, f"{role} POST {form.action} {ctype}")
            assert "root:x:0:0" not in resp.get_data(as_text=True)
    assert _counts() == before
    # JSON: with CSRF on (as in production) a JSON body without the token is refused like a form without it.
    try:
        current = None
        for role, form in _one_per_form(forms):
            if role != current:
                app_ctx.config["WTF_CSRF_ENABLED"] = False
                _as(client, role)
                app_ctx.config["WTF_CSRF_ENABLED"] = True
                current = role
            resp = client.post(form.action, json={k: v[0] for k, v in _data(form, "hx", False).items() if v})
            check(resp, "", app_ctx, f"{role} POST {form.action} json")
            assert resp.status_code in (400, 403, 404), (form.action, resp.status_code)
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False
    assert _counts() == before


def test_query_parameters_out_of_range_and_repeated(client, world, app_ctx):
    _forms, gets, _p = _catalogue(client, _ids(world, app_ctx))
    current = None
    for (role, path), params in sorted(gets.items()):
        if path.endswith(".pdf"):
            continue
        if role != current:
            _as(client, role)
            current = role
        for value in NUMBERS[:4] + DATES[:3] + ["", " ", "%", "\u202e", "\ud7ff" * 3]:
            check(client.get(path + "?" + urlencode({p: value for p in params})), value, app_ctx, f"{path} {value}")
        check(client.get(path + "?" + urlencode([(p, v) for p in params for v in ("1", "x", "")])), "", app_ctx,
              path)
    _token, secret = api_tokens.create_token(db.session, world.coordinator.id, "hx", None, None,
                                             datetime(2026, 11, 20))
    db.session.commit()
    client.post("/logout")
    for query in ("page=0", f"page={2**63}", "per_page=-1", f"per_page={2**31}", "status=a&status=b",
                  "due_from=9999-99-99", "due_to=0000-00-00", "pillar=1&pillar=x", "as_of=9999-12-31"):
        for path in ("/api/v1/actions", "/api/v1/indicators", "/api/v1/ats/summary"):
            resp = client.get(f"{path}?{query}", headers={"Authorization": f"Bearer {secret}"})
            assert resp.status_code in (200, 400, 404) and resp.is_json, (path, query, resp.status_code)


@pytest.mark.parametrize("header", ["Host", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"])
def test_email_links_use_base_url_not_the_host_header(header, client, world, app_ctx, smtp):
    """A password-reset link built from a forged Host header would send the secret to the attacker's site."""
    saved = app_ctx.config.get("BASE_URL")
    app_ctx.config["BASE_URL"] = BASE_URL
    try:
        value = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "gopher",
                 "Forwarded": "host=evil.example;proto=http"}[header]
        resp = client.post("/password/forgot", data={"email": world.focal.email}, headers={header: value})
        resp.close()
        assert resp.status_code == 302 and "evil" not in resp.headers["Location"]
        mails = smtp.handler.parsed()  # sent at once (the outbox keeps no copy of the one-time link)
        assert len(mails) == 1 and db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        text = mails[0].get_body(("plain",)).get_content() + mails[0].get_body(("html",)).get_content()
        assert f"{BASE_URL}/password/reset/" in text
        assert "evil.example" not in text and "gopher" not in text
        _as(client, "coordinator")
        page = client.get("/account/calendar", headers={header: value}).get_data(as_text=True)
        assert "evil.example" not in page
    finally:
        app_ctx.config["BASE_URL"] = saved
