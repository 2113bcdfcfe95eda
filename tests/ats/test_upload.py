"""One upload, several tables: a 141-desa snapshot (the kecamatan table and 18 desa tables) as a ZIP, as an XLSX
with a sheet per table, or as several files chosen together, previewed once and saved as one snapshot, all or
nothing; and the residu of each desa table staying in its kecamatan."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordinator.ats import importing as ats_import
from coordinator.ats.figures import live_snapshots, totals_of
from coordinator.ats.upload import MAX_TABLES, bundle, tables_of
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import AtsFigure, AtsSnapshot
from tests.ats.test_import import MARCH, NOW, _upload_dir, do_save, read, token_of
from tests.conftest import login

ZIP = "ats_snapshot_141_desa.zip"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def members(name: str = ZIP) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(read(name))) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def test_a_zip_of_19_tables_is_one_snapshot_that_adds_up_as_pusdatins(kutim):
    p = ats_import.preview(db.session, read(ZIP), ZIP, MARCH, "Pusdatin", {}, NOW)
    assert p.can_save and not p.warnings, [(e.table, e.message) for e in p.errors + p.warnings]
    assert len(p.tables) == 19 and [t.level for t in p.tables].count("kecamatan") == 1
    assert p.total["total"] == 13411
    result = do_save(ZIP)
    assert count(AtsSnapshot) == 1  # one snapshot, not nineteen that replace each other
    t = totals_of(db.session, result.snapshot)
    assert len(t.desa) == 141 and t.from_desa == set(t.kecamatan) and t.mismatches() == []
    # Every kecamatan equals its row in the kecamatan table: its desa plus the children whose desa is unknown.
    assert all(t.kecamatan[k] == t.kecamatan_rows[k] for k in t.kecamatan)
    assert t.kecamatan["64.08.04"]["total"] == 1415 and t.without_desa["64.08.04"]["total"] == 8
    assert t.residu["total"] == 71 and t.total["total"] == 13411  # the regency residu as the kecamatan table says
    assert result.snapshot.stored_file.endswith(".zip") and result.snapshot.file_name == ZIP
    stored = (Path(_upload_dir()) / "ats" / result.snapshot.stored_file).read_bytes()
    assert stored == read(ZIP)
    again = do_save(ZIP)
    assert not again.created and count(AtsSnapshot) == 1  # the same upload again adds nothing


def test_an_xlsx_with_a_sheet_per_table(kutim):
    name = "ats_snapshot_sheets.xlsx"
    p = ats_import.preview(db.session, read(name), name, MARCH, "Pusdatin", {}, NOW)
    assert p.can_save, [(e.table, e.message, e.params) for e in p.errors]
    assert [(t.table.label, t.level, t.scope) for t in p.tables] == [
        (f"{name} › Kecamatan", "kecamatan", None), (f"{name} › Sangatta Utara", "desa", "64.08.04"),
        (f"{name} › Bengalon", "desa", "64.08.09")]
    assert [(w.message, w.params) for w in p.warnings] == [
        ("Lembar %(sheet)s dilewati: tidak berisi tabel ATS.", {"sheet": f"{name} › Catatan"})]
    t = totals_of(db.session, do_save(name).snapshot)
    assert t.from_desa == {"64.08.04", "64.08.09"} and t.total["total"] == 13411
    assert t.kecamatan["64.08.09"] == t.kecamatan_rows["64.08.09"]


def test_several_files_chosen_together_in_the_web_form(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    files = members()
    kec = files["00 Rangkuman kecamatan.xlsx"]
    su = files["64.08.04 Sangatta Utara.csv"]
    resp = client.post("/ats/import", data={
        "files": [(io.BytesIO(kec), "kecamatan.xlsx"), (io.BytesIO(su), "sangatta-utara.csv")],
        "as_of": "2025-03-31", "source": "Pusdatin", "note": ""}, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "2 tabel, disimpan bersama sebagai satu snapshot" in html
    assert "kecamatan.xlsx: tabel kecamatan se-kabupaten" in html and "tabel desa Kec. Sangatta Utara" in html
    resp = client.post("/ats/import/confirm", data={"token": token_of(html), "note": ""})
    assert resp.status_code == 302
    snap = db.session.scalar(select(AtsSnapshot))
    assert snap.file_name == "ats-2025-03-31.zip" and count(AtsSnapshot) == 1
    with zipfile.ZipFile(Path(_upload_dir()) / "ats" / snap.stored_file) as archive:
        assert archive.namelist() == ["kecamatan.xlsx", "sangatta-utara.csv"]  # both files are kept, as sent
    t = totals_of(db.session, snap)
    assert t.from_desa == {"64.08.04"} and t.kecamatan["64.08.04"]["total"] == 1415


def test_the_upload_form_shows_progress_and_takes_a_zip(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    html = client.get("/ats/import").get_data(as_text=True)
    assert 'data-upload-progress="upload-progress"' in html and 'id="upload-progress"' in html
    assert 'multiple' in html and 'accept=".xlsx,.csv,.zip"' in html
    assert '<script src="/static/js/upload-progress.js" defer></script>' in html
    assert client.get("/static/js/upload-progress.js").status_code == 200
    resp = client.post("/ats/import", data={"files": (io.BytesIO(read(ZIP)), ZIP), "as_of": "2025-03-31",
                                            "source": "Pusdatin"}, content_type="multipart/form-data")
    assert "19 tabel, disimpan bersama" in resp.get_data(as_text=True)


def test_cli_imports_several_files_as_one_snapshot(kutim, tmp_path):
    files = members()
    paths = []
    for name in ("00 Rangkuman kecamatan.xlsx", "64.08.04 Sangatta Utara.csv", "64.08.09 Bengalon.csv"):
        (tmp_path / name).write_bytes(files[name])
        paths.append(str(tmp_path / name))
    res = kutim.test_cli_runner().invoke(args=["ats", "import", *paths, "--as-of", "2025-03-31"])
    assert res.exit_code == 0, res.output
    assert "3 tabel" in res.output and "64.08.04 Sangatta Utara.csv: tabel desa (kecamatan 64.08.04)" in res.output
    assert count(AtsSnapshot) == 1
    assert totals_of(db.session, live_snapshots(db.session)[0]).from_desa == {"64.08.04", "64.08.09"}


def _refused(data: bytes, name: str = "snapshot.zip") -> list[tuple[str | None, str, dict]]:
    p = ats_import.preview(db.session, data, name, MARCH, "Pusdatin", {}, NOW)
    assert not p.can_save
    with pytest.raises(DomainError):
        ats_import.save(db.session, data, name, MARCH, "Pusdatin", None, NOW, _upload_dir())
    db.session.rollback()
    assert count(AtsSnapshot) == 0 and count(AtsFigure) == 0  # all or nothing
    return [(e.table, e.message, e.params) for e in p.errors]


def test_a_wrong_table_in_the_zip_saves_nothing_and_names_the_table(kutim):
    files = members()
    files["64.08.09 Bengalon.csv"] = files["64.08.09 Bengalon.csv"].replace(b"Desa Sepaso", b"Desa Antah Berantah")
    errors = _refused(zip_of(files))
    assert ("64.08.09 Bengalon.csv", "Baris %(row)s: wilayah \"%(name)s\" tidak dikenal.",
            {"row": 6, "name": "Desa Antah Berantah"}) in errors


def test_two_kecamatan_tables_or_a_desa_table_twice_are_refused(kutim):
    files = members()
    two = zip_of({**files, "lagi.xlsx": files["00 Rangkuman kecamatan.xlsx"]})
    assert [m for _t, m, _p in _refused(two)] == [
        "Unggahan ini berisi %(n)s tabel kecamatan (%(tables)s); satu snapshot hanya memuat satu tabel kecamatan."]
    twice = zip_of({**files, "su-lagi.csv": files["64.08.04 Sangatta Utara.csv"]})
    errors = _refused(twice)
    assert [(m, p["tables"]) for _t, m, p in errors] == [
        ("Tabel desa Kec. %(kec)s ada lebih dari sekali: %(tables)s.", "64.08.04 Sangatta Utara.csv, su-lagi.csv")]


@pytest.mark.parametrize(("files", "message"), [
    ({"catatan.txt": b"bukan tabel"}, "%(name)s di dalam ZIP bukan berkas XLSX atau CSV."),
    ({}, "Berkas ZIP tidak berisi berkas XLSX atau CSV."),
    ({"dalam.zip": zip_of({"a.csv": b"x"})}, "%(name)s di dalam ZIP bukan berkas XLSX atau CSV."),
], ids=["not-a-table", "empty", "zip-in-zip"])
def test_what_a_zip_must_not_hold(kutim, files, message):
    assert message in [m for _t, m, _p in _refused(zip_of(files))]


def test_a_damaged_zip_and_a_zip_bomb(kutim):
    damaged = read(ZIP)[:-200]
    assert [m for _t, m, _p in _refused(damaged)] == ["Berkas ZIP rusak atau tidak dapat dibuka."]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("besar.csv", b"0" * (70 * 1024 * 1024))  # about 70 KB packed
    assert len(out.getvalue()) < 200_000
    assert [m for _t, m, _p in _refused(out.getvalue())] == [
        "Berkas ZIP terlalu besar setelah dibuka (lebih dari %(mb)s MB)."]


def test_at_most_so_many_tables(kutim):
    csv = members()["64.08.04 Sangatta Utara.csv"]
    tables, issues = tables_of(zip_of({f"t{i}.csv": csv for i in range(MAX_TABLES + 1)}), "banyak.zip")
    assert len(tables) == MAX_TABLES + 1 and [i.message for i in issues] == [
        "Satu unggahan paling banyak %(max)s tabel; berkas ini berisi %(n)s."]


def test_desa_tables_alone_join_the_snapshot_of_their_date(kutim):
    files = members()
    desa_only = zip_of({n: files[n] for n in ("64.08.04 Sangatta Utara.csv", "64.08.09 Bengalon.csv")})
    errors = _refused(desa_only, "desa.zip")
    assert errors[0][1].startswith("Belum ada snapshot per %(date)s.")
    assert errors[0][2]["name"] == "Sangatta Utara, Bengalon"
    do_save("ats_kecamatan_clean.xlsx")
    result = ats_import.save(db.session, desa_only, "desa.zip", MARCH, "Pusdatin", None, NOW, _upload_dir())
    db.session.commit()
    t = totals_of(db.session, result.snapshot)
    assert t.from_desa == {"64.08.04", "64.08.09"} and t.total["total"] == 13411 and t.residu["total"] == 71
    assert len(live_snapshots(db.session)) == 1


def test_bundle_keeps_every_file_under_a_name_of_its_own():
    data = bundle([("a.csv", b"1"), ("dir/a.csv", b"2"), ("A.CSV", b"3"), ("..\\b.xlsx", b"4")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["a.csv", "a (2).csv", "A (3).CSV", "b.xlsx"]
        assert [archive.read(n) for n in archive.namelist()] == [b"1", b"2", b"3", b"4"]
