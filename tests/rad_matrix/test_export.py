"""Exporting the plan as a RAD matrix: its content, the round trip through an empty database, a real
spreadsheet program reading it, the route and its permissions."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coordinator.admin.reference_data import load_reference_lists
from coordinator.extensions import db
from coordinator.models import (
    ActionFunding,
    Area,
    Indicator,
    IndicatorTarget,
    Milestone,
    Pillar,
    Program,
    ProgressUpdate,
)
from coordinator.rad_matrix import importing as rad_import
from coordinator.rad_matrix.collect import collect_matrix, export_plan
from coordinator.rad_matrix.layout import MAIN_SHEET
from tests.conftest import _empty_all_tables, statements_run

NOW = datetime(2026, 11, 27, 2, 0)  # 10:00 WITA, 27 November 2026
EXPORT_ONLY_HEADERS = {"Status", "Progres (%)", "Laporan terakhir"}


def enrich(world) -> None:
    """Everything the matrix can hold: several indicators per action, milestones in every state, desa and
    kecamatan locations, budgets, funding, sub-kegiatan codes, categories, targets by year and quarter."""
    plan = world.plan
    plan.legal_basis, plan.baseline_year, plan.description = "Perbup Kutim No. 12 Tahun 2025", 2025, "SITISEK"
    swarga = Area(kode="64.08.04.2012", nama="Swarga Bara", level="desa", jenis="desa", parent_kode="64.08.04")
    db.session.add(swarga)
    a2 = world.a2
    a2.budget_amount, a2.sub_kegiatan_code = 1_250_000_000, "1.01.02.2.01.0003"
    a2.fundings = [ActionFunding(source="APBD")]
    a2.ats_categories, a2.output, a2.description = "BPB,DO,LTM", "Data by name by address", "Bersama TP-PKK"
    a2.areas = [world.kec2, world.desa, swarga]
    world.a3.budget_amount, world.a3.areas = 75_000_000, [world.kec]
    world.a3.fundings = [ActionFunding(source="APBD", amount=50_000_000),
                         ActionFunding(source="CSR", amount=25_000_000)]
    db.session.add_all([
        Milestone(action=a2, title="Pelatihan kader", due_date=date(2027, 1, 15), state="belum_mulai"),
        Milestone(action=a2, title="Survei ulang", due_date=date(2026, 6, 1), state="dibatalkan"),
    ])
    pillar2 = Pillar(plan=plan, number=2, name="Pencegahan")
    program2 = Program(pillar=pillar2, code="2.1", name="Bantuan pendidikan")
    db.session.add_all([pillar2, program2])
    db.session.flush()
    a4 = world.action("2.1.1", "Beasiswa transportasi", world.disdik, date(2026, 3, 1), date(2026, 12, 15),
                      supporting=[world.dinsos, world.dpppa])
    a4.program, a4.ats_categories, a4.budget_amount = program2, "LTM", 480_000_000
    a4.fundings = [ActionFunding(source="APBDES")]
    ats = Indicator(plan=plan, code="I-1", name="Jumlah ATS", unit="anak", direction="turun",
                    baseline_value=13411, baseline_year=2025, data_source="Pusdatin", definition="Anak 7–18 tahun",
                    ats_metric="total", ats_area_kode="64.08.04")
    back = Indicator(plan=plan, code="I-2", name="Anak kembali bersekolah", unit="anak", direction="naik",
                     baseline_value=0)
    rate = Indicator(plan=plan, code="I-3", name="Persentase desa dengan data by name", unit="%", direction="naik",
                     baseline_value=12.5)
    ats.actions, back.actions = [world.a1, a2], [a2, a4]
    db.session.add_all([ats, back, rate])
    db.session.flush()
    for ind, year, quarter, value in [(ats, 2026, None, 10000), (ats, 2026, 1, 12800), (ats, 2026, 2, 12000),
                                      (ats, 2026, 3, 11000), (ats, 2026, 4, 10000), (ats, 2027, None, 8000),
                                      (back, 2026, None, 500), (back, 2026, 2, 200), (rate, 2027, None, 80.5)]:
        db.session.add(IndicatorTarget(indicator_id=ind.id, year=year, quarter=quarter, value=value))
    db.session.add(ProgressUpdate(action=world.a1, agency_id=world.dinsos.id, author_id=world.focal.id,
                                  period=date(2026, 10, 1), percent_complete=40, achievements="Rapat",
                                  created_at=datetime(2026, 10, 31, 17, 0)))  # 1 November 2026 in WITA
    db.session.commit()


def cells(data: bytes) -> dict[str, dict[tuple[int, int], object]]:
    """Every non-empty cell of every sheet, without the export-only columns and the "Keadaan per" line."""
    wb = load_workbook(io.BytesIO(data))
    out: dict[str, dict[tuple[int, int], object]] = {}
    for ws in wb.worksheets:
        skip: set[int] = set()
        for row in ws.iter_rows():
            for c in row:
                if c.value in EXPORT_ONLY_HEADERS and ws.title == MAIN_SHEET:
                    skip.add(c.column)
        out[ws.title] = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                         if c.value not in (None, "") and c.column not in skip
                         and not (isinstance(c.value, str) and c.value.startswith("Keadaan per"))}
    return out


def main_rows(data: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(data))[MAIN_SHEET]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_holds_the_plan_with_status_and_progress(world):
    enrich(world)
    data = export_plan(db.session, NOW)
    rows = main_rows(data)
    assert rows[0][0] == "RENCANA AKSI DAERAH PENANGANAN ANAK TIDAK SEKOLAH"
    assert rows[1][0] == "SITISEK Tahun 2025–2028" and rows[2][0] == "Keadaan per 27 November 2026"
    header = next(r for r in rows if "Kegiatan/Aksi" in r)
    col = {h: i for i, h in enumerate(header) if h}
    by_code = {r[col["No"]]: r for r in rows if r[col["No"]] in ("1.1.1", "1.1.2", "1.1.3", "2.1.1")}
    assert list(by_code) == ["1.1.1", "1.1.2", "1.1.3", "2.1.1"]  # code order
    a1, a2 = by_code["1.1.1"], by_code["1.1.2"]
    assert a1[col["Progres (%)"]] == 40 and a1[col["Laporan terakhir"]].date() == date(2026, 11, 1)
    assert a2[col["Anggaran (Rp)"]] == 1_250_000_000 and a2[col["Sumber dana"]] == "APBD Kabupaten"
    assert a2[col["Lokasi"]] == ("Kel. Teluk Lingga (Kec. Sangatta Utara); Desa Swarga Bara (Kec. Sangatta Utara); "
                                 "Kec. Bengalon")  # in code order
    assert a2[col["Penanggung jawab"]] == "Disdikbud" and a2[col["Instansi terkait"]] == "Dinsos"
    assert by_code["1.1.3"][col["Status"]]  # the computed status is written
    matrix, extras = collect_matrix(db.session, NOW)
    assert extras["1.1.1"].progress == 40 and extras["1.1.1"].last_report == date(2026, 11, 1)
    assert [i.name for i in matrix.actions[1].indicators] == ["Jumlah ATS", "Anak kembali bersekolah"]
    assert matrix.actions[1].indicators[0].quarter_targets == {1: 12800, 2: 12000, 3: 11000, 4: 10000}
    assert {d.code for d in matrix.indicator_defs} == {"I-1", "I-2", "I-3"}


def test_collecting_takes_a_fixed_number_of_statements(world):
    enrich(world)

    def statements() -> int:
        db.session.expire_all()
        return len(statements_run(lambda: collect_matrix(db.session, NOW)))

    few = statements()
    for i in range(10):
        a = world.action(f"1.1.{10 + i}", f"Aksi {i}", world.dinsos, date(2026, 1, 1), date(2026, 12, 1),
                         supporting=[world.dpppa])
        db.session.add(Milestone(action=a, title="Tahap", due_date=date(2026, 6, 1)))
    db.session.commit()
    assert statements() == few


def reload_areas_and_reference_lists(areas: list[dict]) -> None:
    """An empty database as `flask db upgrade` and the reference data leave it."""
    load_reference_lists(db.session)
    for level in ("kecamatan", "desa"):
        db.session.add_all(Area(**a) for a in areas if a["level"] == level)
        db.session.flush()
    db.session.commit()


def test_round_trip_through_an_empty_database_loses_nothing(world):
    from coordinator.rad_matrix.parse import parse_matrix

    enrich(world)
    first = export_plan(db.session, NOW)
    areas = [dict(kode=a.kode, nama=a.nama, level=a.level, jenis=a.jenis, parent_kode=a.parent_kode)
             for a in db.session.query(Area).all()]
    _empty_all_tables()
    reload_areas_and_reference_lists(areas)
    parsed = parse_matrix(first, "rad.xlsx")
    assert not parsed.errors, parsed.errors
    p = rad_import.preview(db.session, parsed, {}, NOW)
    assert {u.name for u in p.unmapped} == {"Dinsos", "Disdikbud", "DPPPA"}
    mapping = {u.key: "new" for u in p.unmapped}
    result = rad_import.save(db.session, parsed, mapping, NOW)
    assert result.saved, result.preview.errors
    db.session.commit()
    second = export_plan(db.session, NOW)
    one, two = cells(first), cells(second)
    assert one.keys() == two.keys() == {"Matriks RAD", "Indikator", "Rencana"}
    for sheet in one:
        diff = {k: (one[sheet].get(k), two[sheet].get(k)) for k in one[sheet].keys() | two[sheet].keys()
                if one[sheet].get(k) != two[sheet].get(k)}
        assert not diff, (sheet, diff)
    # and importing the export of the new database again changes nothing
    assert rad_import.preview(db.session, parse_matrix(second, "rad.xlsx"), {}, NOW).changes == 0


def _soffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (libreoffice/soffice) is not installed")
def test_libreoffice_reads_the_export(world, tmp_path):
    enrich(world)
    path = tmp_path / "rad.xlsx"
    path.write_bytes(export_plan(db.session, NOW))
    profile = Path(tmp_path / "lo-profile").as_uri()
    subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", str(tmp_path),
                    str(path)], check=True, capture_output=True, timeout=180)
    text = (tmp_path / "rad.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    flat = [c for r in rows for c in r]
    for code in ("1.1.1", "1.1.2", "1.1.3", "2.1.1"):
        assert code in flat
    assert "Verifikasi lapangan" in flat and "Beasiswa transportasi" in flat
    assert "Keadaan per 27 November 2026" in flat
    a2 = next(r for r in rows if "1.1.2" in r)
    # dates and money as the file shows them (formatted values, not serial numbers)
    assert any("31" in c and ("10" in c or "Okt" in c) and "2026" in c for c in a2), a2
    assert any(c.replace(".", "").replace(",", "") == "1250000000" for c in a2), a2


@pytest.mark.parametrize("email,status", [
    ("koordinator@example.org", 200), ("admin@example.org", 200), ("pimpinan@example.org", 200),
    ("dinsos@example.org", 403), ("dpppa@example.org", 403), ("verifikator@example.org", 403)])
def test_export_route_permissions_and_headers(client, world, as_user, email, status):
    assert client.get("/plan/export.xlsx").status_code == 302
    resp = as_user(email).get("/plan/export.xlsx")
    assert resp.status_code == status
    if status == 200:
        assert resp.headers["Content-Disposition"] == 'attachment; filename="rad-ats-kutim-2026-11-27.xlsx"'
        assert resp.headers["Cache-Control"] == "no-store"
        assert load_workbook(io.BytesIO(resp.data))[MAIN_SHEET]["A1"].value.startswith("RENCANA AKSI")


def test_overview_buttons_follow_permissions(client, world, as_user):
    page = as_user("koordinator@example.org").get("/plan").get_data(as_text=True)
    assert "/plan/import" in page and "/plan/export.xlsx" in page
    page = as_user("pimpinan@example.org").get("/plan").get_data(as_text=True)
    assert "/plan/import" not in page and "/plan/export.xlsx" in page
    page = as_user("dinsos@example.org").get("/plan").get_data(as_text=True)
    assert "/plan/import" not in page and "/plan/export.xlsx" not in page


def test_cli_export_writes_the_file_atomically(world, tmp_path):
    enrich(world)
    target = tmp_path / "rad.xlsx"
    target.write_bytes(b"old")
    res = world_app().test_cli_runner().invoke(args=["rad", "export", str(target)])
    assert res.exit_code == 0, res.output
    assert "4 aksi" in res.output
    assert load_workbook(target)[MAIN_SHEET]["A1"].value.startswith("RENCANA AKSI")
    assert [p.name for p in tmp_path.iterdir()] == ["rad.xlsx"]


def world_app():
    from flask import current_app

    return current_app._get_current_object()


def test_agency_names_the_reader_would_split_and_list_prefixed_titles_read_back_the_same(world):
    """Short names "Dinsos, P3A" / "Kesbang dan Pol" are written as is and read back as the one agency each
    (the import splits a cell knowing the agencies); a title "a. Pendataan" keeps its "a. "."""
    from coordinator.rad_matrix.parse import parse_matrix

    world.dinsos.short_name, world.dpppa.short_name = "Dinsos, P3A", "Kesbang dan Pol"
    world.a1.title, world.a2.title = "a. Pendampingan keluarga", "1) Verifikasi lapangan"
    db.session.commit()
    parsed = parse_matrix(export_plan(db.session, NOW), "rad.xlsx")
    assert not parsed.errors, parsed.errors
    by_code = {a.code: a for a in parsed.actions}
    assert by_code["1.1.1"].title == "a. Pendampingan keluarga"
    assert by_code["1.1.2"].supporting_text == "Dinsos, P3A" and by_code["1.1.3"].lead_text == "Kesbang dan Pol"
    p = rad_import.preview(db.session, parsed, {}, NOW)
    assert not p.unknown_agencies and not p.errors and p.changes == 0
