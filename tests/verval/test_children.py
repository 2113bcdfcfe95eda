"""The children's pages of the village verification: who sees which child, masking, the access log, verifying,
linking a child to an action and recording a case's outcome – and that refused attempts change nothing."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Area, Child, ChildAccessLog, ChildCase, ChildVerification
from coordinator.verval.child_data import key_from_config
from tests.conftest import login
from tests.verval.verval_data import make_child, make_verifier, nik_for

VERIFIER = "verifikator@example.org"  # the World's verifier, of Teluk Lingga (64.08.04.1001)
TELUK_LINGGA = "64.08.04.1001"
SEPASO = "64.08.05.2001"
BIRTH = date(2012, 5, 17)


@pytest.fixture()
def kids(world, app_ctx):
    """Two children in Teluk Lingga, one in Sepaso (Bengalon); Sepaso's child followed by a1 (Dinsos leads),
    Teluk Lingga's Budi by a2 (Dinsos supports) and Citra by a3 (DPPPA only)."""
    db.session.add(Area(kode=SEPASO, nama="Sepaso", level="desa", jenis="desa", parent_kode="64.08.05"))
    db.session.flush()
    budi = make_child(app_ctx, "Budi Santoso", TELUK_LINGGA, serial=1, status="ats_valid")
    citra = make_child(app_ctx, "Citra Lestari", TELUK_LINGGA, birth=date(2011, 3, 2), sex="P", serial=2)
    dewi = make_child(app_ctx, "Dewi Anggraini", SEPASO, birth=date(2010, 8, 9), sex="P", serial=3,
                      status="ats_valid")
    now = datetime(2026, 11, 2)
    db.session.add_all([ChildCase(child_id=dewi.id, action_id=world.a1.id, outcome="belum", created_at=now,
                                  updated_at=now),
                        ChildCase(child_id=budi.id, action_id=world.a2.id, outcome="belum", created_at=now,
                                  updated_at=now),
                        ChildCase(child_id=citra.id, action_id=world.a3.id, outcome="belum", created_at=now,
                                  updated_at=now)])
    db.session.commit()
    return {"budi": budi.id, "citra": citra.id, "dewi": dewi.id}


def _nik(birth: date = BIRTH, sex: str = "L", serial: int = 1) -> str:
    return nik_for(birth, sex, serial)


def _logs(action: str | None = None) -> list[ChildAccessLog]:
    stmt = select(ChildAccessLog).order_by(ChildAccessLog.id)
    if action:
        stmt = stmt.where(ChildAccessLog.action == action)
    return list(db.session.scalars(stmt))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _as(client, email):
    client.post("/logout")
    assert login(client, email).status_code == 302
    return client


def _child(child_id: int) -> Child:
    db.session.expire_all()
    return db.session.get(Child, child_id)


# Who sees which child ------------------------------------------------------------------------------------------

def test_verifier_sees_only_their_desa(client, world, kids):
    _as(client, VERIFIER)
    html = client.get("/verval/anak").get_data(as_text=True)
    assert f'data-child="{kids["budi"]}"' in html and f'data-child="{kids["citra"]}"' in html
    assert f'data-child="{kids["dewi"]}"' not in html
    # Asking for the other desa by its code does not widen the list.
    html = client.get(f"/verval/anak?desa={SEPASO}").get_data(as_text=True)
    assert f'data-child="{kids["dewi"]}"' not in html and f'data-child="{kids["budi"]}"' in html
    assert "Sepaso" not in html  # not even offered as a filter


def test_verifier_opening_another_desas_child_gets_404_and_the_attempt_is_logged(client, world, kids):
    _as(client, VERIFIER)
    resp = client.get(f"/verval/anak/{kids['dewi']}")
    assert resp.status_code == 404
    assert "Dewi" not in resp.get_data(as_text=True)
    refused = _logs("refused")
    assert len(refused) == 1
    assert refused[0].child_id == kids["dewi"] and refused[0].user_id == world.verifier.id
    assert refused[0].detail == f"/verval/anak/{kids['dewi']}"
    assert not _logs("view")
    # An unknown id looks the same, and nothing is logged against a child.
    assert client.get("/verval/anak/999999").status_code == 404


def test_verify_form_for_another_desa_is_404_and_saves_nothing(client, world, kids):
    _as(client, VERIFIER)
    assert client.get(f"/verval/anak/{kids['dewi']}/verifikasi").status_code == 404
    resp = client.post(f"/verval/anak/{kids['dewi']}/verifikasi",
                       data={"status": "masih_sekolah", "verified_on": "2026-11-20", "disability": "unknown"})
    assert resp.status_code == 404
    assert _count(ChildVerification) == 0
    assert _child(kids["dewi"]).status == "ats_valid"
    assert len(_logs("refused")) == 2


def test_focal_point_sees_only_children_of_its_agencys_actions(client, world, kids):
    _as(client, "dinsos@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    assert f'data-child="{kids["dewi"]}"' in html  # a1: Dinsos leads
    assert f'data-child="{kids["budi"]}"' in html  # a2: Dinsos supports
    assert f'data-child="{kids["citra"]}"' not in html  # a3: DPPPA only
    assert client.get(f"/verval/anak/{kids['dewi']}").status_code == 200
    assert client.get(f"/verval/anak/{kids['citra']}").status_code == 404
    assert [r.child_id for r in _logs("refused")] == [kids["citra"]]
    # A focal point sees the record but does not verify.
    assert client.get(f"/verval/anak/{kids['budi']}/verifikasi").status_code == 403

    _as(client, "dpppa@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    assert f'data-child="{kids["citra"]}"' in html
    assert f'data-child="{kids["dewi"]}"' not in html and f'data-child="{kids["budi"]}"' not in html


def test_leaders_get_403_everywhere(client, world, kids):
    _as(client, "pimpinan@example.org")
    case_id = db.session.scalar(select(ChildCase.id).where(ChildCase.child_id == kids["dewi"]))
    for url in ("/verval/anak", f"/verval/anak/{kids['dewi']}", f"/verval/anak/{kids['dewi']}/verifikasi",
                f"/verval/kasus/{case_id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/verval/anak/{kids['dewi']}/kasus", data={"action_id": world.a3.id}).status_code == 403
    assert not _logs()


def test_anonymous_users_are_sent_to_login(client, world, kids):
    resp = client.get(f"/verval/anak/{kids['budi']}")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# Masking and the access log ------------------------------------------------------------------------------------

def test_list_masks_nik_birth_date_and_names(client, world, kids):
    _as(client, "koordinator@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    nik = _nik()
    assert nik not in html
    assert nik[:4] + "•" * 12 in html and nik[-4:] + "<" not in html
    assert "••/••/2012" in html and "17/05/2012" not in html and "17 Mei 2012" not in html
    assert "Bu*** Sa***" in html and "Budi Santoso" not in html
    assert not _logs()  # a masked list is not a view of anyone's record


def test_full_names_on_request_are_logged_once_per_page_view(client, world, kids):
    _as(client, VERIFIER)
    html = client.get(f"/verval/anak?names=1&desa={TELUK_LINGGA}").get_data(as_text=True)
    assert "Budi Santoso" in html and "Citra Lestari" in html
    assert _nik() not in html  # still no NIK
    logs = _logs("view_list")
    assert len(logs) == 1
    assert logs[0].user_id == world.verifier.id and logs[0].child_id is None
    assert "nama lengkap" in logs[0].detail and "2 anak" in logs[0].detail and "Teluk Lingga" in logs[0].detail
    # The filters are kept in the "show names" link.
    html = client.get("/verval/anak?status=belum").get_data(as_text=True)
    assert "names=1" in html and "status=belum" in html
    assert len(_logs("view_list")) == 1


def test_child_page_is_masked_and_every_view_is_logged(client, world, kids):
    _as(client, VERIFIER)
    for _ in range(2):
        resp = client.get(f"/verval/anak/{kids['budi']}")
        assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Budi Santoso" in html and "Teluk Lingga" in html and "Sangatta Utara" in html
    assert _nik() not in html and "17 Mei 2012" not in html and "Ibu Budi Santoso" not in html
    assert "••/••/2012" in html and "Ib*** Bu*** Sa***" in html and 'id="reveal-button"' in html
    views = _logs("view")
    assert len(views) == 2
    assert all(v.user_id == world.verifier.id and v.child_id == kids["budi"] for v in views)
    assert 'id="verify-button"' in html


def _search(client, **fields):
    """The search form as posted; returns the list it leads to (the NIK never in a URL)."""
    resp = client.post("/verval/anak", data=fields)
    assert resp.status_code == 302 and "nik" not in resp.headers["Location"] and "q=" not in resp.headers["Location"]
    return client.get(resp.headers["Location"]).get_data(as_text=True)


def test_search_by_exact_nik_only(client, world, kids):
    _as(client, "koordinator@example.org")
    nik = _nik(date(2011, 3, 2), "P", 2)  # Citra
    html = _search(client, nik=nik)
    assert f'data-child="{kids["citra"]}"' in html and f'data-child="{kids["budi"]}"' not in html
    assert nik not in html  # not even written back into the search box
    html = _search(client, nik=nik[:10])
    assert 'data-child="' not in html and 'id="nik-invalid"' in html
    html = _search(client, nik="6408049999999999")
    assert 'data-child="' not in html and 'id="child-empty"' in html
    # each search is logged with how many children matched, never with the NIK searched for
    logs = _logs("search")
    assert [log.detail for log in logs] == ["cari NIK: 1 anak cocok", "cari NIK: 0 anak cocok",
                                             "cari NIK: 0 anak cocok"]
    assert all(nik[-6:] not in (log.detail or "") for log in _logs())
    html = client.get("/verval/anak").get_data(as_text=True)  # the list without cari=1: no search
    assert f'data-child="{kids["budi"]}"' in html


def test_filters_by_status_and_name(client, world, kids):
    _as(client, "koordinator@example.org")
    html = client.get("/verval/anak?status=belum").get_data(as_text=True)
    assert f'data-child="{kids["citra"]}"' in html and f'data-child="{kids["budi"]}"' not in html
    html = client.get("/verval/anak?status=ats_valid").get_data(as_text=True)
    assert f'data-child="{kids["budi"]}"' in html and f'data-child="{kids["citra"]}"' not in html
    html = _search(client, q="santo")
    assert f'data-child="{kids["budi"]}"' in html and f'data-child="{kids["dewi"]}"' not in html
    assert [log.detail for log in _logs("search")] == ["cari nama: 1 anak cocok"]  # not the name searched for
    html = _search(client, q="%")  # a LIKE wildcard is a plain character
    assert 'data-child="' not in html
    # the search stays while the status filter changes (cari=1 travels with the filter form)
    html = _search(client, q="santo")
    assert 'name="cari" value="1"' in html
    html = client.get("/verval/anak?cari=1&status=belum").get_data(as_text=True)
    assert 'data-child="' not in html  # Budi is verified


def test_unverified_children_come_first(client, world, kids):
    _as(client, "koordinator@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    assert html.index(f'data-child="{kids["citra"]}"') < html.index(f'data-child="{kids["budi"]}"')


def test_empty_list_says_so(client, world, app_ctx):
    make_verifier("kader@example.org", [world.desa.kode])
    db.session.commit()
    _as(client, "kader@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    assert 'id="child-empty"' in html and "Belum ada anak" in html


def test_erased_child_shows_no_personal_data(client, world, kids, app_ctx):
    child = db.session.get(Child, kids["budi"])
    child.nik_hash = child.nik_encrypted = child.nik_masked = child.nisn = child.nama = None
    child.tanggal_lahir = child.nama_ibu = child.tempat_lahir = child.dusun = child.rt = child.rw = None
    child.erased_at, child.erase_reason = datetime(2026, 11, 20), "permintaan orang tua"
    db.session.commit()
    _as(client, "koordinator@example.org")
    html = client.get("/verval/anak?names=1").get_data(as_text=True)
    assert "data dihapus" in html and "Budi" not in html
    html = client.get(f"/verval/anak/{kids['budi']}").get_data(as_text=True)
    assert "Data anak dihapus" in html and "Budi" not in html and _nik() not in html
    assert 'id="verify-button"' not in html  # an erased record is not verified again
    assert client.get(f"/verval/anak/{kids['budi']}/verifikasi").status_code == 403


# Verifying ------------------------------------------------------------------------------------------------------

def _verify(client, child_id, **overrides):
    data = {"status": "ats_valid", "reason": "ekonomi", "willing_to_return": "ya", "disability": "no",
            "notes": "Membantu orang tua di kebun", "verified_on": "2026-11-26"}
    data.update(overrides)
    return client.post(f"/verval/anak/{child_id}/verifikasi?desa={TELUK_LINGGA}", data=data)


def test_verify_form_defaults_to_today_in_wita(client, world, kids):
    _as(client, VERIFIER)
    html = client.get(f"/verval/anak/{kids['citra']}/verifikasi").get_data(as_text=True)
    assert 'value="2026-11-27"' in html
    assert 'selected value="' not in html.split('id="status"')[1].split("</select>")[0]  # no finding preselected
    assert [(e.action, e.child_id) for e in _logs()] == [("view", kids["citra"])]  # the form shows the name
    assert "Hanya diisi bila hasilnya ATS valid" in html


def test_valid_verification_updates_the_child_and_shows_in_history(client, world, kids):
    _as(client, VERIFIER)
    resp = _verify(client, kids["citra"])
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/verval/anak?desa={TELUK_LINGGA}")
    child = _child(kids["citra"])
    assert child.status == "ats_valid" and child.verified_on == date(2026, 11, 26)
    v = db.session.scalar(select(ChildVerification).where(ChildVerification.child_id == kids["citra"]))
    assert (v.reason, v.willing_to_return, v.disability, v.verifier_id) == ("ekonomi", "ya", False,
                                                                           world.verifier.id)
    assert [(e.action, e.child_id) for e in _logs("edit")] == [("edit", kids["citra"])]
    html = client.get(f"/verval/anak/{kids['citra']}").get_data(as_text=True)
    assert 'id="verification-history"' in html and "Membantu orang tua di kebun" in html
    assert "26 November 2026" in html and "Ekonomi" in html and "Verifikator" in html


def test_history_is_newest_first(client, world, kids):
    _as(client, "koordinator@example.org")
    assert _verify(client, kids["citra"], status="tidak_ditemukan", verified_on="2026-11-10").status_code == 302
    assert _verify(client, kids["citra"], status="pindah", verified_on="2026-11-20").status_code == 302
    html = client.get(f"/verval/anak/{kids['citra']}").get_data(as_text=True)
    assert html.index("Pindah domisili") < html.index("Tidak ditemukan")
    assert _child(kids["citra"]).status == "pindah"


def test_reason_is_dropped_when_not_ats_valid(client, world, kids):
    _as(client, VERIFIER)
    assert _verify(client, kids["citra"], status="masih_sekolah", reason="ekonomi").status_code == 302
    v = db.session.scalar(select(ChildVerification).where(ChildVerification.child_id == kids["citra"]))
    assert v.status == "masih_sekolah" and v.reason is None


@pytest.mark.parametrize("overrides, message", [
    ({"verified_on": "2026-11-28"}, "Tanggal verifikasi tidak boleh di masa depan."),
    ({"status": "sekolah_di_bulan"}, "Pilihan tidak sah."),
    ({"status": ""}, "Wajib diisi."),
    ({"verified_on": "27/11/2026x"}, "Tanggal tidak sah."),
    ({"reason": "malas"}, "Pilihan tidak sah."),
    ({"willing_to_return": "mungkin"}, "Pilihan tidak sah."),
])
def test_invalid_verification_is_refused_and_changes_nothing(client, world, kids, overrides, message):
    _as(client, VERIFIER)
    resp = _verify(client, kids["citra"], **overrides)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert message in html and "Periksa kembali isian yang ditandai." in html
    assert _count(ChildVerification) == 0
    assert _child(kids["citra"]).status is None
    assert not _logs("edit")


# Cases ----------------------------------------------------------------------------------------------------------

def test_coordinator_links_a_valid_ats_child_to_an_action(client, world, kids):
    _as(client, "koordinator@example.org")
    html = client.get(f"/verval/anak/{kids['budi']}").get_data(as_text=True)
    assert 'id="link-case"' in html and "1.1.3" in html
    resp = client.post(f"/verval/anak/{kids['budi']}/kasus", data={"action_id": world.a3.id})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verval/anak/{kids['budi']}")
    assert db.session.scalar(select(ChildCase).where(ChildCase.child_id == kids["budi"],
                                                     ChildCase.action_id == world.a3.id)) is not None
    assert [e.child_id for e in _logs("edit")] == [kids["budi"]]
    # The same action twice is refused with the service's message.
    resp = client.post(f"/verval/anak/{kids['budi']}/kasus", data={"action_id": world.a3.id}, follow_redirects=True)
    assert "sudah dihubungkan" in resp.get_data(as_text=True)


def test_link_case_refused_for_a_child_not_ats_valid(client, world, kids):
    _as(client, "koordinator@example.org")
    html = client.get(f"/verval/anak/{kids['citra']}").get_data(as_text=True)
    assert 'id="link-case"' not in html
    before = _count(ChildCase)
    resp = client.post(f"/verval/anak/{kids['citra']}/kasus", data={"action_id": world.a1.id},
                       follow_redirects=True)
    assert resp.status_code == 200
    assert "Hanya anak yang terverifikasi ATS valid" in resp.get_data(as_text=True)
    assert _count(ChildCase) == before and not _logs("edit")


def test_link_case_refuses_unknown_or_deleted_actions(client, world, kids):
    _as(client, "koordinator@example.org")
    world.a3.deleted_at = datetime(2026, 11, 1)
    db.session.commit()
    before = _count(ChildCase)
    for data in ({"action_id": world.a3.id}, {"action_id": 987654}, {"action_id": "x"}, {}):
        resp = client.post(f"/verval/anak/{kids['budi']}/kasus", data=data)
        assert resp.status_code == 302
    assert _count(ChildCase) == before
    assert client.post("/verval/anak/999999/kasus", data={"action_id": world.a1.id}).status_code == 404


def test_link_case_is_for_coordinators_only(client, world, kids):
    before = _count(ChildCase)
    for email in ("dinsos@example.org", VERIFIER):
        _as(client, email)
        assert client.post(f"/verval/anak/{kids['budi']}/kasus", data={"action_id": world.a1.id}).status_code == 403
    _as(client, "dinsos@example.org")
    assert 'id="link-case"' not in client.get(f"/verval/anak/{kids['budi']}").get_data(as_text=True)
    assert _count(ChildCase) == before


def _case_id(child_id: int, action) -> int:
    return db.session.scalar(select(ChildCase.id).where(ChildCase.child_id == child_id,
                                                        ChildCase.action_id == action.id))


def test_outcome_formal_needs_an_8_digit_npsn(client, world, kids):
    _as(client, "dinsos@example.org")
    case_id = _case_id(kids["dewi"], world.a1)
    for npsn in ("", "1234567", "1234567a"):
        resp = client.post(f"/verval/kasus/{case_id}", data={"outcome": "formal", "outcome_date": "2026-11-15",
                                                             "school_npsn": npsn})
        assert resp.status_code == 200
        assert "NPSN sekolah harus 8 angka." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ChildCase, case_id).outcome == "belum"
    assert not _logs("edit")


def test_outcome_recorded_and_shown(client, world, kids):
    _as(client, "dinsos@example.org")
    case_id = _case_id(kids["dewi"], world.a1)
    assert 'selected value="belum"' in client.get(f"/verval/kasus/{case_id}").get_data(as_text=True)
    resp = client.post(f"/verval/kasus/{case_id}", data={"outcome": "formal", "outcome_date": "2026-11-15",
                                                         "school_npsn": "30405060", "institution": "ignored"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verval/anak/{kids['dewi']}")
    db.session.expire_all()
    case = db.session.get(ChildCase, case_id)
    assert (case.outcome, case.outcome_date, case.school_npsn, case.institution) == (
        "formal", date(2026, 11, 15), "30405060", None)
    assert [e.child_id for e in _logs("edit")] == [kids["dewi"]]
    html = client.get(f"/verval/anak/{kids['dewi']}").get_data(as_text=True)
    assert "Kembali ke sekolah formal" in html and "NPSN 30405060" in html and "15 November 2026" in html


def test_outcome_paket_needs_an_institution_and_a_date(client, world, kids):
    _as(client, "koordinator@example.org")
    case_id = _case_id(kids["dewi"], world.a1)
    resp = client.post(f"/verval/kasus/{case_id}", data={"outcome": "paket", "outcome_date": "2026-11-15"})
    assert "Nama lembaga (PKBM, pesantren atau LKP) wajib diisi." in resp.get_data(as_text=True)
    resp = client.post(f"/verval/kasus/{case_id}", data={"outcome": "paket", "institution": "PKBM Harapan"})
    assert "Tanggal hasil wajib diisi." in resp.get_data(as_text=True)
    resp = client.post(f"/verval/kasus/{case_id}", data={"outcome": "paket", "outcome_date": "2026-11-15",
                                                         "institution": "PKBM Harapan"})
    assert resp.status_code == 302
    html = client.get(f"/verval/anak/{kids['dewi']}").get_data(as_text=True)
    assert "Paket A/B/C di PKBM" in html and "PKBM Harapan" in html


def test_empty_posts_change_nothing(client, world, kids):
    _as(client, "koordinator@example.org")
    case_id = _case_id(kids["dewi"], world.a1)
    assert client.post(f"/verval/kasus/{case_id}", data={}).status_code == 200
    assert client.post(f"/verval/anak/{kids['citra']}/verifikasi", data={}).status_code == 200
    assert client.post(f"/verval/anak/{kids['budi']}/kasus", data={}).status_code == 302
    db.session.expire_all()
    case = db.session.get(ChildCase, case_id)
    assert (case.outcome, case.updated_at) == ("belum", datetime(2026, 11, 2))
    assert _count(ChildVerification) == 0 and _count(ChildCase) == 3 and not _logs("edit")


def test_outcome_permissions(client, world, kids):
    dewi_case = _case_id(kids["dewi"], world.a1)  # a1: Dinsos
    citra_case = _case_id(kids["citra"], world.a3)  # a3: DPPPA
    _as(client, "dinsos@example.org")
    assert client.get(f"/verval/kasus/{dewi_case}").status_code == 200
    assert client.get(f"/verval/kasus/{citra_case}").status_code == 404  # not a child Dinsos sees
    assert [r.child_id for r in _logs("refused")] == [kids["citra"]]
    resp = client.post(f"/verval/kasus/{citra_case}", data={"outcome": "lkp", "outcome_date": "2026-11-15",
                                                            "institution": "LKP"})
    assert resp.status_code == 404
    assert client.get("/verval/kasus/999999").status_code == 404
    _as(client, VERIFIER)  # sees Citra (their desa) but records no outcomes
    assert client.get(f"/verval/kasus/{citra_case}").status_code == 403
    db.session.expire_all()
    assert db.session.get(ChildCase, citra_case).outcome == "belum"


def test_child_page_links_match_the_user(client, world, kids):
    _as(client, "dinsos@example.org")
    html = client.get(f"/verval/anak/{kids['budi']}").get_data(as_text=True)
    # Budi is followed by a2 (Dinsos supports) and not yet by any other action Dinsos is in.
    assert f"/verval/kasus/{_case_id(kids['budi'], world.a2)}" in html
    assert 'id="verify-button"' not in html
    assert client.get(f"/verval/anak/{kids['budi']}").status_code == 200


def test_english_labels_follow_the_locale(client, world, kids):
    world.coordinator.locale = "en"
    db.session.commit()
    _as(client, "koordinator@example.org")
    html = client.get("/verval/anak").get_data(as_text=True)
    assert "Confirmed out of school" in html


def test_nik_hash_is_what_the_search_uses(app_ctx, world, kids):
    key = key_from_config(app_ctx.config)
    assert db.session.get(Child, kids["budi"]).nik_hash == key.nik_hash(_nik())
