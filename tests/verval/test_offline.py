"""Verval without signal, the server's half: the package (no NIK, in the access log), the device key bound to the
session, and sync: each record once, the online form's rules, conflicts held until the verifier chooses."""
from datetime import date

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import ChildAccessLog, ChildVerification, OfflineRecord, User
from coordinator.verval.verification import VerificationInput, record_verification
from tests.conftest import login
from tests.verval.verval_data import make_child

DEVICE = "hp-kader-0001"


def _children(app, n=3):
    out = [make_child(app, f"Anak Luring {i}", "64.08.04.1001", serial=i + 1) for i in range(n)]
    db.session.commit()
    return out


def _record(child, client_id, status="ats_valid", base=None, **fields):
    return {"client_id": client_id, "child_id": child.id, "base": base,
            "fields": {"status": status, "reason": "ekonomi" if status == "ats_valid" else None,
                       "verified_on": "2026-11-26", "notes": "Dikunjungi tanpa sinyal", **fields}}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_package_has_what_finding_a_child_needs_and_the_key_is_bound_to_the_session(world, client, app_ctx):
    children = _children(app_ctx)
    login(client, "verifikator@example.org")
    body = client.post("/verval/luring/siapkan", json={"device_id": DEVICE}).get_json()
    assert len(body["key"]) >= 40 and body["expires_at"].startswith("2026-12-04")  # 7 days
    names = {c["name"] for c in body["children"]}
    assert names == {c.nama for c in children}
    raw = str(body)
    assert "•" not in raw and "nik" not in {k for c in body["children"] for k in c}  # not even the masked NIK
    assert "Ibu Anak" not in raw and "2012-05-17" not in raw  # nor the mother's name or the birth date
    assert [s[0] for s in body["statuses"]] and body["today"] == "2026-11-27"
    assert _count(ChildAccessLog, ChildAccessLog.detail == "paket luring") == 3
    assert client.post("/verval/luring/kunci", json={"device_id": DEVICE}).get_json() == {"key": body["key"]}
    # Without a session nothing is handed out; another user gets nothing for this device; signed in again (after
    # signing out elsewhere) the verifier opens what is still unsent.
    client.post("/logout")
    assert client.post("/verval/luring/kunci", json={"device_id": DEVICE}).status_code == 302  # to the login
    login(client, "koordinator@example.org")
    assert client.post("/verval/luring/kunci", json={"device_id": DEVICE}).status_code == 403
    client.post("/logout")
    login(client, "verifikator@example.org")
    assert client.post("/verval/luring/kunci", json={"device_id": DEVICE}).get_json() == {"key": body["key"]}
    assert client.post("/verval/luring/siapkan", json={"device_id": "x"}).status_code == 400
    # A focal point or a leader does not work offline.
    client.post("/logout")
    login(client, "pimpinan@example.org")
    assert client.post("/verval/luring/siapkan", json={"device_id": DEVICE}).status_code == 403


def test_sync_applies_each_record_once_by_the_online_rules(world, client, app_ctx):
    a, b, c = _children(app_ctx)
    login(client, "verifikator@example.org")
    records = [_record(a, "rec-aaaa-0001"), _record(b, "rec-bbbb-0002", status="masih_sekolah"),
               _record(c, "rec-cccc-0003", verified_on="2030-01-01")]  # a future date: refused, as online
    results = client.post("/verval/luring/sinkron", json={"records": records}).get_json()["results"]
    assert [r["result"] for r in results] == ["applied", "applied", "refused"]
    assert results[2]["message"] == "Tanggal verifikasi tidak boleh di masa depan."  # the online rule, in words
    assert _count(ChildVerification) == 2
    again = client.post("/verval/luring/sinkron", json={"records": records}).get_json()["results"]
    # Sent again: nothing new; a refused one says why again (its answer may have been lost).
    assert [r["result"] for r in again] == ["duplicate", "duplicate", "refused"] and _count(ChildVerification) == 2
    db.session.expire_all()
    assert db.session.get(type(a), a.id).status == "ats_valid"
    logged = _count(ChildAccessLog, ChildAccessLog.detail.like("verifikasi luring%"))
    assert logged == 2
    # Another desa's child, forged into the record: refused, nothing written.
    other = make_child(app_ctx, "Anak Desa Lain", "64.08.05", serial=9)
    db.session.commit()
    [out] = client.post("/verval/luring/sinkron", json={"records": [_record(other, "rec-dddd-0004")]}
                        ).get_json()["results"]
    assert out["result"] == "refused" and _count(ChildVerification) == 2
    assert client.post("/verval/luring/sinkron", json={"records": "x"}).status_code == 400


def test_a_child_verified_meanwhile_is_a_conflict_until_the_verifier_chooses(world, client, app_ctx):
    [child] = _children(app_ctx, 1)
    login(client, "verifikator@example.org")
    base = client.post("/verval/luring/siapkan", json={"device_id": DEVICE}).get_json()["children"][0]["base"]
    assert base is None
    # Meanwhile the coordinator verifies the same child online.
    record_verification(db.session, child, VerificationInput("masih_sekolah", None, None, None, "Sudah di SD",
                                                             date(2026, 11, 25)),
                        db.session.scalar(select(User.id).where(User.email == "koordinator@example.org")),
                        __import__("datetime").datetime(2026, 11, 25, 2), date(2026, 11, 25))
    db.session.commit()
    record = _record(child, "rec-conf-0001", base=base)
    [out] = client.post("/verval/luring/sinkron", json={"records": [record]}).get_json()["results"]
    assert out["result"] == "conflict" and out["theirs"]["status"] == "masih_sekolah"
    assert out["theirs"]["notes"] == "Sudah di SD" and _count(ChildVerification) == 1  # nothing overwritten
    # The answer lost on the way: the same record again is the same conflict, still nothing written.
    [again] = client.post("/verval/luring/sinkron", json={"records": [record]}).get_json()["results"]
    assert again["result"] == "conflict" and _count(ChildVerification) == 1
    [kept] = client.post("/verval/luring/sinkron", json={"records": [{**record, "resolve": "mine"}]}
                         ).get_json()["results"]
    assert kept["result"] == "applied" and _count(ChildVerification) == 2
    assert db.session.scalar(select(OfflineRecord.resolved_at).where(OfflineRecord.client_id == "rec-conf-0001"))
    [again] = client.post("/verval/luring/sinkron", json={"records": [{**record, "resolve": "mine"}]}
                          ).get_json()["results"]
    assert again["result"] == "duplicate" and _count(ChildVerification) == 2
    # "mine" on a first sync does not skip the conflict check; absurd ids are refused, not a 500.
    fresh = _record(child, "rec-conf-0002", base=None, resolve="mine")
    [out] = client.post("/verval/luring/sinkron", json={"records": [fresh]}).get_json()["results"]
    assert out["result"] == "conflict" and _count(ChildVerification) == 2
    odd = [{**_record(child, "rec-odd-00001"), "child_id": 10**30}, {**_record(child, "rec-odd-00002"), "base": True,
                                                                      "child_id": True}]
    assert [r["result"] for r in client.post("/verval/luring/sinkron", json={"records": odd}).get_json()["results"]
            ] == ["refused", "refused"]
