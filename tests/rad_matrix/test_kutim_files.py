"""A RAD matrix as Kutim's agencies write it (tests/data/rad_kutim_dinas.xlsx), on a database that `flask setup`
made: the period and the baseline/target in the title rows, agencies by their official names and two in a cell,
several funding sources per action with their amounts; then names the app does not know, mapped in the web preview
and with --map on the command line."""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import LIST_FUNDING_SOURCE, Action, Plan, ReferenceItem
from coordinator.rad_matrix import importing as rad_import
from coordinator.rad_matrix.collect import export_plan
from coordinator.rad_matrix.parse import parse_matrix
from tests.conftest import login
from tests.paths import DATA

NOW = datetime(2026, 12, 1, 2, 0)
SAMPLE = DATA / "rad_kutim_dinas.xlsx"
ADMIN, PASSWORD = "admin@kutimkab.go.id", "kopi-hutan-sungai-2026"


@pytest.fixture()
def set_up(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["setup", "--admin-email", ADMIN],
                                              env={"ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    return app_ctx


def sample(**cells: str) -> bytes:
    """The sample with some cells changed, e.g. sample(J8="Dana Aspirasi DPRD")."""
    wb = load_workbook(SAMPLE)
    for ref, value in cells.items():
        wb.active[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def shares(code: str) -> list[tuple[str, int | None]]:
    action = db.session.scalar(select(Action).where(Action.code == code))
    return [(f.source, f.amount) for f in action.fundings]


def agencies(code: str) -> tuple[str, list[str]]:
    action = db.session.scalar(select(Action).where(Action.code == code))
    return action.lead_agency.code, sorted(a.code for a in action.supporting_agencies)


def test_the_kutim_matrix_imports_on_a_set_up_database_and_exports_back_the_same(set_up):
    parsed = parse_matrix(SAMPLE.read_bytes(), SAMPLE.name)
    p = rad_import.preview(db.session, parsed, {}, NOW)
    assert p.errors == [] and p.unknown_agencies == [] and p.unknown_funding == [] and p.can_save
    assert p.plan_values | {"name": None} == {"name": None, "legal_basis": None, "start_year": 2026, "end_year": 2028,
                                              "baseline_ats": 13411, "baseline_year": 2025, "target_ats": 6700,
                                              "description": None}
    assert {k: v for k, v in p.plan_read_from.items() if k != "name"} == {
        "start_year": "title", "end_year": "title", "baseline_ats": "title", "baseline_year": "title",
        "target_ats": "title"}
    assert rad_import.save(db.session, parsed, {}, NOW).saved
    db.session.commit()

    # one agency per official name, two where "dan" joins two known agencies
    assert agencies("1.1.1") == ("DISDIKBUD", ["KADES", "TPPKK"])
    assert agencies("1.1.2") == ("DISDUKCAPIL", ["CAMAT"])
    assert agencies("2.1.1") == ("DINSOS", ["DPPPA", "SATDIK"])
    assert agencies("2.1.2") == ("DISDIKBUD", ["PERUSAHAAN", "PKBM"])
    # the sources with their amounts, from the amount columns and from the cell; the budget is their total
    assert shares("1.1.1") == [("APBD", 600_000_000), ("APBDES", 150_000_000)]
    assert shares("1.1.2") == [("APBN", None), ("APBD", None)]
    assert shares("2.1.1") == [("APBD", 600_000_000), ("CSR", 300_000_000)]
    assert shares("2.1.2") == [("APBD", 250_000_000), ("CSR", 100_000_000)]
    budgets = {code: budget for code, budget in db.session.execute(select(Action.code, Action.budget_amount))}
    assert budgets == {"1.1.1": 750_000_000, "1.1.2": None, "2.1.1": 900_000_000, "2.1.2": 350_000_000}
    plan = db.session.scalar(select(Plan))
    assert (plan.start_year, plan.end_year, plan.baseline_ats, plan.baseline_year, plan.target_ats) == (
        2026, 2028, 13411, 2025, 6700)

    again = parse_matrix(export_plan(db.session, NOW), "rad.xlsx")
    p = rad_import.preview(db.session, again, {}, NOW)
    assert p.errors == [] and p.changes == 0 and p.changed_actions == []
    assert rad_import.preview(db.session, parsed, {}, NOW).changes == 0  # the first file again, too


def test_amounts_that_do_not_add_up_or_cannot_be_read_are_row_errors_and_nothing_is_saved(set_up):
    data = sample(N12=800_000_000, J13="APBD: enam ratus juta; CSR")
    p = rad_import.preview(db.session, parse_matrix(data, "rad.xlsx"), {}, NOW)
    found = {(e.row, e.column): e for e in p.errors}
    assert set(found) == {(12, "Sumber Dana"), (13, "Sumber Dana")}
    assert found[(12, "Sumber Dana")].params == {"total": "900.000.000", "budget": "800.000.000"}
    assert found[(13, "Sumber Dana")].params == {"amount": "enam ratus juta", "name": "APBD"}
    assert not rad_import.save(db.session, parse_matrix(data, "rad.xlsx"), {}, NOW).saved
    assert db.session.scalar(select(Action.id)) is None


def test_an_unknown_funding_source_is_mapped_in_the_web_preview_and_remembered(set_up):
    client = set_up.test_client()
    assert login(client, ADMIN, PASSWORD).status_code == 302
    data = sample(J9="Dana Aspirasi DPRD")
    resp = client.post("/plan/import", data={"file": (io.BytesIO(data), "rad.xlsx")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Sumber dana yang belum dikenal" in html and "Dana Aspirasi DPRD" in html
    assert 'name="funding-danaaspirasidprd"' in html and "--create-agencies" not in html
    assert re.search(r'name="plan_start_year"[^>]*value="2026"', html) and "dari judul matriks" in html
    assert re.search(r'name="plan_target_ats"[^>]*value="6.700"', html)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    form = {"token": token, "plan_start_year": "2026", "plan_end_year": "2028", "plan_baseline_ats": "13411",
            "plan_baseline_year": "2025", "plan_target_ats": "6.500"}

    # not mapped: nothing saved, the preview asks again
    resp = client.post("/plan/import/confirm", data=form)
    assert resp.status_code == 200 and "Pilih instansi atau sumber dana" in resp.get_data(as_text=True)
    # a period that ends before it starts: refused, the upload kept
    resp = client.post("/plan/import/confirm", data={**form, "plan_end_year": "2025", "funding-danaaspirasidprd":
                                                     "HIBAH"})
    assert resp.status_code == 200 and "Tahun akhir tidak boleh sebelum tahun awal" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Action.id)) is None

    resp = client.post("/plan/import/confirm", data={**form, "funding-danaaspirasidprd": "HIBAH"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert shares("1.1.2") == [("HIBAH", None)]
    assert db.session.scalar(select(Plan.target_ats)) == 6500  # as corrected in the preview, not 6.700
    hibah = db.session.scalar(select(ReferenceItem).where(ReferenceItem.list_name == LIST_FUNDING_SOURCE,
                                                          ReferenceItem.code == "HIBAH"))
    assert hibah.aliases.endswith(", Dana Aspirasi DPRD")  # the next matrix needs no mapping
    p = rad_import.preview(db.session, parse_matrix(data, "rad.xlsx"), {}, NOW)
    assert p.unknown_funding == [] and p.errors == []


def test_a_new_funding_source_can_be_added_to_the_list_from_the_preview(set_up):
    parsed = parse_matrix(sample(J9="APBD, Dana Hibah Pusat"), "rad.xlsx")
    p = rad_import.preview(db.session, parsed, {}, NOW)
    assert [(u.name, u.rows) for u in p.unknown_funding] == [("Dana Hibah Pusat", [9])] and not p.can_save
    result = rad_import.save(db.session, parsed, {}, NOW, funding_map={"Dana Hibah Pusat": "new"})
    assert result.saved and result.preview.funding_to_create == ["Dana Hibah Pusat"]
    db.session.commit()
    created = db.session.scalar(select(ReferenceItem).where(ReferenceItem.label_id == "Dana Hibah Pusat"))
    assert created.list_name == LIST_FUNDING_SOURCE and created.active
    assert shares("1.1.2") == [("APBD", None), (created.code, None)]


def test_the_command_line_names_the_remedy_for_each_kind_of_unknown_name(set_up, tmp_path):
    path = tmp_path / "rad.xlsx"
    path.write_bytes(sample(J9="Dana Aspirasi DPRD", H12="Dinas Perikanan"))
    runner = set_up.test_cli_runner()
    result = runner.invoke(args=["rad", "import", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "SUMBER DANA TIDAK DIKENAL: Dana Aspirasi DPRD (baris 9)" in out
    assert "INSTANSI TIDAK DIKENAL: Dinas Perikanan (baris 12)" in out
    funding_line = next(line for line in out.splitlines() if line.startswith("Sumber dana: petakan"))
    assert "--create-agencies" not in funding_line and "=new" in funding_line
    assert "rencana: tahun awal 2026 (judul); tahun akhir 2028 (judul)" in out

    # --create-agencies creates the agency, never a funding source
    result = runner.invoke(args=["rad", "import", str(path), "--create-agencies"])
    assert result.exit_code == 1 and "SUMBER DANA TIDAK DIKENAL" in result.output
    assert "INSTANSI TIDAK DIKENAL" not in result.output
    result = runner.invoke(args=["rad", "import", str(path), "--map", "Dana Aspirasi DPRD=NOPE"])
    assert result.exit_code == 2 and "neither an agency code nor a funding source" in result.output

    result = runner.invoke(args=["rad", "import", str(path), "--create-agencies", "--map",
                                 "Dana Aspirasi DPRD=Hibah"])
    assert result.exit_code == 0, result.output
    assert "instansi baru: Dinas Perikanan" in result.output
    db.session.expire_all()
    assert shares("1.1.2") == [("HIBAH", None)] and agencies("2.1.1")[0] == "DINASPERIKANAN"


def test_odd_amounts_and_headers_are_row_errors_or_warnings_never_a_crash(set_up):
    huge = "9" * 400
    data = sample(K8="99999999999999999999", J12=f"APBD: {huge}; CSR: 300.000.000")
    p = rad_import.preview(db.session, parse_matrix(data, "rad.xlsx"), {}, NOW)
    assert {(e.row, e.column) for e in p.errors} == {(8, "Anggaran (Rp) APBD"), (12, "Sumber Dana")}
    # a column of amounts of a source nobody knows: left out, with a warning, not offered as a new source
    p = rad_import.preview(db.session, parse_matrix(sample(M5="Dana Aspirasi"), "rad.xlsx"), {}, NOW)
    assert p.errors == [] and p.unknown_funding == [] and p.can_save
    assert [w.params for w in p.warnings] == [{"name": "Dana Aspirasi"}]
    # a budget heading that is no source at all ("Pagu Indikatif (Rp)" in a one-row header): not a source column
    wb = load_workbook(DATA / "rad_clean.xlsx")
    wb.active["P1"] = "Pagu Indikatif (Rp)"
    out = io.BytesIO()
    wb.save(out)
    p = rad_import.preview(db.session, parse_matrix(out.getvalue(), "rad.xlsx"), {}, NOW)
    assert p.unknown_funding == [] and not [w for w in p.warnings if "Indikatif" in str(w.params)]


def test_marks_under_a_sumber_dana_group_name_the_sources_used(set_up):
    parsed = parse_matrix(sample(K4="Sumber Dana", M9="√"), "rad.xlsx")
    assert parsed.errors == []
    assert rad_import.save(db.session, parsed, {}, NOW).saved
    assert shares("1.1.2") == [("APBN", None), ("APBD", None), ("APBDES", None)]


def test_title_rows_start_a_new_plan_but_never_change_one(set_up):
    assert rad_import.save(db.session, parse_matrix(SAMPLE.read_bytes(), "rad.xlsx"), {}, NOW).saved
    db.session.commit()
    data = sample(A2="KABUPATEN KUTAI TIMUR TAHUN 2025 s.d. 2027", A3="Baseline ATS (2024): 14.000 anak")
    p = rad_import.preview(db.session, parse_matrix(data, "rad.xlsx"), {}, NOW)
    assert p.counts["plan"].changed == 0 and p.changes == 0
    assert [w.params["said"] for w in p.warnings] == [2025, 2027, 14000, 2024]
    plan = db.session.scalar(select(Plan))
    assert (plan.start_year, plan.end_year, plan.baseline_ats) == (2026, 2028, 13411)


def test_the_same_sources_in_another_order_change_nothing(set_up):
    assert rad_import.save(db.session, parse_matrix(SAMPLE.read_bytes(), "rad.xlsx"), {}, NOW).saved
    db.session.commit()
    p = rad_import.preview(db.session, parse_matrix(sample(J9="APBD/APBN"), "rad.xlsx"), {}, NOW)
    assert p.errors == [] and p.changes == 0
