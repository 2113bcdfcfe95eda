"""`flask setup` on an empty, migrated database, as a new Pemkab server is set up: the areas, the reference lists,
the agencies and the first admin, never a demo account; then the first ATS and RAD imports work. And
`flask api-token create`."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import (
    LIST_FUNDING_SOURCE,
    Agency,
    ApiToken,
    Area,
    AtsSnapshot,
    AuditEntry,
    ReferenceItem,
    User,
)
from coordinator.setup.region import read_region
from tests.conftest import login
from tests.paths import DATA

PASSWORD = "kopi-hutan-sungai-2026"  # not "admin": the rules refuse the name part of the email
COUNTED = (Area, Agency, ReferenceItem, User, ApiToken, AuditEntry)


def run(app, *args, env=None, password=PASSWORD, input=None):
    env = {"ADMIN_PASSWORD": password, **(env or {})} if password is not None else env
    return app.test_cli_runner().invoke(args=list(args), env=env, input=input)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def test_setup_prepares_an_empty_database_and_creates_no_demo_account(app_ctx):
    result = run(app_ctx, "setup", "--admin-email", "Admin.RAD@Kutaitimurkab.go.id", "--admin-name", "Admin RAD")
    assert result.exit_code == 0, result.output
    assert "18 kecamatan, 141 desa/kelurahan" in result.output and "Sumber dana: 12" in result.output
    assert "Instansi: 19" in result.output and "admin.rad@kutaitimurkab.go.id" in result.output
    users = db.session.scalars(select(User)).all()
    assert [(u.email, u.role, u.name) for u in users] == [("admin.rad@kutaitimurkab.go.id", "admin", "Admin RAD")]
    assert db.session.scalar(select(func.count()).select_from(Area).where(Area.level == "desa")) == 141
    sangatta = db.session.get(Area, "64.08.04")
    assert sangatta.nama == "Sangatta Utara" and len(sangatta.children) == 4
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    assert agencies["DISDIKBUD"].name == "Dinas Pendidikan dan Kebudayaan"
    assert agencies["DPPPA"].name == "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"
    assert {agencies[c].name for c in ("CAMAT", "KADES", "SATDIK", "PKBM", "PERUSAHAAN")} == {
        "Camat se-Kabupaten Kutai Timur", "Kepala Desa/Lurah", "Satuan pendidikan (sekolah/madrasah)", "PKBM/SKB",
        "Perusahaan (CSR)"}
    funding = {i.code: i for i in db.session.scalars(select(ReferenceItem).where(
        ReferenceItem.list_name == LIST_FUNDING_SOURCE))}
    assert {"APBN", "APBD_PROV", "APBD", "DAK", "APBDES", "BOS", "BOP", "CSR", "BAZNAS", "SWADAYA", "HIBAH",
            "LAINNYA"} == set(funding)
    assert funding["APBD"].label_id == "APBD Kabupaten" and "APBD" in funding["APBD"].aliases.split(", ")
    assert "DD" in funding["APBDES"].aliases.split(", ")
    resp = login(app_ctx.test_client(), "admin.rad@kutaitimurkab.go.id", PASSWORD)
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    assert login(app_ctx.test_client(), "admin@example.org", "demo-kutim-2026").status_code == 200  # no demo login


def test_running_setup_again_changes_nothing_and_says_so(app_ctx):
    assert run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id").exit_code == 0
    before = counts()
    again = run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id", password="another-password-1")
    assert again.exit_code == 0 and "tidak ada yang diubah" in again.output
    assert counts() == before
    other = run(app_ctx, "setup", "--admin-email", "kedua@kutimkab.go.id")
    assert other.exit_code == 1 and "1 pengguna, 159 wilayah, 19 instansi" in other.output
    assert counts() == before


def test_setup_refuses_a_database_in_use_and_names_what_it_holds(app_ctx, world):
    before = counts()
    result = run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id")
    assert result.exit_code == 1
    assert "sudah berisi 1 rencana aksi, 6 pengguna, 3 wilayah, 3 instansi" in result.output
    assert "tidak ada yang diubah" in result.output
    assert counts() == before


def test_the_password_is_asked_twice_hidden_and_its_rules_hold(app_ctx):
    asked = run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id", password=None,
                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.exit_code == 0, asked.output
    assert PASSWORD not in asked.output  # hidden
    assert "Ulangi kata sandi" in asked.output


def test_a_password_the_rules_refuse_loads_nothing(app_ctx):
    before = counts()
    result = run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id", password="pendek")
    assert result.exit_code == 1 and "Kata sandi minimal 12 karakter." in result.output
    assert "Tidak ada yang diubah" in result.output and counts() == before


def test_another_kabupatens_region_file(app_ctx):
    result = run(app_ctx, "setup", "--admin-email", "admin@kubarkab.go.id", "--region-file",
                 str(DATA / "region_other_kabupaten.csv"))
    assert result.exit_code == 0, result.output
    assert "2 kecamatan, 4 desa/kelurahan" in result.output
    areas = {a.kode: (a.nama, a.level, a.jenis, a.parent_kode) for a in db.session.scalars(select(Area))}
    assert areas["64.07.06.2002"] == ("Simpang Raya", "desa", "kelurahan", "64.07.06")
    assert areas["64.07.07"] == ("Melak", "kecamatan", None, None)
    assert len(areas) == 6


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = "kode_kecamatan,kecamatan,kode_desa,desa,jenis"


@pytest.mark.parametrize(("text", "expected"), [
    ("kode_kecamatan,kecamatan,kode_desa,desa\n64.07.06,A,64.07.06.2001,B\n",
     [(1, "Kolom %(columns)s tidak ada di baris judul. Kolom yang diperlukan: %(needed)s.")]),
    (f"{HEADER}\n64.07.06,A,64.07.06.2001,B,desa\n64.07.06,A,64.07.06.2001,C,desa\n",
     [(3, "Kode desa %(kode)s sudah ada di baris %(first)s.")]),
    (f"{HEADER}\n64.07.06,A,64.07.06.2001,B,desa\n64.07.06,A,64.07.09.2002,C,desa\n",
     [(3, "Desa %(kode)s tidak berada di kecamatan %(kecamatan)s: kode desa harus diawali kode kecamatannya.")]),
    (f"{HEADER}\n64.07.06,A,64.07.06.2001,B,desa\n,,64.07.06.2002,C,desa\n",
     [(3, "Kolom %(column)s kosong."), (3, "Kolom %(column)s kosong.")]),
    (f"{HEADER}\n64.07.06,A,64.07.06.2001,B,kampung\n64.7.6,A,64.07.06.2002,C,desa\n",
     [(2, 'Jenis "%(jenis)s" tidak dikenal. Pilihan: %(allowed)s.'),
      (3, "Kode kecamatan %(kode)s harus berbentuk 64.08.04.")]),
    (f"{HEADER}\n64.07.06,A,64.07.06.2001,B,desa\n64.07.06,Lain,64.07.06.2002,C,desa\n",
     [(3, 'Kecamatan %(kode)s bernama "%(nama)s" di baris lain, di sini "%(other)s".')]),
    (f"{HEADER}\n", [(None, "Berkas wilayah tidak berisi satu desa pun.")]),
], ids=["missing-column", "duplicate-code", "desa-outside-its-kecamatan", "empty-cells", "bad-jenis-and-code",
        "kecamatan-two-names", "no-desa"])
def test_a_bad_region_file_names_each_row_and_loads_nothing(app_ctx, tmp_path, text, expected):
    region = read_region(text.encode(), "wilayah.csv")
    assert [(e.row, e.message) for e in region.errors] == expected
    path = tmp_path / "wilayah.csv"
    path.write_text(text, encoding="utf-8")
    before = counts()
    result = run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id", "--region-file", str(path))
    assert result.exit_code == 1 and "tidak ada yang dimuat" in result.output
    assert counts() == before


def test_a_region_file_in_excel_with_title_rows(app_ctx):
    data = _xlsx([["Daftar wilayah"], [], ["Kode Kecamatan", "Kecamatan", "Kode Desa", "Desa", "Jenis"],
                  ["64.07.06", "Barong Tongkok", "64.07.06.2001", "Barong Tongkok", "Desa"]])
    region = read_region(data, "wilayah.xlsx")
    assert region.errors == []  # the title rows above the header are skipped
    assert region.kecamatan == {"64.07.06": "Barong Tongkok"} and [d.jenis for d in region.desa] == ["desa"]
    both_kabupaten = read_region(f"{HEADER}\n64.07.06,A,64.07.06.2001,B,desa\n64.08.01,C,64.08.01.2001,D,desa\n"
                                 .encode(), "w.csv")
    assert [e.params for e in both_kabupaten.errors] == [{"codes": "64.07, 64.08"}]


def test_the_first_imports_work_on_a_set_up_database(app_ctx):
    """The day-one failures: the first ATS import knew no area, the first RAD import no funding source."""
    from coordinator.ats import importing
    from coordinator.rad_matrix import importing as rad_import
    from coordinator.rad_matrix.parse import parse_matrix

    assert run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id").exit_code == 0
    now = datetime(2026, 11, 27, 2, 0)
    data = (DATA / "ats_kecamatan_clean.xlsx").read_bytes()
    importing.save(db.session, data, "ats_kecamatan_clean.xlsx", datetime(2025, 3, 31).date(), "Pusdatin", None, now,
                   app_ctx.config["UPLOAD_DIR"])
    assert db.session.scalar(select(func.count()).select_from(AtsSnapshot)) == 1
    p = rad_import.preview(db.session, parse_matrix((DATA / "rad_clean.xlsx").read_bytes(), "rad_clean.xlsx"), {},
                           now)
    assert [e for e in p.errors if "Sumber dana" in (e.header or "")] == []
    known = {u.name for u in p.unknown_agencies}
    assert not known & {"Disdikbud", "Dinas Pendidikan dan Kebudayaan", "Dinsos", "DPPPA", "Bappeda"}


def test_api_token_from_the_command_line(app_ctx):
    assert run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id").exit_code == 0
    result = run(app_ctx, "api-token", "create", "--user", "ADMIN@kutimkab.go.id", "--name", "Dasbor Bappeda",
                 "--expires", "2027-12-31")
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("sitisek_") and "berlaku sampai 2027-12-31" in result.output
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Dasbor Bappeda" and secret not in (token.token_hash, token.prefix)
    assert token.expires_at == datetime(2027, 12, 31, 16, 0)  # the end of 31 December in WITA, as UTC
    api = app_ctx.test_client().get("/api/v1/plan", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code in (200, 404) and api.is_json  # no plan yet: the API answers, not a 401


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "nobody@kutimkab.go.id", "--name", "x"], "Tidak ada pengguna dengan email nobody@kutimkab.go.id."),
    (["--user", "admin@kutimkab.go.id", "--name", "x", "--expires", "2020-01-01"],
     "Tanggal kedaluwarsa harus sesudah hari ini."),
    (["--user", "admin@kutimkab.go.id", "--name", "x", "--expires", "2230-01-01"], "Tahun harus antara 2000 dan 2100."),
    (["--user", "admin@kutimkab.go.id", "--name", "   "], "Nama token wajib diisi."),
    (["--user", "admin@kutimkab.go.id", "--name", "x", "--expires", "31-12-2027"], "Invalid value for '--expires'"),
])
def test_api_token_refusals_create_nothing(app_ctx, args, message):
    assert run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id").exit_code == 0
    result = run(app_ctx, "api-token", "create", *args)
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_day_one_from_the_command_line_with_the_files_people_bring(app_ctx):
    """An operator's first day on an empty, migrated database: setup, the Pusdatin snapshot as one ZIP of 19
    tables (desa tables with their residu), the agencies' RAD matrix; every number where Pusdatin and the
    agencies put it, nothing mapped by hand."""
    from coordinator.ats.figures import live_snapshots, totals_of
    from coordinator.models import Action, Plan

    assert run(app_ctx, "setup", "--admin-email", "admin@kutimkab.go.id").exit_code == 0
    cli = app_ctx.test_cli_runner()
    ats = cli.invoke(args=["ats", "import", str(DATA / "ats_snapshot_141_desa.zip"), "--as-of", "2025-03-31"])
    assert ats.exit_code == 0, ats.output
    totals = totals_of(db.session, live_snapshots(db.session)[0])
    assert totals.total["total"] == 13411 and len(totals.desa) == 141 and totals.mismatches() == []
    assert all(totals.kecamatan[k] == totals.kecamatan_rows[k] for k in totals.kecamatan)
    rad = cli.invoke(args=["rad", "import", str(DATA / "rad_kutim_dinas.xlsx")])
    assert rad.exit_code == 0, rad.output
    assert "INSTANSI TIDAK DIKENAL" not in rad.output and "SUMBER DANA TIDAK DIKENAL" not in rad.output
    assert "rencana: tahun awal 2026 (judul); tahun akhir 2028 (judul); baseline ATS 13411 (judul)" in rad.output
    plan = db.session.scalar(select(Plan))
    assert (plan.start_year, plan.end_year, plan.baseline_ats, plan.target_ats) == (2026, 2028, 13411, 6700)
    assert db.session.scalar(select(func.count()).select_from(Action)) == 4
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # the admin; never a demo account
