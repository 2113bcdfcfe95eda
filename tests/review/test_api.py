"""/api/v1/progress-reports: every version with its review state, scoped and filtered like the pages."""
from datetime import date, datetime

from coordinator.extensions import db
from coordinator.models import ProgressUpdate
from tests.api.test_api import get, token_for


def _reports(world):
    def report(action, agency, author, period, status, **extra):
        u = ProgressUpdate(action=action, agency=agency, author=author, period=period, percent_complete=40,
                           achievements="Capaian", created_at=datetime(2026, 11, 20), review_status=status, **extra)
        db.session.add(u)
        db.session.flush()
        return u

    returned = report(world.a1, world.dinsos, world.focal, date(2026, 10, 1), "dikembalikan",
                      review_comment="Lampirkan berita acara", superseded_at=datetime(2026, 11, 21))
    fixed = report(world.a1, world.dinsos, world.focal, date(2026, 10, 1), "diajukan", supersedes_id=returned.id)
    accepted = report(world.a1, world.dinsos, world.focal, date(2026, 11, 1), "diterima")
    dpppa = report(world.a3, world.dpppa, world.other_focal, date(2026, 11, 1), "diajukan")
    db.session.commit()
    return returned, fixed, accepted, dpppa


def test_every_version_with_its_review_state(world, client):
    returned, fixed, accepted, dpppa = _reports(world)
    secret = token_for(world.coordinator)
    body = get(client, "/api/v1/progress-reports?per_page=10", secret).get_json()
    assert body["total"] == 4
    by_id = {i["id"]: i for i in body["items"]}
    assert by_id[returned.id]["review_status"] == "dikembalikan" and not by_id[returned.id]["current"]
    assert by_id[returned.id]["review_comment"] == "Lampirkan berita acara" and not by_id[returned.id]["counted"]
    assert by_id[fixed.id]["supersedes_id"] == returned.id and by_id[fixed.id]["current"]
    assert by_id[accepted.id]["counted"] and by_id[accepted.id]["period"] == "2026-11-01"
    waiting = get(client, "/api/v1/progress-reports?review_status=diajukan", secret).get_json()
    assert {i["id"] for i in waiting["items"]} == {fixed.id, dpppa.id}
    october = get(client, f"/api/v1/progress-reports?period=2026-10&agency={world.dinsos.id}", secret).get_json()
    assert {i["id"] for i in october["items"]} == {returned.id, fixed.id}
    assert get(client, f"/api/v1/progress-reports?action={world.a3.id}", secret).get_json()["total"] == 1


def test_focal_points_see_their_agencys_actions_only(world, client):
    _returned, _fixed, _accepted, dpppa = _reports(world)
    dinsos = get(client, "/api/v1/progress-reports", token_for(world.focal)).get_json()
    assert dinsos["total"] == 3 and dpppa.id not in {i["id"] for i in dinsos["items"]}
    other = get(client, "/api/v1/progress-reports", token_for(world.other_focal)).get_json()
    assert [i["id"] for i in other["items"]] == [dpppa.id]
    assert get(client, "/api/v1/progress-reports", token_for(world.verifier)).status_code == 403


def test_bad_filters_are_named(world, client):
    secret = token_for(world.coordinator)
    for query, name in (("period=2026-13", "period"), ("period=oktober", "period"),
                        ("review_status=ok", "review_status"), ("agency=x", "agency"), ("action=-1", "action")):
        resp = get(client, f"/api/v1/progress-reports?{query}", secret)
        assert resp.status_code == 400, query
        assert resp.get_json()["error"]["parameter"] == name, query
