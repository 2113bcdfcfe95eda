"""The coordinators' verval pages: import through the web, progress, reconciliation, verifier assignments, the
masked export, the access log, erasure on request and the retention period – what each role sees and the
failure paths."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import (
    AtsFigure,
    AtsSnapshot,
    Child,
    ChildAccessLog,
    ChildCase,
    ChildVerification,
    VerifierArea,
    VervalSettings,
)
from coordinator.verval import coordination as verval_admin
from coordinator.verval.verification import desa_figures, log_access
from tests.verval.verval_data import list_xlsx, make_child, make_verifier, nik_for

NOW = datetime(2026, 11, 27, 2, 0)
BIRTH = date(2012, 5, 17)
DESA = "64.08.04.1001"
COORD, ADMIN, LEADER = "koordinator@example.org", "admin@example.org", "pimpinan@example.org"
FOCAL, OTHER_FOCAL, VERIFIER = "dinsos@example.org", "dpppa@example.org", "verifikator@example.org"


def row(nik: str, nama: str = "Budi Santoso", sex: str = "L", birth: str = "17/05/2012", nisn: str = "",
        desa: str = "Teluk Lingga", kec: str = "Sangatta Utara", kategori: str = "DO") -> list[object]:
    return [nik, nisn, nama, sex, "Sangatta", birth, "Siti Aminah", "Dusun I", "003", "001", desa, kec, kategori,
            "Kelas 8", "", "Dapodik"]


def valid_rows(n: int = 3) -> list[list[object]]:
    return [row(nik_for(BIRTH, "L", i + 1), nama=f"Anak {i + 1}") for i in range(n)]


def upload(client, data: bytes, name: str = "daftar.xlsx"):
    return client.post("/verval/impor", data={"file": (io.BytesIO(data), name), "source": "Dapodik"},
                       content_type="multipart/form-data")


def token_of(html: str) -> str:
    m = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html) or \
        re.search(r'value="([0-9a-f]{32})"', html)
    assert m, html[:2000]
    return m.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def pending_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "verval-pending"
    return list(folder.iterdir()) if folder.exists() else []


def cell(html: str, kode: str, col: str) -> str:
    """The text of the cell data-col=`col` in the table row data-kode=`kode`."""
    m = re.search(r'<tr data-kode="' + re.escape(kode) + r'".*?</tr>', html, re.S)
    assert m, f"no row {kode}"
    c = re.search(r'data-col="' + col + r'">(.*?)</td>', m.group(0), re.S)
    assert c, f"no {col} in row {kode}"
    return re.sub(r"<[^>]+>", "", c.group(1)).strip()


def verify(child: Child, status: str, verifier_id: int, on: date = date(2026, 11, 10),
           created: datetime = datetime(2026, 11, 10), notes: str | None = None) -> None:
    db.session.add(ChildVerification(child_id=child.id, status=status, verified_on=on, verifier_id=verifier_id,
                                     created_at=created, notes=notes))
    child.status, child.verified_on = status, on


def add_case(child: Child, action_id: int, outcome: str = "formal", notes: str | None = None) -> ChildCase:
    case = ChildCase(child_id=child.id, action_id=action_id, outcome=outcome,
                     outcome_date=date(2026, 10, 1) if outcome != "belum" else None,
                     school_npsn="30401234" if outcome == "formal" else None,
                     institution="PKBM Harapan" if outcome == "paket" else None, notes=notes,
                     created_at=NOW, updated_at=NOW)
    db.session.add(case)
    return case


# ---------------------------------------------------------------------------------------------- import

def test_import_preview_then_confirm_saves_children_with_nik_protected(app_ctx, world, as_user):
    client = as_user(COORD)
    assert client.get("/verval/impor").status_code == 200
    rows = valid_rows(3)
    resp = upload(client, list_xlsx(rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-count="new">3<' in html and 'data-count="updated">0<' in html
    assert 'data-count="errors">0<' in html
    assert "Sangatta Utara" in html  # per kecamatan
    assert "DO" in html
    for r in rows:
        assert str(r[0]) not in html  # no NIK in the preview
    assert count(Child) == 0  # the preview saves nothing
    token = token_of(html)
    assert (Path(app_ctx.config["UPLOAD_DIR"]) / "verval-pending" / token).exists()

    resp = client.post("/verval/impor/konfirmasi", data={"token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verval/")
    page = client.get("/verval/").get_data(as_text=True)
    assert "3 anak baru, 0 diperbarui" in page
    assert not pending_files(app_ctx)
    children = list(db.session.scalars(select(Child).order_by(Child.id)))
    assert len(children) == 3
    niks = {str(r[0]) for r in rows}
    for c in children:
        assert re.fullmatch(r"[0-9a-f]{64}", c.nik_hash or "")
        assert c.nik_masked and c.nik_masked.startswith("6408") and "•" in c.nik_masked
        assert c.nik_encrypted and not any(n.encode() in c.nik_encrypted for n in niks)
        for column in Child.__table__.columns:
            value = getattr(c, column.key)
            assert not any(n in str(value) for n in niks), column.key  # no plain NIK anywhere in the row


BAD_ROWS = [
    ("nik_birth_mismatch", row(nik_for(BIRTH, "L", 9), birth="18/05/2012"), "tidak cocok dengan tanggal lahir"),
    ("girl_day_plus_40", row(nik_for(BIRTH, "L", 9), sex="P"), "tanggal + 40 untuk perempuan"),
    ("nisn_9_digits", row(nik_for(BIRTH, "L", 9), nisn="123456789"), "NISN harus 10 angka"),
    ("unknown_desa", row(nik_for(BIRTH, "L", 9), desa="Antah Berantah"), "Antah Berantah tidak dikenal"),
    ("same_nik_twice", row(nik_for(BIRTH, "L", 1)), "NIK yang sama sudah ada di baris 4"),
]


@pytest.mark.parametrize("name,bad,message", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_import_with_one_bad_row_lists_it_and_saves_nothing(app_ctx, world, as_user, name, bad, message):
    client = as_user(COORD)
    # Title, blank line, header: the data starts on row 4; the bad row is row 6.
    resp = upload(client, list_xlsx(valid_rows(2) + [bad]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html
    assert re.search(r'data-label="Baris">6<', html)
    assert 'data-count="errors">1<' in html
    assert "Simpan daftar anak" not in html and "impor/konfirmasi" not in html
    assert str(bad[0]) not in html
    assert count(Child) == 0 and not pending_files(app_ctx)


def test_confirm_refuses_an_unknown_or_malformed_token(app_ctx, world, as_user):
    client = as_user(COORD)
    resp = client.post("/verval/impor/konfirmasi", data={"token": "0" * 32}, follow_redirects=True)
    assert "Berkas pratinjau sudah tidak tersedia" in resp.get_data(as_text=True)
    assert client.post("/verval/impor/konfirmasi", data={"token": "../../etc/passwd"}).status_code == 400
    assert client.post("/verval/impor/konfirmasi", data={}).status_code == 400
    assert count(Child) == 0


def test_upload_refuses_other_files_and_junk(app_ctx, world, as_user):
    client = as_user(COORD)
    html = upload(client, b"hello", "daftar.pdf").get_data(as_text=True)
    assert "Gunakan berkas XLSX atau CSV" in html
    html = upload(client, b"\x00\x01garbage", "daftar.xlsx").get_data(as_text=True)
    assert 'class="errors"' in html and "Pratinjau impor" not in html
    only_three = list_xlsx([[nik_for(BIRTH, "L", 1), "Budi", "Teluk Lingga"]], header=["NIK", "Nama", "Desa/Kelurahan"])
    html = upload(client, only_three).get_data(as_text=True)
    assert 'id="missing-columns"' in html and "Tanggal lahir" in html
    assert client.post("/verval/impor", data={}).status_code == 200  # the form again, "Wajib diisi."
    assert count(Child) == 0 and not pending_files(app_ctx)


def test_reimport_updates_the_child_and_keeps_its_verification(app_ctx, world, as_user):
    client = as_user(COORD)
    first = list_xlsx(valid_rows(1))
    client.post("/verval/impor/konfirmasi", data={"token": token_of(upload(client, first).get_data(as_text=True))})
    child = db.session.scalar(select(Child))
    verify(child, "ats_valid", world.verifier.id)
    db.session.commit()

    again = list_xlsx([row(nik_for(BIRTH, "L", 1), nama="Anak Satu Diperbaiki"), row(nik_for(BIRTH, "L", 2))])
    html = upload(client, again).get_data(as_text=True)
    assert 'data-count="new">1<' in html and 'data-count="updated">1<' in html
    client.post("/verval/impor/konfirmasi", data={"token": token_of(html)})
    assert count(Child) == 2
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.nama == "Anak Satu Diperbaiki" and child.status == "ats_valid"
    # The very same file again: a warning, and nothing doubled.
    html = upload(client, again).get_data(as_text=True)
    assert 'id="seen-before"' in html and 'data-count="updated">2<' in html


# ---------------------------------------------------------------------------------------------- figures

def seed_figures(app, world) -> dict[str, Child]:
    snap = AtsSnapshot(as_of=date(2026, 9, 30), source="Pusdatin", created_at=NOW)
    db.session.add(snap)
    db.session.flush()
    db.session.add_all([AtsFigure(snapshot_id=snap.id, kind="area", area_kode=DESA, category="DO", count=10),
                        AtsFigure(snapshot_id=snap.id, kind="area", area_kode=DESA, category="BPB", count=2),
                        AtsFigure(snapshot_id=snap.id, kind="area", area_kode=DESA, category="DO", count=99,
                                  detail="kelas 7")])  # a breakdown row: never counted
    kids = {n: make_child(app, f"Anak {n}", DESA, serial=i + 1) for i, n in enumerate("abcd")}
    verify(kids["a"], "ats_valid", world.verifier.id, notes="Rumah Anak a di dekat masjid")
    verify(kids["b"], "ats_valid", world.verifier.id)
    verify(kids["c"], "masih_sekolah", world.verifier.id)
    add_case(kids["a"], world.a1.id, "formal", notes="Anak a diantar ibunya")
    add_case(kids["a"], world.a2.id, "paket")  # a second returned case: still one child
    add_case(kids["b"], world.a1.id, "belum")
    db.session.commit()
    return kids


def test_reconciliation_figures(app_ctx, world, as_user):
    seed_figures(app_ctx, world)
    rows = {r.kode: r for r in verval_admin.reconciliation(db.session)}
    kec = rows["64.08.04"]
    assert (kec.pusdatin, kec.listed, kec.verified, kec.valid_ats, kec.returned, kec.difference) == (12, 4, 3, 2, 1, 10)
    assert rows["64.08.05"].pusdatin is None and rows["64.08.05"].difference is None and rows["64.08.05"].listed == 0
    desa = {r.kode: r for r in verval_admin.reconciliation(db.session, "64.08.04")}
    assert (desa[DESA].pusdatin, desa[DESA].valid_ats, desa[DESA].returned) == (12, 2, 1)
    total = verval_admin.reconciliation_total(list(rows.values()))
    assert (total.pusdatin, total.listed, total.difference) == (12, 4, 10)

    for email in (COORD, ADMIN, LEADER):
        html = as_user(email).get("/verval/rekonsiliasi").get_data(as_text=True)
        assert cell(html, "64.08.04", "pusdatin") == "12"
        assert cell(html, "64.08.04", "valid_ats") == "2"
        assert cell(html, "64.08.04", "returned") == "1"
        assert cell(html, "64.08.04", "difference") == "+10"
        assert cell(html, "64.08.05", "pusdatin") == "–"
        assert "Anak a" not in html
    html = as_user(LEADER).get("/verval/rekonsiliasi?kecamatan=64.08.04").get_data(as_text=True)
    assert cell(html, DESA, "listed") == "4" and cell(html, DESA, "verified") == "3"
    assert as_user(LEADER).get("/verval/rekonsiliasi?kecamatan=99.99").status_code == 404
    assert as_user(FOCAL).get("/verval/rekonsiliasi").status_code == 403


def test_reconciliation_without_any_snapshot(app_ctx, world):
    make_child(app_ctx, "Anak", DESA)
    rows = {r.kode: r for r in verval_admin.reconciliation(db.session)}
    assert rows["64.08.04"].pusdatin is None and rows["64.08.04"].listed == 1


def test_progress_page(app_ctx, world, as_user):
    seed_figures(app_ctx, world)
    client = as_user(COORD)
    html = client.get("/verval/").get_data(as_text=True)
    assert cell(html, "64.08.04", "listed") == "4"
    assert cell(html, "64.08.04", "verified") == "3"
    assert cell(html, "64.08.04", "pct") in ("75,0%", "75.0%")
    assert cell(html, "64.08.04", "valid_ats") == "2" and cell(html, "64.08.04", "returned") == "1"
    assert f'data-kode="{DESA}"' not in html  # collapsed
    for endpoint in ("impor", "verifikator", "rekonsiliasi", "ekspor", "pengaturan"):
        assert f"/verval/{endpoint}" in html
    assert "/verval/log-akses" not in html
    assert "Anak a" not in html

    html = client.get("/verval/?kecamatan=64.08.04").get_data(as_text=True)
    assert cell(html, DESA, "listed") == "4" and "Teluk Lingga" in html
    assert "/verval/log-akses" in as_user(ADMIN).get("/verval/").get_data(as_text=True)
    leader = as_user(LEADER).get("/verval/").get_data(as_text=True)
    assert cell(leader, "64.08.04", "listed") == "4"
    assert "/verval/impor" not in leader and "/verval/ekspor" not in leader
    assert as_user(LEADER).get("/verval/?kecamatan=nope").status_code == 404
    assert as_user(FOCAL).get("/verval/").status_code == 403
    resp = as_user(VERIFIER).get("/verval/")
    # A village verifier belongs on the children list (302 once verval.index is among the verifier's pages).
    assert resp.status_code == 403 or (resp.status_code == 302 and "/verval/anak" in resp.headers["Location"])


def test_progress_without_children(app_ctx, world, as_user):
    html = as_user(COORD).get("/verval/").get_data(as_text=True)
    assert 'id="verval-empty"' in html


# ---------------------------------------------------------------------------------------------- export

def test_export_csv_and_xlsx_are_masked_and_logged(app_ctx, world, as_user):
    a = make_child(app_ctx, "Budi Santoso", DESA, serial=1)
    make_child(app_ctx, "Siti Rahma", DESA, sex="P", serial=2)
    verify(a, "ats_valid", world.verifier.id)
    add_case(a, world.a1.id, "formal")
    db.session.commit()
    full = {nik_for(BIRTH, "L", 1), nik_for(BIRTH, "P", 2)}
    client = as_user(COORD)

    resp = client.get("/verval/ekspor?format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.data.decode("utf-8-sig")
    assert not any(n in text for n in full)
    assert "6408••••••••••••" in text and "••/••/2012" in text and "17/05/2012" not in text
    assert "2012-05-17" not in text
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(table) == 3
    budi = next(r for r in table if "Budi Santoso" in r)
    assert "ATS valid (memang tidak bersekolah)" in budi and "ya" in budi and "Teluk Lingga" in budi
    assert "Sangatta Utara" in budi and "DO" in budi
    logs = list(db.session.scalars(select(ChildAccessLog)))
    assert [(x.action, x.child_id, x.detail) for x in logs] == [("export_csv", None, "2 anak; filter semua")]

    resp = client.get(f"/verval/ekspor?format=xlsx&desa={DESA}&status=ats_valid")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert len(values) == 2
    flat = " ".join(str(v) for r in values for v in r)
    assert "Budi Santoso" in flat and "Siti Rahma" not in flat
    assert "6408••••••••••••" in flat and "••/••/2012" in flat
    assert not any(n in flat for n in full)
    last = db.session.scalars(select(ChildAccessLog).order_by(ChildAccessLog.id.desc())).first()
    assert last.action == "export_xlsx" and last.detail == f"1 anak; filter desa={DESA}, status=ats_valid"
    assert count(ChildAccessLog) == 2

    # The printed list for a field visit: masked the same way, read back from the PDF, and logged.
    resp = client.get("/verval/ekspor?format=pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    from tests.reports.report_data import pdf_text

    printed, _pages = pdf_text(resp.data)
    assert "Budi Santoso" in printed and "6408••••••••••••" in printed and "••/••/2012" in printed
    assert not any(n in printed for n in full) and "17/05/2012" not in printed
    last = db.session.scalars(select(ChildAccessLog).order_by(ChildAccessLog.id.desc())).first()
    assert last.action == "export_pdf" and last.detail == "2 anak; filter semua"
    assert client.get("/verval/ekspor?format=docx").status_code == 404
    assert count(ChildAccessLog) == 3
    # A status the list does not know is no filter; an unknown desa just matches nobody.
    assert client.get("/verval/ekspor?format=csv&status=%27%3B--").status_code == 200
    resp = client.get("/verval/ekspor?format=csv&desa=" + "9" * 500)
    assert resp.status_code == 200 and len(resp.data.decode("utf-8-sig").strip().splitlines()) == 1


def test_export_of_an_erased_child_has_no_personal_fields(app_ctx, world, as_user):
    a = make_child(app_ctx, "Budi Santoso", DESA, serial=1)
    verval_admin.erase_child(db.session, a, "Permintaan orang tua", NOW, world.coordinator.id)
    db.session.commit()
    text = as_user(ADMIN).get("/verval/ekspor?format=csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(table) == 2
    assert "Budi" not in text and "6408" not in text and "2012" not in text
    assert table[1][0] == str(a.id) and "Teluk Lingga" in table[1] and "DO" in table[1]


@pytest.mark.parametrize("email", [LEADER, FOCAL, OTHER_FOCAL, VERIFIER])
def test_export_is_refused_to_everyone_but_coordinators(app_ctx, world, as_user, email):
    make_child(app_ctx, "Budi Santoso", DESA)
    db.session.commit()
    for fmt in ("csv", "xlsx"):
        resp = as_user(email).get(f"/verval/ekspor?format={fmt}")
        assert resp.status_code == 403
        assert b"Budi" not in resp.data
    assert count(ChildAccessLog) == 0


def test_export_needs_signing_in(app_ctx, world, client):
    resp = client.get("/verval/ekspor?format=csv")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# ---------------------------------------------------------------------------------------------- erase

def test_erase_keeps_the_counts_and_removes_personal_data(app_ctx, world, as_user):
    kids = seed_figures(app_ctx, world)
    before = [(f.kode, f.listed, f.verified, f.valid_ats, f.returned) for f in desa_figures(db.session)]
    recon_before = [(r.kode, r.listed, r.valid_ats, r.returned) for r in verval_admin.reconciliation(db.session)]
    a = kids["a"]
    client = as_user(COORD)

    resp = client.post(f"/verval/anak/{a.id}/hapus", data={"reason": ""})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Child, a.id).nama == "Anak a"  # no reason, nothing erased

    resp = client.post(f"/verval/anak/{a.id}/hapus", data={"reason": "Permintaan orang tua (surat 12/2026)"})
    assert resp.status_code == 302
    db.session.expire_all()
    a = db.session.get(Child, a.id)
    for name in verval_admin.PERSONAL_FIELDS:
        assert getattr(a, name) is None, name
    assert a.erased_at == datetime.fromisoformat(app_ctx.config["FIXED_NOW"])
    assert a.erase_reason == "Permintaan orang tua (surat 12/2026)"
    assert (a.desa_kode, a.kategori, a.birth_year, a.status) == (DESA, "DO", 2012, "ats_valid")
    assert len(a.cases) == 2 and {c.outcome for c in a.cases} == {"formal", "paket"}
    assert all(c.notes is None for c in a.cases) and all(v.notes is None for v in a.verifications)
    after = [(f.kode, f.listed, f.verified, f.valid_ats, f.returned) for f in desa_figures(db.session)]
    assert after == before
    recon_after = [(r.kode, r.listed, r.valid_ats, r.returned) for r in verval_admin.reconciliation(db.session)]
    assert recon_after == recon_before
    log = db.session.scalars(select(ChildAccessLog).where(ChildAccessLog.action == "erase")).one()
    assert log.child_id == a.id and log.user_id == world.coordinator.id

    resp = client.post(f"/verval/anak/{a.id}/hapus", data={"reason": "lagi"}, follow_redirects=True)
    assert "sudah dihapus" in resp.get_data(as_text=True)
    assert count(ChildAccessLog) == 1
    assert client.post("/verval/anak/999999/hapus", data={"reason": "x"}).status_code == 404
    assert client.post(f"/verval/anak/{2**70}/hapus", data={"reason": "x"}).status_code == 404
    for email in (LEADER, FOCAL, ADMIN):
        status = as_user(email).post(f"/verval/anak/{kids['b'].id}/hapus", data={"reason": "x"}).status_code
        assert status == (302 if email == ADMIN else 403)


def test_erase_service_refuses_without_reason_or_twice(app_ctx, world):
    a = make_child(app_ctx, "Budi", DESA)
    with pytest.raises(DomainError):
        verval_admin.erase_child(db.session, a, "  ", NOW, None)
    verval_admin.erase_child(db.session, a, "permintaan", NOW, None)
    with pytest.raises(DomainError):
        verval_admin.erase_child(db.session, a, "permintaan", NOW, None)


# ---------------------------------------------------------------------------------------------- retention

def test_retention_anonymises_only_children_past_the_period(app_ctx, world, as_user):
    old = make_child(app_ctx, "Lama", DESA, serial=1)
    old.updated_at = datetime(2020, 1, 1)
    old_but_checked = make_child(app_ctx, "Lama Dicek", DESA, serial=2)
    old_but_checked.updated_at = datetime(2020, 1, 1)
    verify(old_but_checked, "ats_valid", world.verifier.id, on=date(2024, 3, 1), created=datetime(2024, 3, 1))
    recent = make_child(app_ctx, "Baru", DESA, serial=3)  # imported 1 November 2026
    db.session.commit()
    before = [(f.listed, f.verified, f.valid_ats) for f in desa_figures(db.session)]

    assert {c.id for c in verval_admin.retention_due(db.session, NOW)} == {old.id}  # 5 years by default
    client = as_user(COORD)
    resp = client.post("/verval/retensi", follow_redirects=True)
    assert "1 anak melewati masa simpan" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Child, old.id).nama is None and db.session.get(Child, old.id).erased_at is not None
    assert db.session.get(Child, old_but_checked.id).nama == "Lama Dicek"
    assert db.session.get(Child, recent.id).nama == "Baru"
    assert [(f.listed, f.verified, f.valid_ats) for f in desa_figures(db.session)] == before

    # Travelling in time: the child verified on 1 March 2024 is kept until 1 March 2029, then anonymised; the
    # child imported in November 2026 goes in 2032.
    assert verval_admin.apply_retention(db.session, datetime(2029, 3, 1)) == 0
    assert verval_admin.apply_retention(db.session, datetime(2029, 3, 2), years=5) == 1
    assert verval_admin.apply_retention(db.session, datetime(2032, 1, 1)) == 1
    assert verval_admin.apply_retention(db.session, datetime(2032, 1, 1)) == 0
    db.session.commit()
    assert count(ChildAccessLog) == 3 and db.session.scalar(
        select(func.count()).select_from(Child).where(Child.erased_at.is_(None))) == 0
    resp = client.post("/verval/retensi", follow_redirects=True)
    assert "Tidak ada anak yang melewati masa simpan" in resp.get_data(as_text=True)


def test_retention_settings(app_ctx, world, as_user):
    client = as_user(COORD)
    html = client.get("/verval/pengaturan").get_data(as_text=True)
    assert db.session.get(VervalSettings, 1).retention_years == 5 and 'value="5"' in html
    for bad in ("0", "31", "lima", ""):
        html = client.post("/verval/pengaturan", data={"retention_years": bad}).get_data(as_text=True)
        assert "has-error" in html
    db.session.expire_all()
    assert db.session.get(VervalSettings, 1).retention_years == 5
    assert client.post("/verval/pengaturan", data={"retention_years": "2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(VervalSettings, 1).retention_years == 2
    assert count(VervalSettings) == 1
    with pytest.raises(DomainError):
        verval_admin.update_retention(db.session, 40, NOW)


# ---------------------------------------------------------------------------------------------- verifiers

def test_assign_and_remove_desa(app_ctx, world, as_user):
    second = make_verifier("kader@example.org", [])
    db.session.commit()
    client = as_user(COORD)
    html = client.get("/verval/verifikator").get_data(as_text=True)
    assert "verifikator@example.org" in html and "kader@example.org" in html and "Teluk Lingga" in html
    assert "Kec. Sangatta Utara" in html  # desa grouped by kecamatan

    resp = client.post("/verval/verifikator", data={"user_id": second.id, "desa_kodes": [DESA]})
    assert resp.status_code == 302
    assigned = db.session.scalars(select(VerifierArea).where(VerifierArea.user_id == second.id)).one()
    assert assigned.area_kode == DESA
    # Twice: nothing doubled.
    client.post("/verval/verifikator", data={"user_id": second.id, "desa_kodes": [DESA]})
    assert count(VerifierArea) == 2

    # A user who is not a village verifier, a kecamatan instead of a desa, nothing chosen: refused.
    for data in ({"user_id": world.focal.id, "desa_kodes": [DESA]}, {"user_id": second.id, "desa_kodes": ["64.08.04"]},
                 {"user_id": second.id}, {"user_id": "abc", "desa_kodes": [DESA]}, {}):
        resp = client.post("/verval/verifikator", data=data)
        assert resp.status_code == 200 and "has-error" in resp.get_data(as_text=True)
    assert count(VerifierArea) == 2
    with pytest.raises(DomainError, match="verifikator"):
        verval_admin.assign_desa(db.session, world.focal.id, [DESA])

    assert client.post("/verval/verifikator/999999/hapus").status_code == 404
    assert client.post(f"/verval/verifikator/{assigned.id}/hapus").status_code == 302
    assert count(VerifierArea) == 1
    assert as_user(LEADER).post("/verval/verifikator", data={"user_id": second.id, "desa_kodes": [DESA]}
                                ).status_code == 403
    assert count(VerifierArea) == 1


# ---------------------------------------------------------------------------------------------- access log

def test_access_log_lists_views_for_admins_only(app_ctx, world, as_user):
    a = make_child(app_ctx, "Budi Santoso", DESA)
    log_access(db.session, user_id=world.verifier.id, action="view", now=NOW, child_id=a.id, ip="10.0.0.7")
    log_access(db.session, user_id=world.coordinator.id, action="export_csv", now=datetime(2026, 11, 28),
               detail="1 anak; filter semua")
    db.session.commit()
    client = as_user(ADMIN)
    html = client.get("/verval/log-akses").get_data(as_text=True)
    assert 'class="log-view"' in html and "Verifikator" in html and "verifikator" in html
    assert f"#{a.id}" in html and "6408••••••••••••" in html and "10.0.0.7" in html
    assert "27 November 2026 10.00 WITA" in html
    assert html.index("log-export_csv") < html.index("log-view")  # newest first
    assert "Budi" not in html and nik_for(BIRTH, "L", 1) not in html

    html = client.get("/verval/log-akses?action=view").get_data(as_text=True)
    assert "log-view" in html and "log-export_csv" not in html
    html = client.get(f"/verval/log-akses?user={world.coordinator.id}").get_data(as_text=True)
    assert "log-view" not in html and "log-export_csv" in html
    html = client.get(f"/verval/log-akses?child={a.id}").get_data(as_text=True)
    assert "log-view" in html and "log-export_csv" not in html
    for junk in ("?child=abc", "?user=-1", f"?child={2**70}", "?action=drop", "?page=99999", "?page=x"):
        assert client.get("/verval/log-akses" + junk).status_code == 200

    for email in (COORD, LEADER, FOCAL, VERIFIER):
        assert as_user(email).get("/verval/log-akses").status_code == 403


# ---------------------------------------------------------------------------------------------- who gets what

ENDPOINTS = ["/verval/", "/verval/rekonsiliasi", "/verval/impor", "/verval/impor/konfirmasi", "/verval/verifikator",
             "/verval/verifikator/{va}/hapus", "/verval/ekspor?format=csv", "/verval/log-akses",
             "/verval/anak/{child}/hapus", "/verval/pengaturan", "/verval/retensi"]


def _status(client, method: str, url: str) -> int:
    return (client.get(url) if method == "GET" else client.post(url, data={})).status_code


def test_role_matrix(app_ctx, world, as_user, client):
    child = make_child(app_ctx, "Budi", DESA)
    db.session.commit()
    va = db.session.scalar(select(VerifierArea.id))
    urls = [u.format(va=va, child=child.id) for u in ENDPOINTS]
    seen: dict[tuple[str, str, str], int] = {}
    for who in ("anon", COORD, ADMIN, LEADER, FOCAL, OTHER_FOCAL, VERIFIER):
        c = client if who == "anon" else as_user(who)
        if who == "anon":
            c.post("/logout")
        for url in urls:
            for method in ("GET", "POST"):
                status = _status(c, method, url)
                assert status != 500, (who, method, url)
                seen[(who, method, url.split("?")[0])] = status
    # Signed-out visitors are sent to the login page; everyone else not allowed gets 403.
    assert {s for (who, _m, _u), s in seen.items() if who == "anon"} <= {302, 405}
    for who in (FOCAL, OTHER_FOCAL):
        assert all(s in (403, 405) for (w, _m, _u), s in seen.items() if w == who)
    assert seen[(LEADER, "GET", "/verval/")] == 200 and seen[(LEADER, "GET", "/verval/rekonsiliasi")] == 200
    assert seen[(COORD, "GET", "/verval/")] == 200 and seen[(COORD, "GET", "/verval/ekspor")] == 200
    assert seen[(COORD, "GET", "/verval/log-akses")] == 403 and seen[(ADMIN, "GET", "/verval/log-akses")] == 200
    assert seen[(COORD, "POST", "/verval/impor")] == 200  # the form again, with "Wajib diisi."
    assert seen[(COORD, "POST", "/verval/impor/konfirmasi")] == 400  # no token
    assert seen[(COORD, "POST", "/verval/pengaturan")] == 200
    assert seen[(COORD, "GET", "/verval/impor/konfirmasi")] == 405
    # A village verifier sees none of these (the children's pages are theirs).
    assert all(s in (302, 403, 405) for (w, _m, _u), s in seen.items() if w == VERIFIER)


def test_pages_render_in_english(app_ctx, world, as_user):
    kids = seed_figures(app_ctx, world)
    log_access(db.session, user_id=world.verifier.id, action="view", now=NOW, child_id=kids["a"].id)
    world.admin.locale = "en"
    db.session.commit()
    client = as_user(ADMIN)
    for url in ("/verval/", "/verval/?kecamatan=64.08.04", "/verval/rekonsiliasi",
                "/verval/rekonsiliasi?kecamatan=64.08.04", "/verval/impor", "/verval/verifikator",
                "/verval/log-akses", "/verval/pengaturan"):
        assert client.get(url).status_code == 200, url
    html = upload(client, list_xlsx(valid_rows(2) + [row("123")])).get_data(as_text=True)
    assert 'data-count="errors">1<' in html
