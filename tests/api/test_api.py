"""The read API (/api/v1): tokens, every endpoint's JSON for the World fixture, filters, pagination,
each role's scope and JSON errors in both languages."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from sqlalchemy import select

from coordinator.accounts import api_tokens
from coordinator.ats.figures import snapshot_on_or_before, totals_of
from coordinator.extensions import db
from coordinator.models import (
    ActionFunding,
    ApiToken,
    AtsFigure,
    AtsSnapshot,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    ProgressUpdate,
)
from tests.conftest import World, login

NOW = datetime(2026, 11, 27, 2, 0)


def token_for(user, name="uji", expires_at=None) -> str:
    """How a test gets a token: the service, then a commit (the client's requests share the session)."""
    _token, secret = api_tokens.create_token(db.session, user.id, name, expires_at, None, datetime(2026, 11, 1))
    db.session.commit()
    return secret


def get(client, url, secret=None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(url, headers=headers)


def seed_extra(world: World) -> dict:
    """An indicator with a target and a value, two ATS snapshots with figures, a progress report on a1."""
    indicator = Indicator(plan=world.plan, code="I-1", name="Jumlah ATS", unit="anak", direction="turun",
                          baseline_value=13411, baseline_year=2025)
    db.session.add_all([
        indicator, IndicatorTarget(indicator=indicator, year=2026, quarter=None, value=10000),
        IndicatorValue(indicator=indicator, year=2026, quarter=3, value=10539, source="Pusdatin",
                       entered_at=datetime(2026, 11, 20)),
    ])
    indicator.actions = [world.a1]
    world.a1.fundings = [ActionFunding(source="APBD", amount=100_000_000, position=0),
                         ActionFunding(source="CSR", amount=50_000_000, position=1)]
    old = AtsSnapshot(as_of=date(2026, 6, 30), source="Pusdatin", created_at=datetime(2026, 7, 1))
    new = AtsSnapshot(as_of=date(2026, 9, 30), source="Pusdatin", created_at=datetime(2026, 10, 1))
    db.session.add_all([old, new])
    db.session.flush()
    figures = [(old, "area", world.kec.kode, "BPB", 20), (new, "area", world.kec.kode, "BPB", 12),
               (new, "area", world.desa.kode, "DO", 5), (new, "area", world.desa.kode, "LTM", 3),
               (new, "area", world.kec2.kode, "DO", 7), (new, "residu", None, "LTM", 2)]
    db.session.add_all([AtsFigure(snapshot_id=s.id, kind=k, area_kode=a, category=c, detail="", count=n)
                        for s, k, a, c, n in figures])
    update = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 11, 1),
                            percent_complete=40, achievements="Capaian", created_at=datetime(2026, 11, 20, 3, 4, 5))
    db.session.add(update)
    world.a1.areas = [world.desa]
    world.a1.budget_amount = 150_000_000
    db.session.commit()
    return {"indicator": indicator, "old": old, "new": new}


# Tokens -----------------------------------------------------------------------------------------------------

def test_token_service_stores_only_the_hash(world):
    token, secret = api_tokens.create_token(db.session, world.coordinator.id, "Dasbor", None, world.admin.id, NOW)
    assert secret.startswith("sitisek_") and len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert secret not in {getattr(token, c) for c in ("name", "prefix", "token_hash")}
    assert api_tokens.user_for_token(db.session, secret, NOW) is world.coordinator
    assert api_tokens.user_for_token(db.session, secret + "x", NOW) is None
    assert api_tokens.user_for_token(db.session, "", NOW) is None


def test_last_used_is_written_at_most_once_a_minute(world):
    token, secret = api_tokens.create_token(db.session, world.leader.id, "x", None, None, NOW)
    api_tokens.user_for_token(db.session, secret, NOW)
    assert token.last_used_at == NOW
    api_tokens.user_for_token(db.session, secret, datetime(2026, 11, 27, 2, 0, 59))
    assert token.last_used_at == NOW
    api_tokens.user_for_token(db.session, secret, datetime(2026, 11, 27, 2, 1))
    assert token.last_used_at == datetime(2026, 11, 27, 2, 1)


def test_missing_or_bad_token_is_a_json_401(client, world):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer sitisek_unknown"}):
        resp = client.get("/api/v1/plan", headers=headers)
        assert resp.status_code == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert resp.json["error"] == {"status": 401, "code": "unauthorized", "message":
                                      "Token API tidak ada, tidak dikenal, sudah dicabut atau kedaluwarsa."}
    resp = client.get("/api/v1/plan", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert resp.json["error"]["message"] == "The API token is missing, unknown, revoked or expired."


def test_revoked_expired_and_inactive_tokens_are_refused(client, world):
    secret = token_for(world.coordinator)
    assert get(client, "/api/v1/plan", secret).status_code == 200
    token = db.session.scalar(select(ApiToken))
    api_tokens.revoke_token(db.session, token, world.admin.id, NOW)
    db.session.commit()
    assert get(client, "/api/v1/plan", secret).status_code == 401

    expiring = token_for(world.leader, expires_at=datetime(2026, 11, 27, 3, 0))
    assert get(client, "/api/v1/plan", expiring).status_code == 200
    client.application.config["FIXED_NOW"] = "2026-11-27T03:00:00"
    assert get(client, "/api/v1/plan", expiring).status_code == 401

    focal = token_for(world.focal)
    assert get(client, "/api/v1/plan", focal).status_code == 200
    world.focal.active = False
    db.session.commit()
    assert get(client, "/api/v1/plan", focal).status_code == 401


def test_a_session_cookie_alone_does_not_authenticate_and_no_cookie_is_set(client, world):
    assert login(client, "koordinator@example.org").status_code == 302
    resp = client.get("/api/v1/plan")
    assert resp.status_code == 401 and "Set-Cookie" not in resp.headers
    fresh = client.application.test_client()
    resp = get(fresh, "/api/v1/actions", token_for(world.coordinator))
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "no-store"
    assert fresh.get_cookie("session") is None


def test_a_verifiers_cookie_does_not_decide_for_a_token(client, world):
    """The token alone says who asks: a village verifier's browser session beside a coordinator's token (a
    shared office PC running a dashboard) neither blocks nor widens what the token may read."""
    assert login(client, "verifikator@example.org").status_code == 302
    assert client.get("/monitor").status_code == 403  # the cookie still works for the verifier's own pages
    resp = get(client, "/api/v1/actions", token_for(world.coordinator))
    assert resp.status_code == 200 and resp.json["total"] == 3
    assert get(client, "/api/v1/actions", token_for(world.verifier)).status_code == 403
    assert get(client, "/api/v1/actions").status_code == 401


# Content ----------------------------------------------------------------------------------------------------

def test_plan_pillars_and_agencies(client, world):
    secret = token_for(world.leader)
    plan = get(client, "/api/v1/plan", secret).json
    assert plan == {"id": world.plan.id, "name": "SITISEK", "legal_basis": None, "start_year": 2025,
                    "end_year": 2028, "baseline_ats": 13411, "baseline_year": None, "target_ats": 6706,
                    "description": None, "pillars": [{
                        "id": world.pillar.id, "number": 1, "name": "Validasi data", "description": None,
                        "programs": [{"id": world.program.id, "code": "1.1", "name": "Verifikasi",
                                      "action_count": 3}]}]}
    assert get(client, "/api/v1/pillars", secret).json == {"items": plan["pillars"]}
    agencies = get(client, "/api/v1/agencies", secret).json["items"]
    assert [a["code"] for a in agencies] == ["DPPPA", "DINSOS", "DISDIKBUD"]
    assert agencies[1] == {"id": world.dinsos.id, "code": "DINSOS", "short_name": "Dinsos", "name": "Dinas Sosial",
                           "kind": "opd", "active": True}
    detail = get(client, f"/api/v1/agencies/{world.dinsos.id}", secret).json
    assert detail["lead_actions"] == [{"id": world.a1.id, "code": "1.1.1"}]
    assert detail["supporting_actions"] == [{"id": world.a2.id, "code": "1.1.2"}]


def test_no_plan_is_a_404(client, app_ctx):
    from tests.conftest import make_user

    user = make_user("pimpinan@example.org", "pimpinan")
    db.session.commit()
    resp = get(client, "/api/v1/plan", token_for(user))
    assert resp.status_code == 404 and resp.json["error"]["message"] == "Belum ada rencana aksi."
    assert get(client, "/api/v1/pillars", token_for(user)).json == {"items": []}


def test_actions_list_and_detail(client, world):
    seed_extra(world)
    secret = token_for(world.coordinator)
    body = get(client, "/api/v1/actions", secret).json
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 50, 3, 1)
    first = body["items"][0]
    assert first == {
        "id": world.a1.id, "code": "1.1.1", "title": "Pendampingan keluarga",
        "pillar": {"id": world.pillar.id, "number": 1, "name": "Validasi data"},
        "program": {"id": world.program.id, "code": "1.1", "name": "Verifikasi"},
        "lead_agency": {"id": world.dinsos.id, "code": "DINSOS", "short_name": "Dinsos"},
        "supporting_agencies": [], "areas": [{"kode": "64.08.04.1001", "nama": "Teluk Lingga", "level": "desa"}],
        "ats_categories": ["DO"], "start_date": "2026-01-01", "due_date": "2026-12-31", "status": "berjalan",
        "status_overridden": False, "budget_amount": 150000000, "funding_source": "APBD",
        "funding_sources": [{"code": "APBD", "amount": 100000000}, {"code": "CSR", "amount": 50000000}],
        "percent_complete": 40, "last_progress_at": "2026-11-20T03:04:05Z", "url": f"/api/v1/actions/{world.a1.id}",
        "late_reason": None}
    assert [(a["code"], a["status"]) for a in body["items"]] == [
        ("1.1.1", "berjalan"), ("1.1.2", "terlambat"), ("1.1.3", "terlambat")]
    # Why each late action is late: its own deadline, or the open milestone late longest, with that item's date
    assert [a["late_reason"] for a in body["items"]] == [
        None, {"kind": "action", "due_date": "2026-10-31", "days_late": 27, "milestone": None},
        {"kind": "milestone", "due_date": "2026-11-20", "days_late": 7, "milestone": "Sosialisasi tahap I"}]

    detail = get(client, f"/api/v1/actions/{world.a2.id}", secret).json
    assert detail["supporting_agencies"] == [{"id": world.dinsos.id, "code": "DINSOS", "short_name": "Dinsos"}]
    world.a2.status_override, world.a2.override_reason = "dibatalkan", "Dana dialihkan"
    db.session.commit()
    detail = get(client, f"/api/v1/actions/{world.a2.id}", secret).json
    assert (detail["status"], detail["computed_status"], detail["status_overridden"], detail["override_reason"]) == (
        "dibatalkan", "terlambat", True, "Dana dialihkan")
    a1 = get(client, f"/api/v1/actions/{world.a1.id}", secret).json
    assert a1["milestones"] == [
        {"id": world.m1.id, "title": "Rapat persiapan", "due_date": "2026-03-01", "state": "selesai",
         "completed_on": "2026-02-25", "overdue": False, "baseline_due_date": "2026-03-01", "reschedule_count": 0},
        {"id": world.m2.id, "title": "Pelaksanaan", "due_date": "2026-12-01", "state": "berjalan",
         "completed_on": None, "overdue": False, "baseline_due_date": "2026-12-01", "reschedule_count": 0}]
    assert (a1["baseline_due_date"], a1["reschedule_count"], a1["due_change_reason"]) == ("2026-12-31", 0, None)
    assert a1["latest_progress"] == {"percent_complete": 40, "period": "2026-11-01",
                                     "reported_at": "2026-11-20T03:04:05Z",
                                     "agency": {"id": world.dinsos.id, "code": "DINSOS", "short_name": "Dinsos"}}
    assert a1["marked_complete"] is False and a1["completed_on"] is None
    assert a1["funding_sources"] == first["funding_sources"] and a1["funding_source"] == "APBD"


def test_list_items_say_what_the_action_pages_say(client, world):
    """The list is built from column queries (fast for 1.000 actions), the detail from the ORM: they agree."""
    seed_extra(world)
    world.a3.supporting_agencies = [world.dinsos, world.disdik]
    world.a3.areas = [world.kec, world.kec2, world.desa]
    world.a3.status_override, world.a3.override_reason = "selesai", "Laporan akhir diterima"
    db.session.commit()
    secret = token_for(world.leader)
    for item in get(client, "/api/v1/actions?per_page=1000", secret).json["items"]:
        detail = get(client, item["url"], secret).json
        assert item == {key: detail[key] for key in item}
    a3 = get(client, f"/api/v1/actions/{world.a3.id}", secret).json
    assert [a["code"] for a in a3["supporting_agencies"]] == ["DINSOS", "DISDIKBUD"]
    assert [a["kode"] for a in a3["areas"]] == ["64.08.04", "64.08.04.1001", "64.08.05"]


def test_action_filters_sort_and_pagination(client, world):
    seed_extra(world)
    secret = token_for(world.coordinator)

    def codes(query):
        resp = get(client, "/api/v1/actions?" + query, secret)
        assert resp.status_code == 200, resp.json
        return [a["code"] for a in resp.json["items"]]

    assert codes(f"agency={world.dinsos.id}") == ["1.1.1", "1.1.2"]
    assert codes(f"pillar={world.pillar.id}") == ["1.1.1", "1.1.2", "1.1.3"]
    assert codes("status=terlambat") == ["1.1.2", "1.1.3"]
    assert codes("kecamatan=64.08.04") == ["1.1.1"]
    assert codes("kecamatan=64.08.05") == []
    assert codes("due_from=2026-11-01&due_to=2026-12-31") == ["1.1.1"]
    assert codes("q=verifikasi") == ["1.1.2"]
    assert codes("sort=due_date&order=desc") == ["1.1.3", "1.1.1", "1.1.2"]
    assert codes("sort=title") == ["1.1.1", "1.1.3", "1.1.2"]
    page2 = get(client, "/api/v1/actions?per_page=2&page=2", secret).json
    assert (page2["page"], page2["pages"], page2["total"], [a["code"] for a in page2["items"]]) == (2, 2, 3, ["1.1.3"])
    beyond = get(client, "/api/v1/actions?per_page=2&page=9", secret).json
    assert (beyond["items"], beyond["page"], beyond["total"]) == ([], 9, 3)
    assert get(client, "/api/v1/actions?per_page=1000", secret).status_code == 200


@pytest.mark.parametrize("query, parameter", [
    ("per_page=1001", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"), ("page=x", "page"),
    ("pillar=abc", "pillar"), ("agency=-1", "agency"), ("status=selesai!", "status"),
    ("due_from=2026-13-01", "due_from"), ("due_to=kemarin", "due_to"), ("sort=budget", "sort"),
    ("order=up", "order"), ("q=" + "x" * 101, "q"),
])
def test_bad_filter_values_are_a_json_400_naming_the_parameter(client, world, query, parameter):
    resp = get(client, "/api/v1/actions?" + query, token_for(world.coordinator))
    assert resp.status_code == 400
    error = resp.json["error"]
    assert (error["status"], error["code"], error["parameter"]) == (400, "bad_request", parameter)
    assert f"Parameter {parameter} tidak sah" in error["message"]


def test_nul_bytes_are_a_json_400(client, world):
    resp = get(client, "/api/v1/actions?q=a%00b", token_for(world.coordinator))
    assert resp.status_code == 400 and resp.json["error"]["code"] == "bad_request"


def test_indicators(client, world):
    ids = seed_extra(world)
    secret = token_for(world.focal)
    body = get(client, "/api/v1/indicators", secret).json
    assert (body["total"], body["pages"]) == (1, 1)
    item = body["items"][0]
    assert item == {
        "id": ids["indicator"].id, "code": "I-1", "name": "Jumlah ATS", "definition": None, "unit": "anak",
        "direction": "turun", "baseline_value": 13411.0, "baseline_year": 2025, "data_source": None,
        "ats_metric": None, "ats_area_kode": None, "actions": [{"id": world.a1.id, "code": "1.1.1"}],
        "url": f"/api/v1/indicators/{ids['indicator'].id}",
        "latest": {"year": 2026, "quarter": 3, "value": 10539.0, "on_track": False}, "year": 2026,
        "year_target": 10000.0, "year_target_quarter": None, "status": "off_track"}
    detail = get(client, item["url"], secret).json
    assert detail["targets"] == [{"year": 2026, "quarter": None, "value": 10000.0}]
    assert detail["values"] == [{"year": 2026, "quarter": 3, "value": 10539.0, "source": "Pusdatin", "note": None,
                                 "entered_at": "2026-11-20T00:00:00Z"}]
    assert [(p["year"], p["quarter"], p["reference_target"]) for p in detail["periods"]] == [
        (2026, 3, 10000.0), (2026, None, 10000.0)]
    assert get(client, "/api/v1/indicators?page=2", secret).json["items"] == []
    ids["indicator"].deleted_at = NOW
    db.session.commit()
    assert get(client, item["url"], secret).status_code == 404
    assert get(client, "/api/v1/indicators", secret).json["total"] == 0


def test_ats_summary_equals_the_ats_services(client, world):
    seed_extra(world)
    secret = token_for(world.focal)
    body = get(client, "/api/v1/ats/summary", secret).json
    totals = totals_of(db.session, snapshot_on_or_before(db.session, None))
    assert body["as_of"] == "2026-09-30" and body["kecamatan"] is None
    assert body["total"] == totals.total == {"BPB": 0, "DO": 12, "LTM": 5, "total": 17}
    assert body["residu"] == totals.residu
    assert body["areas"] == [
        {"kode": "64.08.04", "nama": "Sangatta Utara", **totals.kecamatan["64.08.04"]},
        {"kode": "64.08.05", "nama": "Bengalon", **totals.kecamatan["64.08.05"]}]
    desa = get(client, "/api/v1/ats/summary?kecamatan=64.08.04", secret).json
    assert desa["areas"] == [{"kode": "64.08.04.1001", "nama": "Teluk Lingga", "BPB": 0, "DO": 5, "LTM": 3,
                              "total": 8}]
    assert body["without_desa"] is None and desa["without_desa"] == {"BPB": 0, "DO": 0, "LTM": 0, "total": 0}
    older = get(client, "/api/v1/ats/summary?as_of=2026-08-01", secret).json
    assert older["as_of"] == "2026-06-30" and older["total"]["BPB"] == 20
    assert get(client, "/api/v1/ats/summary?as_of=2026-08-01&kecamatan=64.08.04", secret).status_code == 404
    assert get(client, "/api/v1/ats/summary?as_of=2020-01-01", secret).status_code == 404
    resp = get(client, "/api/v1/ats/summary?kecamatan=64.08.04.1001", secret)
    assert resp.status_code == 400 and resp.json["error"]["parameter"] == "kecamatan"
    assert get(client, "/api/v1/ats/summary?as_of=30-09-2026", secret).json["error"]["parameter"] == "as_of"


def test_ats_snapshots_for_those_who_see_everything(client, world):
    ids = seed_extra(world)
    body = get(client, "/api/v1/ats/snapshots", token_for(world.leader)).json
    assert body["items"] == [
        {"id": ids["old"].id, "as_of": "2026-06-30", "source": "Pusdatin", "created_at": "2026-07-01T00:00:00Z",
         "total": {"BPB": 20, "DO": 0, "LTM": 0, "total": 20}},
        {"id": ids["new"].id, "as_of": "2026-09-30", "source": "Pusdatin", "created_at": "2026-10-01T00:00:00Z",
         "total": {"BPB": 0, "DO": 12, "LTM": 5, "total": 17}}]
    assert get(client, "/api/v1/ats/snapshots", token_for(world.focal)).status_code == 403


# Scope per role ---------------------------------------------------------------------------------------------

ENDPOINTS = ("/api/v1/plan", "/api/v1/pillars", "/api/v1/agencies", "/api/v1/agencies/{dinsos}", "/api/v1/actions",
             "/api/v1/actions/{a1}", "/api/v1/indicators", "/api/v1/indicators/{indicator}",
             "/api/v1/ats/snapshots", "/api/v1/ats/summary")
EXPECTED = {  # role: statuses in the order of ENDPOINTS, as the web pages answer
    "leader": (200,) * 10, "coordinator": (200,) * 10, "admin": (200,) * 10,
    "focal_own": (200, 200, 200, 200, 200, 200, 200, 200, 403, 200),
    "focal_other": (200, 200, 200, 403, 200, 403, 200, 200, 403, 200),
    "verifier": (403,) * 10,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_what_the_web_gives_it(client, world, role):
    ids = seed_extra(world)
    user = {"leader": world.leader, "coordinator": world.coordinator, "admin": world.admin,
            "focal_own": world.focal, "focal_other": world.other_focal, "verifier": world.verifier}[role]
    secret = token_for(user)
    fmt = {"dinsos": world.dinsos.id, "a1": world.a1.id, "indicator": ids["indicator"].id}
    got = tuple(get(client, url.format(**fmt), secret).status_code for url in ENDPOINTS)
    assert got == EXPECTED[role]


def test_focal_points_see_only_their_agencys_actions(client, world):
    own = get(client, "/api/v1/actions", token_for(world.focal)).json
    assert [a["code"] for a in own["items"]] == ["1.1.1", "1.1.2"] and own["total"] == 2
    other = get(client, "/api/v1/actions?agency=" + str(world.dinsos.id), token_for(world.other_focal)).json
    assert other["items"] == []
    secret = token_for(world.other_focal)
    assert [a["code"] for a in get(client, "/api/v1/actions", secret).json["items"]] == ["1.1.3"]
    hidden = get(client, f"/api/v1/actions/{world.a1.id}", secret)
    assert hidden.status_code == 403 and hidden.json["error"]["code"] == "forbidden"


def test_unknown_and_deleted_ids_are_a_json_404(client, world):
    secret = token_for(world.coordinator)
    for url in (f"/api/v1/actions/{2**62}", "/api/v1/agencies/999999", "/api/v1/indicators/1",
                f"/api/v1/actions/{2**70}", "/api/v1/nothing-here"):
        resp = get(client, url, secret)
        assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found", url
    world.a3.deleted_at = NOW
    db.session.commit()
    assert get(client, f"/api/v1/actions/{world.a3.id}", secret).status_code == 404
    assert [a["code"] for a in get(client, "/api/v1/actions", secret).json["items"]] == ["1.1.1", "1.1.2"]


def test_verifier_gets_json_403_with_a_token_and_401_with_only_a_session(client, world):
    resp = get(client, "/api/v1/actions", token_for(world.verifier))
    assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"
    login(client, "verifikator@example.org")
    resp = client.get("/api/v1/actions")  # a cookie is nobody to the API, as for every other role
    assert resp.status_code == 401 and resp.json["error"]["code"] == "unauthorized"


def test_errors_in_the_users_language(client, world):
    world.other_focal.locale = "en"
    db.session.commit()
    secret = token_for(world.other_focal)
    assert get(client, f"/api/v1/actions/{world.a1.id}", secret).json["error"]["message"] == \
        "You do not have permission for this page or action."
    assert get(client, "/api/v1/actions/99999", secret).json["error"]["message"] == \
        "The data you are looking for does not exist or has been deleted."
    assert get(client, "/api/v1/actions?per_page=5000", secret).json["error"]["message"] == \
        "Invalid parameter per_page: 1–1000"
    indonesian = token_for(world.focal)
    assert get(client, "/api/v1/actions/99999", indonesian).json["error"]["message"] == \
        "Data yang Anda cari tidak ada atau sudah dihapus."


def test_post_is_a_json_405_and_html_errors_stay_html(client, world):
    resp = client.post("/api/v1/actions", headers={"Authorization": f"Bearer {token_for(world.coordinator)}"})
    assert resp.status_code == 405 and resp.json["error"]["code"] == "method_not_allowed"
    html = client.get("/no-such-page")
    assert html.status_code == 404 and html.mimetype == "text/html"


def test_openapi_document_is_public_and_lists_every_route(client, app_ctx):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.is_json
    doc = resp.json
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    routes = {r.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}")
              for r in app_ctx.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert routes == set(doc["paths"])


# Admin page -------------------------------------------------------------------------------------------------

def test_admin_creates_a_token_whose_secret_is_shown_once(client, world):
    login(client, "admin@example.org")
    assert client.get("/admin/api-tokens").status_code == 200
    resp = client.post("/admin/api-tokens", data={"user_id": world.focal.id, "name": "Dasbor Bappeda",
                                                  "expires_on": "2027-01-31"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    page = resp.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken))
    start = page.index('id="token-secret">') + len('id="token-secret">')
    secret = page[start:page.index("<", start)]
    assert secret.startswith(token.prefix) and hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    assert token.expires_at == datetime(2027, 1, 31, 16, 0)  # end of 31 January in WITA
    assert token.created_by_id == world.admin.id and token.user_id == world.focal.id
    with client.session_transaction() as sess:
        assert secret not in repr(dict(sess))
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing and "Dasbor Bappeda" in listing
    assert get(client.application.test_client(), "/api/v1/actions", secret).status_code == 200

    resp = client.post(f"/admin/api-tokens/{token.id}/revoke")
    assert resp.status_code == 302 and secret not in resp.headers["Location"]
    db.session.refresh(token)
    assert token.revoked_at == NOW and token.revoked_by_id == world.admin.id
    assert get(client.application.test_client(), "/api/v1/actions", secret).status_code == 401


def test_admin_form_refuses_bad_input_and_other_roles(client, world):
    login(client, "admin@example.org")
    resp = client.post("/admin/api-tokens", data={"user_id": world.focal.id, "name": ""})
    assert resp.status_code == 200 and db.session.scalar(select(ApiToken)) is None
    resp = client.post("/admin/api-tokens", data={"user_id": world.focal.id, "name": "x", "expires_on": "2026-01-01"})
    assert db.session.scalar(select(ApiToken)) is None
    client.post("/logout")
    login(client, "koordinator@example.org")
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.post("/admin/api-tokens", data={"user_id": world.coordinator.id, "name": "x"}).status_code == 403


@pytest.mark.parametrize("value", ["%D9%A1", "%EF%BC%91", "+1", "%201", "1_0", "1" * 30])
def test_integer_parameters_take_ascii_digits_only(client, world, value):
    """int() read "١" (Arabic-Indic), "１" (full width), " 1" and "1_0" as numbers: pillar=١ filtered on pillar 1."""
    resp = get(client, "/api/v1/actions?pillar=" + value, token_for(world.coordinator))
    assert resp.status_code == 400 and resp.json["error"]["parameter"] == "pillar"


def test_admin_form_refuses_an_expiry_date_out_of_range_without_a_500(client, world):
    """9999-12-31 plus the day that makes it "through the whole day" overflowed date: a 500."""
    login(client, "admin@example.org")
    for day in ("9999-12-31", "1900-01-01"):
        resp = client.post("/admin/api-tokens", data={"user_id": world.focal.id, "name": "x", "expires_on": day})
        assert resp.status_code == 200 and "Tahun harus antara 2000 dan 2100" in resp.get_data(as_text=True)
    resp = client.post("/admin/api-tokens", data={"user_id": world.focal.id, "name": "x", "expires_on": "2026-01-01"})
    page = resp.get_data(as_text=True)
    assert 'id="token-secret"' not in page and "Tanggal tidak sah" in page
    assert db.session.scalar(select(ApiToken)) is None
