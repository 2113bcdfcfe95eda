"""Importing the RAD matrix: resolving names, agency mapping, re-import, changes and audit, all or nothing,
the CLI and the upload → preview → confirm pages."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Action, Agency, AuditEntry, Indicator, IndicatorTarget, Milestone, Pillar
from coordinator.rad_matrix import importing as rad_import
from coordinator.rad_matrix.import_run import KINDS
from coordinator.rad_matrix.layout import (
    MatrixAction,
    MatrixIndicator,
    MatrixIndicatorDef,
    MatrixMilestone,
    MatrixPlan,
    ParsedMatrix,
)
from coordinator.rad_matrix.resolve import agency_key
from coordinator.setup.region import load_region, packaged_region

NOW = datetime(2026, 11, 27, 2, 0)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def row(code="1.1.1", title="Pendampingan keluarga", lead="Dinsos", row=7, **kw) -> MatrixAction:
    base = dict(row=row, pillar_number=1, pillar_name="Validasi data", program_code="1.1", program_name="Verifikasi",
                code=code, title=title, lead_agency=lead, start_date=date(2026, 1, 1), due_date=date(2026, 12, 31),
                categories=["DO"])
    base.update(kw)
    return MatrixAction(**base)


def world_matrix(world) -> ParsedMatrix:
    """The World fixture's plan as a parsed matrix (what its export reads back as)."""
    return ParsedMatrix(title="RAD", actions=[
        row("1.1.1", "Pendampingan keluarga", "Dinsos", 7, milestones=[
            MatrixMilestone("Rapat persiapan", date(2026, 3, 1), "selesai", date(2026, 2, 25)),
            MatrixMilestone("Pelaksanaan", date(2026, 12, 1), "berjalan")]),
        row("1.1.2", "Verifikasi lapangan", "Disdikbud", 8, due_date=date(2026, 10, 31),
            supporting_agencies=["Dinsos"]),
        row("1.1.3", "Sosialisasi perkawinan anak", "DPPPA", 9, start_date=date(2026, 2, 1),
            due_date=date(2027, 3, 31), milestones=[MatrixMilestone("Sosialisasi tahap I", date(2026, 11, 20),
                                                                    "berjalan")]),
    ])


def test_reimporting_the_same_plan_changes_nothing(world):
    p = rad_import.preview(db.session, world_matrix(world), {}, NOW)
    assert p.can_save and not p.errors and not p.unknown_agencies
    assert {k: (c.new, c.changed) for k, c in p.counts.items()} == {k: (0, 0) for k in KINDS}
    assert p.counts["actions"].unchanged == 3 and p.counts["milestones"].unchanged == 3
    result = rad_import.save(db.session, world_matrix(world), {}, NOW)
    db.session.commit()
    assert result.saved and count(Action) == 3 and count(Milestone) == 3


def test_changes_are_detected_saved_and_audited_with_before_and_after(world):
    m = world_matrix(world)
    m.actions[1].title = "Verifikasi lapangan bersama PKK"
    m.actions[1].budget = 250_000_000
    m.actions[1].funding_source = "apbd"
    m.actions[1].locations = ["Kec. Bengalon", "Kel. Teluk Lingga (Kec. Sangatta Utara)"]
    m.actions.append(row("1.2.1", "Kelas jauh", "Disdikbud", 10, program_code="1.2", program_name="Kelas jauh"))
    p = rad_import.preview(db.session, m, {}, NOW)
    assert p.can_save, p.errors
    assert (p.counts["actions"].new, p.counts["actions"].changed, p.counts["actions"].unchanged) == (1, 1, 2)
    assert p.counts["programs"].new == 1 and p.new_actions == ["1.2.1"]
    [changed] = p.changed_actions
    assert changed.code == "1.1.2" and set(changed.fields) == {"action", "budget", "funding", "location"}
    assert count(Action) == 3  # the preview saved nothing
    result = rad_import.save(db.session, m, {}, NOW, actor_id=world.coordinator.id)
    db.session.commit()
    assert result.saved
    a2 = db.session.get(Action, world.a2.id)
    assert a2.title == "Verifikasi lapangan bersama PKK" and [f.source for f in a2.fundings] == ["APBD"]
    assert sorted(a.kode for a in a2.areas) == ["64.08.04.1001", "64.08.05"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "action",
                                                       AuditEntry.entity_id == str(a2.id),
                                                       AuditEntry.operation == "update"))
    assert entry.user_id == world.coordinator.id
    assert entry.before["title"] == "Verifikasi lapangan" and entry.after["title"] == "Verifikasi lapangan bersama PKK"
    assert entry.before["budget_amount"] is None and entry.after["budget_amount"] == 250_000_000
    again = rad_import.preview(db.session, m, {}, NOW)
    assert sum(c.new + c.changed for c in again.counts.values()) == 0


def test_agencies_match_by_code_short_name_full_name_and_alias(world):
    world.dpppa.aliases = "Dinas Pemberdayaan Perempuan dan Perlindungan Anak, DP3A"
    db.session.commit()
    m = world_matrix(world)
    m.actions[0].lead_agency = "DINAS  SOSIAL"
    m.actions[1].lead_agency = "Dinas Pendidikan dan Kebudayaan"
    m.actions[1].supporting_agencies = ["dinsos."]
    m.actions[2].lead_agency = "dp3a"
    p = rad_import.preview(db.session, m, {}, NOW)
    assert p.can_save and p.counts["actions"].unchanged == 3


def test_unknown_agencies_are_listed_with_rows_then_mapped_or_created(world):
    m = world_matrix(world)
    m.actions[0].supporting_agencies = ["Dinas Sosial P3A", "Bappeda"]
    m.actions[2].supporting_agencies = ["Bappeda"]
    p = rad_import.preview(db.session, m, {}, NOW)
    assert not p.can_save
    unknown = {u.name: u.rows for u in p.unmapped}
    assert unknown == {"Dinas Sosial P3A": [7], "Bappeda": [7, 9]}
    mapping = {agency_key("Dinas Sosial P3A"): str(world.dinsos.id), "bappeda": "new"}
    p = rad_import.preview(db.session, m, mapping, NOW)
    assert p.can_save and p.agencies_to_create == ["Bappeda"]
    assert count(Agency) == 3
    assert rad_import.save(db.session, m, mapping, NOW).saved
    db.session.commit()
    bappeda = db.session.scalar(select(Agency).where(Agency.code == "BAPPEDA"))
    assert bappeda.short_name == "Bappeda" and bappeda.kind == "opd"
    assert "Dinas Sosial P3A" in db.session.get(Agency, world.dinsos.id).aliases
    # the alias is remembered: the next import needs no mapping
    p = rad_import.preview(db.session, m, {}, NOW)
    assert p.can_save and not p.unknown_agencies and p.changes == 0


def test_locations_resolve_kecamatan_desa_and_qualified_names(app_ctx):
    from coordinator.ats.match import AreaMatcher
    from coordinator.rad_matrix.resolve import resolve_location

    load_region(db.session, packaged_region())
    m = AreaMatcher.load(db.session)
    assert resolve_location(m, "Kec. Sangatta Utara").kode == "64.08.04"
    assert resolve_location(m, "Kecamatan  sangatta-utara").kode == "64.08.04"
    assert resolve_location(m, "Sangatta Utara").kode == "64.08.04"  # bare: the kecamatan first
    assert resolve_location(m, "Desa Sangatta Utara").kode == "64.08.04.2001"
    assert resolve_location(m, "Desa Sangatta Utara (Kec. Sangatta Utara)").kode == "64.08.04.2001"
    assert resolve_location(m, "Kel. Teluk Lingga").kode == "64.08.04.1010"
    assert resolve_location(m, "Swarga Bara").kode == "64.08.04.2012"
    assert resolve_location(m, "Kabupaten Kutai Timur").kode is None
    assert resolve_location(m, "Kabupaten Kutai Timur").error is None
    assert resolve_location(m, "Antah Berantah").error
    assert resolve_location(m, "Swarga Bara (Kec. Bengalon)").error
    assert resolve_location(m, "Swarga Bara (Kec. Tidak Ada)").error


def test_row_errors_carry_row_numbers_and_nothing_is_saved(world):
    m = world_matrix(world)
    m.actions[0].title = "Diubah"
    m.actions[1].locations = ["Antah Berantah"]
    m.actions[1].funding_source = "Dana Aspirasi"
    m.actions[2].due_date = date(2025, 1, 1)  # before its start
    m.actions.append(row("1.1.4", "Baru", "Dinsos", 11, categories=["XYZ"]))
    audit_before = count(AuditEntry)
    p = rad_import.preview(db.session, m, {}, NOW)
    assert not p.can_save
    found = {(e.row, e.column) for e in p.errors}
    assert found == {(8, "Lokasi"), (9, "Tenggat"), (11, "Sasaran ATS")}
    [funding] = p.unknown_funding  # offered for mapping, as an unknown agency is
    assert (funding.name, funding.rows, funding.mapped_to) == ("Dana Aspirasi", [8], None)
    result = rad_import.save(db.session, m, {}, NOW)
    db.session.commit()
    assert not result.saved
    assert db.session.get(Action, world.a1.id).title == "Pendampingan keluarga"
    assert count(Action) == 3 and count(AuditEntry) == audit_before


def test_parser_errors_block_saving(world):
    from coordinator.rad_matrix.layout import Issue

    m = world_matrix(world)
    m.errors.append(Issue(12, "Tanggal tidak sah.", column="Tenggat"))
    assert not rad_import.save(db.session, m, {}, NOW).saved
    assert rad_import.preview(db.session, m, {}, NOW).errors[0].row == 12


def test_new_plan_pillars_indicators_and_targets_in_an_empty_database(app_ctx):
    from coordinator.admin.reference_data import load_reference_lists

    load_reference_lists(db.session)
    load_region(db.session, packaged_region())
    m = ParsedMatrix(title="RAD ATS Kutim", actions=[
        row("2.1.1", "Beasiswa transport", "Disdikbud", 7, pillar_number=2, pillar_name="Pencegahan",
            program_code="2.1", program_name="Bantuan", start_date=date(2026, 2, 1), due_date=date(2027, 6, 30),
            indicators=[MatrixIndicator(7, "Jumlah ATS", "anak", 13411, 10000, 2026, {1: 12500, 4: 10000}),
                        MatrixIndicator(8, "Anak kembali sekolah", "anak", 0, 500, 2026)]),
    ], indicator_defs=[MatrixIndicatorDef(3, "I-1", "Jumlah ATS", unit="anak", baseline=13411,
                                          targets={(2027, None): 8000.0})])
    p = rad_import.preview(db.session, m, {"disdikbud": "new"}, NOW)
    assert p.can_save, p.errors
    assert p.counts["plan"].new == 1 and p.counts["indicators"].new == 2
    assert rad_import.save(db.session, m, {"disdikbud": "new"}, NOW).saved
    db.session.commit()
    plan_row = db.session.scalar(select(Pillar)).plan
    assert (plan_row.name, plan_row.start_year, plan_row.end_year) == ("RAD ATS Kutim", 2026, 2027)
    ats = db.session.scalar(select(Indicator).where(Indicator.code == "I-1"))
    back = db.session.scalar(select(Indicator).where(Indicator.name == "Anak kembali sekolah"))
    assert ats.direction == "turun" and back.direction == "naik" and back.code == "IND-01"
    assert {(t.year, t.quarter, t.value) for t in ats.targets} == {
        (2027, None, 8000), (2026, None, 10000), (2026, 1, 12500), (2026, 4, 10000)}
    assert [a.code for a in ats.actions] == ["2.1.1"]
    assert count(IndicatorTarget) == 5
    assert rad_import.preview(db.session, m, {}, NOW).changes == 0


def test_actions_not_in_the_file_are_kept_and_counted(world):
    m = world_matrix(world)
    del m.actions[2]
    p = rad_import.preview(db.session, m, {}, NOW)
    assert p.not_in_file == 1
    assert rad_import.save(db.session, m, {}, NOW).saved
    db.session.commit()
    assert count(Action) == 3


def test_rencana_sheet_updates_the_plan(world):
    m = world_matrix(world)
    m.plan = MatrixPlan(name="SITISEK 2025–2028", legal_basis="Perbup 12/2025", start_year=2025, end_year=2028)
    p = rad_import.preview(db.session, m, {}, NOW)
    assert p.counts["plan"].changed == 1
    rad_import.save(db.session, m, {}, NOW)
    db.session.commit()
    assert world.plan.name == "SITISEK 2025–2028" and world.plan.baseline_ats == 13411


# ----------------------------------------------------------------------------- files, CLI and pages

def xlsx(matrix: ParsedMatrix) -> bytes:
    from coordinator.rad_matrix.export import write_matrix

    matrix.plan = matrix.plan or MatrixPlan(name="SITISEK", start_year=2025, end_year=2028, baseline_ats=13411,
                                            target_ats=6706)
    return write_matrix(matrix, {}, ["RENCANA AKSI DAERAH PENANGANAN ANAK TIDAK SEKOLAH"], 2026)


def changed_matrix(world) -> ParsedMatrix:
    m = world_matrix(world)
    m.actions[1].title = "Verifikasi lapangan bersama PKK"
    m.actions[0].supporting_agencies = ["Bappeda"]
    return m


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_import_dry_run_mapping_and_save(world, tmp_path):
    from flask import current_app

    app = current_app._get_current_object()
    path = tmp_path / "rad.xlsx"
    path.write_bytes(xlsx(changed_matrix(world)))
    res = invoke(app, "rad", "import", str(path))
    assert res.exit_code == 1 and "INSTANSI TIDAK DIKENAL: Bappeda (baris" in res.output
    assert "--create-agencies" in res.output
    res = invoke(app, "rad", "import", str(path), "--map", "Bappeda=NOPE")
    assert res.exit_code == 2
    res = invoke(app, "rad", "import", str(path), "--create-agencies", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "berubah 1.1.2: Kegiatan/Aksi" in res.output and "instansi baru: Bappeda" in res.output
    assert "--dry-run" in res.output
    db.session.expire_all()
    assert count(Agency) == 3 and db.session.get(Action, world.a2.id).title == "Verifikasi lapangan"
    res = invoke(app, "rad", "import", str(path), "--map", "Bappeda=DPPPA")
    assert res.exit_code == 0, res.output
    db.session.expire_all()
    assert db.session.get(Action, world.a2.id).title == "Verifikasi lapangan bersama PKK"
    assert "Bappeda" in db.session.get(Agency, world.dpppa.id).aliases
    res = invoke(app, "rad", "import", str(path))
    assert res.exit_code == 0 and "Tersimpan: 0 perubahan." in res.output


def test_cli_row_errors_exit_1_with_row_numbers_and_save_nothing(world, tmp_path):
    from flask import current_app

    m = world_matrix(world)
    m.actions[0].title = "Diubah"
    m.actions[1].locations = ["Antah Berantah"]
    path = tmp_path / "rad.xlsx"
    path.write_bytes(xlsx(m))
    res = invoke(current_app._get_current_object(), "rad", "import", str(path))
    assert res.exit_code == 1
    assert 'KESALAHAN: baris 6, Lokasi: Lokasi "Antah Berantah" tidak dikenal.'  # the sheet's row in res.output
    db.session.expire_all()
    assert db.session.get(Action, world.a1.id).title == "Pendampingan keluarga"
    path.write_bytes(b"not a workbook")
    res = invoke(current_app._get_current_object(), "rad", "import", str(path))
    assert res.exit_code == 1 and "KESALAHAN" in res.output


def upload(client, data: bytes, name: str = "rad.xlsx"):
    return client.post("/plan/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def token_of(html: str) -> str:
    import re

    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)


@pytest.mark.parametrize("email,status", [
    ("koordinator@example.org", 200), ("admin@example.org", 200), ("pimpinan@example.org", 403),
    ("dinsos@example.org", 403), ("dpppa@example.org", 403), ("verifikator@example.org", 403)])
def test_import_routes_permissions(client, world, as_user, email, status):
    assert client.get("/plan/import").status_code == 302
    assert "/login" in client.post("/plan/import/confirm").headers["Location"]
    c = as_user(email)
    assert c.get("/plan/import").status_code == status
    assert c.post("/plan/import", data={}).status_code == status
    assert c.post("/plan/import/confirm", data={}).status_code == (400 if status == 200 else 403)


def test_upload_preview_map_unknown_agency_and_confirm(client, world, as_user):
    c = as_user("koordinator@example.org")
    resp = upload(c, xlsx(changed_matrix(world)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Instansi yang belum dikenal" in html and "Bappeda" in html
    assert "Buat instansi baru" in html and "1.1.2" in html
    token = token_of(html)
    # confirming without a choice saves nothing and shows the page again
    resp = c.post("/plan/import/confirm", data={"token": token})
    assert resp.status_code == 200 and "Pilih instansi untuk setiap nama" in resp.get_data(as_text=True)
    assert db.session.get(Action, world.a2.id).title == "Verifikasi lapangan"
    resp = c.post("/plan/import/confirm", data={"token": token, "agency-bappeda": "new"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/plan")
    db.session.expire_all()
    assert db.session.get(Action, world.a2.id).title == "Verifikasi lapangan bersama PKK"
    assert db.session.scalar(select(Agency).where(Agency.code == "BAPPEDA")) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "action",
                                                       AuditEntry.entity_id == str(world.a2.id),
                                                       AuditEntry.operation == "update"))
    assert entry.user_id == world.coordinator.id
    page = c.get("/plan").get_data(as_text=True)
    assert "Matriks RAD diimpor: 0 aksi baru, 2 aksi berubah" in page
    # the pending file is gone once saved
    assert c.post("/plan/import/confirm", data={"token": token}).status_code == 302


def test_upload_with_row_errors_shows_them_and_offers_no_save(client, world, as_user):
    m = world_matrix(world)
    m.actions[1].locations = ["Antah Berantah"]
    resp = upload(as_user("koordinator@example.org"), xlsx(m))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Antah Berantah" in html and "Lokasi" in html
    assert 'name="token"' not in html


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (400 * 1024 * 1024) + b"</a>")
    return out.getvalue()


@pytest.mark.parametrize("name,data", [
    ("rad.xlsx", b"\x00\x01 this is no workbook"),
    ("rad.xlsx", b""),
    ("rad.csv", b"a;b\n1;2\n"),
    ("rad.xlsx", b"PK\x03\x04" + b"\x00" * (11 * 1024 * 1024)),
    ("rad.xlsx", None),  # a zip bomb
])
def test_hostile_files_get_a_clear_error_not_a_500(client, world, as_user, name, data):
    resp = upload(as_user("koordinator@example.org"), zip_bomb() if data is None else data, name)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'class="errors"' in html and "has-error" in html
    assert 'name="token"' not in html
    assert count(Action) == 3


# ----------------------------------------------------------------------------- review regressions

def _saved_nothing(world, m, expect: list[tuple[int | None, str, str | None]]) -> None:
    before = {a.id: (a.title, a.budget_amount) for a in db.session.scalars(select(Action))}
    plan_before = (world.plan.name, world.plan.start_year, world.plan.end_year, world.plan.target_ats)
    result = rad_import.save(db.session, m, {}, NOW)
    db.session.commit()
    assert not result.saved
    assert [(e.sheet, e.row, e.column) for e in result.preview.errors] == expect, result.preview.errors
    db.session.expire_all()
    assert {a.id: (a.title, a.budget_amount) for a in db.session.scalars(select(Action))} == before
    assert (world.plan.name, world.plan.start_year, world.plan.end_year, world.plan.target_ats) == plan_before
    assert count(Pillar) == 1 and count(Indicator) == 0


def test_a_budget_beyond_what_the_column_holds_is_a_row_error(world):
    """10**25 reached the database: OverflowError (SQLite) / NumericValueOutOfRange (PostgreSQL), a 500."""
    m = world_matrix(world)
    m.actions[1].budget = 10**25
    m.actions[1].title = "Berubah"
    _saved_nothing(world, m, [("Matriks RAD", 8, "Anggaran (Rp)")])
    m = world_matrix(world)
    m.actions[1].budget = rad_import.MAX_BUDGET
    assert rad_import.preview(db.session, m, {}, NOW).can_save


def test_a_pillar_number_out_of_range_is_a_row_error(world):
    m = world_matrix(world)
    m.actions.append(row("9.1.1", "Aksi baru", "Dinsos", 10, pillar_number=10**9, pillar_name="Besar",
                         program_code="9.1", program_name="Program besar"))
    _saved_nothing(world, m, [("Matriks RAD", 10, "Strategi/Pilar")])


def test_plan_sheet_values_its_columns_cannot_hold_are_errors(world):
    """Years of 10**20, target ATS of 10**30 and a 500-character name went to the database unchecked."""
    m = world_matrix(world)
    m.plan = MatrixPlan(name="R" * 201, start_year=2025, end_year=10**20, target_ats=10**30, baseline_year=1999)
    m.actions[0].title = "Berubah"
    _saved_nothing(world, m, [("Rencana", None, "Tahun akhir"), ("Rencana", None, "Tahun baseline"),
                              ("Rencana", None, "Target ATS"), ("Rencana", None, "Nama rencana")])


def test_indicator_texts_longer_than_their_columns_are_errors(world):
    """A 41-character unit or 301-character name passed SQLite but is a DataError (500) on PostgreSQL."""
    m = world_matrix(world)
    m.actions[0].indicators = [MatrixIndicator(7, "Anak kembali bersekolah", "x" * 41, 0, 10, 2026, {})]
    m.indicator_defs = [MatrixIndicatorDef(row=3, code="I-1", name="N" * 301, unit="anak")]
    m.actions[0].title = "Berubah"
    _saved_nothing(world, m, [("Indikator", 3, "Nama indikator"), ("Matriks RAD", 7, "Indikator")])
