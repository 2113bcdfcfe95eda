"""Importing the by-name ATS list: header matching, row checks, all-or-nothing, de-duplication, the CLI contract,
and how the NIK is kept (keyed hash + encryption, never readable in the database)."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Area, Child, ChildCase, ChildVerification, VervalImport
from coordinator.verval.child_data import ChildDataKey, check_nik, key_from_config, mask_date, mask_name, mask_nik
from coordinator.verval.importing import preview, save
from coordinator.verval.verification import desa_figures
from tests.verval.verval_data import list_xlsx, make_child, nik_for

NOW = datetime(2026, 11, 27, 2, 0)


def _row(nama, birth, sex, serial, desa="Teluk Lingga", kec="Sangatta Utara", kategori="DO", nisn="0123456789",
         npsn="30405060", nik=None):
    return [nik or nik_for(birth, sex, serial), nisn, nama, sex, "Sangatta", birth.strftime("%d/%m/%Y"),
            "Siti", "Dusun II", "4", "2", desa, kec, kategori, "Kelas 7", npsn, "Pusdatin"]


@pytest.fixture()
def key(app_ctx):
    return key_from_config(app_ctx.config)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_nik_rules():
    assert check_nik(nik_for(date(2012, 5, 17), "L", 1), date(2012, 5, 17), "L") is None
    assert check_nik(nik_for(date(2012, 5, 17), "P", 1), date(2012, 5, 17), "P") is None  # day 57
    assert check_nik(nik_for(date(2012, 5, 17), "L", 1), date(2012, 5, 17), "P")  # a girl's day is +40
    assert check_nik(nik_for(date(2012, 5, 17), "L", 1), date(2012, 5, 18), "L")  # another birth date
    assert check_nik("640804170512001", None, None)  # 15 digits
    assert check_nik("64080417051200a1", None, None)
    assert check_nik("6408043213120001", None, None)  # 32 December
    assert mask_nik("6408041705120012") == "6408••••••••••••"  # no digit that is not public
    assert mask_date(date(2012, 5, 17)) == "••/••/2012" and mask_name("Ahmad Rizki") == "Ah*** Ri***"


def test_keyed_hash_and_encryption():
    k1 = ChildDataKey("dGVzdC1rZXktZm9yLWNoaWxkcmVucy1kYXRhLTMyYiE=")
    k2 = ChildDataKey("b3RoZXIta2V5LWZvci1jaGlsZHJlbnMtZGF0YS0zMmI=")
    nik = "6408041705120012"
    assert k1.nik_hash(nik) == k1.nik_hash(nik) != k2.nik_hash(nik)  # keyed: not a plain SHA-256 of the NIK
    token = k1.encrypt(nik)
    assert nik.encode() not in token and k1.decrypt(token) == nik and k2.decrypt(token) is None
    with pytest.raises(ValueError):
        ChildDataKey("dG9vLXNob3J0")


def test_import_saves_every_row_with_the_nik_unreadable(world, key, app_ctx):
    rows = [_row("Ahmad Rizki", date(2012, 5, 17), "L", 1), _row("Siti Aminah", date(2011, 2, 3), "P", 2),
            _row("Budi", date(2010, 12, 30), "L", 3, kategori="Lulus Tidak Melanjutkan", nisn="", npsn="")]
    data = list_xlsx(rows)
    p = preview(db.session, data, "bnba.xlsx", key)
    assert p.can_save and (p.new, p.updated, p.error_count) == (3, 0, 0)
    assert p.by_category == {"DO": 2, "LTM": 1} and p.by_kecamatan == {"64.08.04": 3}
    result = save(db.session, data, "bnba.xlsx", key, NOW, world.coordinator.id, "Pusdatin")
    db.session.commit()
    assert (result.created, result.updated) == (3, 0)
    siti = db.session.scalar(select(Child).where(Child.nama == "Siti Aminah"))
    nik = nik_for(date(2011, 2, 3), "P", 2)
    assert siti.jenis_kelamin == "P" and siti.tanggal_lahir == date(2011, 2, 3) and siti.rt == "4"
    assert siti.nik_masked == mask_nik(nik) and key.decrypt(siti.nik_encrypted) == nik
    assert siti.nik_hash == key.nik_hash(nik) and len(siti.nik_hash) == 64
    # Nowhere in the child table is the NIK readable.
    dump = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM child")) for v in row)
    assert nik not in dump and nik[6:] not in dump


def test_one_bad_row_saves_nothing_and_names_each_problem(world, key):
    rows = [
        _row("Anak Baik", date(2012, 5, 17), "L", 1),
        _row("Tanggal Salah", date(2012, 5, 17), "L", 2, nik=nik_for(date(2012, 5, 18), "L", 2)),
        _row("Putri", date(2011, 2, 3), "P", 3, nik=nik_for(date(2011, 2, 3), "L", 3)),  # day not +40
        _row("NISN Pendek", date(2012, 1, 1), "L", 4, nisn="123456789"),
        _row("Desa Asing", date(2012, 1, 2), "L", 5, desa="Atlantis"),
        _row("Kembar", date(2012, 5, 17), "L", 1),  # the same NIK as the first row
        _row("Kategori", date(2012, 1, 3), "L", 6, kategori="ABC"),
        _row("NPSN", date(2012, 1, 4), "L", 7, npsn="123"),
    ]
    data = list_xlsx(rows)
    p = preview(db.session, data, "bnba.xlsx", key)
    assert not p.can_save and p.error_count == 7
    by_row = {i.row: i.message for i in p.errors}
    assert set(by_row) == {5, 6, 7, 8, 9, 10, 11}  # title, blank and header rows come first: data from row 4
    assert "tidak cocok" in by_row[5] and "Jenis kelamin" in by_row[6] and "NISN" in by_row[7]
    assert "Atlantis" in str([i.params for i in p.errors if i.row == 8]) and "baris" in by_row[9]
    with pytest.raises(DomainError):
        save(db.session, data, "bnba.xlsx", key, NOW, None)
    db.session.rollback()
    assert _count(Child) == 0 and _count(VervalImport) == 0


def test_same_nik_again_updates_and_keeps_the_verification(world, key, app_ctx):
    first = list_xlsx([_row("Ahmad", date(2012, 5, 17), "L", 1)])
    save(db.session, first, "a.xlsx", key, NOW, None)
    child = db.session.scalar(select(Child))
    child.status = "ats_valid"
    db.session.add(ChildVerification(child_id=child.id, status="ats_valid", verified_on=date(2026, 11, 20),
                                     verifier_id=world.coordinator.id, created_at=NOW))
    db.session.commit()
    again = list_xlsx([_row("Ahmad Rizki", date(2012, 5, 17), "L", 1, kategori="DO"),
                       _row("Baru", date(2013, 6, 1), "P", 9)])
    p = preview(db.session, again, "b.xlsx", key)
    assert (p.new, p.updated) == (1, 1)
    save(db.session, again, "b.xlsx", key, NOW, None)
    db.session.commit()
    assert _count(Child) == 2
    db.session.refresh(child)
    assert child.nama == "Ahmad Rizki" and child.status == "ats_valid" and child.first_import_id != \
        child.last_import_id


def test_csv_with_other_headers_and_area_codes(world, key):
    nik = nik_for(date(2012, 5, 17), "L", 1)
    csv_text = ("No;NIK Anak;Nama Lengkap;JK;Tgl Lahir;Kode Desa;Kategori ATS\n"
                f"1;'{nik};Ahmad;Laki-laki;2012-05-17;64.08.04.1001;Putus Sekolah\n")
    p = preview(db.session, csv_text.encode("utf-8-sig"), "bnba.csv", key)
    assert p.can_save and p.rows[0].values["kategori"] == "DO" and p.rows[0].values["desa_kode"] == "64.08.04.1001"
    with pytest.raises(DomainError):
        preview(db.session, b"kolom;lain\n1;2\n", "x.csv", key)  # no header row to be found
    missing = preview(db.session, b"NIK;Nama;Desa\n1;2;3\n", "y.csv", key)
    assert not missing.can_save and "tanggal_lahir" in missing.missing_columns


def test_desa_figures_count_each_child_once(world, app_ctx):
    a = make_child(app_ctx, "A", world.desa.kode, serial=1, status="ats_valid")
    make_child(app_ctx, "B", world.desa.kode, serial=2, status="pindah")
    make_child(app_ctx, "C", world.desa.kode, serial=3)
    for action in (world.a1, world.a2):  # two actions brought the same child back
        db.session.add(ChildCase(child_id=a.id, action_id=action.id, outcome="formal", outcome_date=date(2026, 11, 2),
                                 school_npsn="30405060", created_at=NOW, updated_at=NOW))
    db.session.commit()
    [f] = desa_figures(db.session)
    assert (f.kode, f.listed, f.verified, f.valid_ats, f.returned) == (world.desa.kode, 3, 2, 1, 1)
    assert desa_figures(db.session, until=date(2026, 11, 1))[0].returned == 0


def test_cli_import_and_summary_contract(world, app_ctx, tmp_path):
    good = tmp_path / "bnba.xlsx"
    good.write_bytes(list_xlsx([_row("Ahmad", date(2012, 5, 17), "L", 1), _row("Siti", date(2011, 2, 3), "P", 2)]))
    bad = tmp_path / "salah.xlsx"
    bad.write_bytes(list_xlsx([_row("Ahmad", date(2012, 5, 17), "L", 1),
                               _row("X", date(2012, 5, 17), "L", 2, nik="123")]))
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["verval", "import", str(bad)])
    assert result.exit_code == 1 and "row 5" in result.output and "nothing saved" in result.output
    result = runner.invoke(args=["verval", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "DRY RUN" in result.output and _count(Child) == 0
    result = runner.invoke(args=["verval", "import", str(good)])
    assert result.exit_code == 0 and "created=2" in result.output
    result = runner.invoke(args=["verval", "summary", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == [{"kode": "64.08.04.1001", "nama": "Teluk Lingga", "listed": 2,
                                          "verified": 0, "valid_ats": 0, "returned": 0}]
    assert db.session.scalar(select(Area.nama).where(Area.kode == "64.08.04.1001")) == "Teluk Lingga"


def test_ats_area_page_shows_the_by_name_figures(world, app_ctx, client):
    a = make_child(app_ctx, "A", world.desa.kode, serial=1, status="ats_valid")
    make_child(app_ctx, "B", world.desa.kode, serial=2)
    for action in (world.a1, world.a3):
        db.session.add(ChildCase(child_id=a.id, action_id=action.id, outcome="lkp", institution="LKP Sangatta",
                                 outcome_date=date(2026, 11, 2), created_at=NOW, updated_at=NOW))
    db.session.commit()
    client.post("/login", data={"email": "pimpinan@example.org", "password": "demo-kutim-2026"})
    html = client.get("/ats/area/64.08.04").get_data(as_text=True)
    assert 'data-byname="listed">2<' in html and 'data-byname="valid">1<' in html
    assert 'data-byname="returned"><strong>1<' in html
    assert "LKP Sangatta" not in html and ">A<" not in html  # aggregates only
    assert 'data-byname' not in client.get("/ats/area/64.08.05").get_data(as_text=True)


def test_hostile_digits_erased_children_and_masked_errors(world, key, app_ctx):
    from coordinator.verval.coordination import erase_child

    nik = nik_for(date(2012, 5, 17), "L", 1)
    wide = nik.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    p = preview(db.session, list_xlsx([_row("Ahmad", date(2012, 5, 17), "L", 1),
                                        _row("Ahmad Lagi", date(2012, 5, 17), "L", 1, nik=wide)]), "w.xlsx", key)
    assert p.error_count == 1 and "baris" in p.errors[0].message  # full-width digits: the same NIK, twice
    sup = preview(db.session, list_xlsx([_row("X", date(2012, 5, 17), "L", 1, nik="640804¹⁷0512000¹")]),
                  "s.xlsx", key)
    assert sup.error_count == 1 and "16 angka" in sup.errors[0].message  # an error, not a crash
    shifted = _row("Y", date(2012, 5, 17), "L", 2)
    shifted[5] = nik  # a NIK in the birth-date column: the error message masks it
    bad = preview(db.session, list_xlsx([shifted]), "x.xlsx", key)
    assert nik not in str([(i.message, i.params) for i in bad.errors]) and mask_nik(nik) in str(
        [i.params for i in bad.errors])
    # An erased child's row in a later import is skipped: the data does not come back, nobody is counted twice.
    data = list_xlsx([_row("Ahmad", date(2012, 5, 17), "L", 1), _row("Siti", date(2011, 2, 3), "P", 2)])
    save(db.session, data, "a.xlsx", key, NOW, None)
    ahmad = db.session.scalar(select(Child).where(Child.nama == "Ahmad"))
    erase_child(db.session, ahmad, "permintaan orang tua", NOW, world.coordinator.id)
    db.session.commit()
    again = preview(db.session, data, "a.xlsx", key)
    assert (again.skipped_erased, again.updated, again.new) == (1, 1, 0)
    save(db.session, data, "a.xlsx", key, NOW, None)
    db.session.commit()
    assert _count(Child) == 2 and db.session.get(Child, ahmad.id).nama is None


def test_a_late_entry_for_an_earlier_visit_does_not_overwrite_the_newer_finding(world, app_ctx):
    from coordinator.verval.verification import VerificationInput, record_verification

    kid = make_child(app_ctx, "A", world.desa.kode)
    today = date(2026, 11, 27)
    record_verification(db.session, kid, VerificationInput("ats_valid", "ekonomi", "ya", None, None,
                                                           date(2026, 11, 20)), world.verifier.id, NOW, today)
    record_verification(db.session, kid, VerificationInput("masih_sekolah", None, None, None, None,
                                                           date(2026, 10, 1)), world.verifier.id, NOW, today)
    assert (kid.status, kid.verified_on) == ("ats_valid", date(2026, 11, 20)) and len(kid.verifications) == 2


def test_nul_bytes_are_a_bad_request_not_a_server_error(world, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    assert client.get("/verval/anak?q=%00").status_code == 400
    assert client.get("/verval/rekonsiliasi?kecamatan=a%00").status_code == 400
    assert client.post("/reports/settings", data={"pemkab_name": "a\x00b"}).status_code == 400
    resp = client.get("/verval/anak")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"


def test_a_previewed_file_nobody_confirms_is_gone_after_an_hour(app_ctx):
    import time
    from pathlib import Path

    from coordinator.web.pending_uploads import PendingUploads

    pending = PendingUploads("expiry-test-pending")  # its own folder: other tests leave files in theirs
    with app_ctx.test_request_context():
        token = pending.keep(b"NIK;Nama\n6408041705120001;Ahmad\n", {"file_name": "bnba.csv"})
        assert pending.load(token) == (b"NIK;Nama\n6408041705120001;Ahmad\n", {"file_name": "bnba.csv"})
        assert pending.discard_stale(time.time() + 60) == 0
        assert pending.discard_stale(time.time() + 3601) == 1  # one file: the values are sealed inside it
        with pytest.raises(OSError):
            pending.load(token)
        assert not list((Path(app_ctx.config["UPLOAD_DIR"]) / "expiry-test-pending").glob(f"{token}*"))
