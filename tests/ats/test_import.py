"""Importing Pusdatin ATS tables: parsing, matching, checks, all-or-nothing, snapshots, CLI, routes."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordinator.ats import importing as ats_import
from coordinator.ats.figures import live_snapshots, totals_of
from coordinator.ats.match import AreaMatcher, name_key
from coordinator.ats.parse import NotACount, parse, parse_count
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import AreaAlias, AtsFigure, AtsSnapshot
from tests.conftest import login
from tests.paths import DATA

NOW = datetime(2026, 11, 27, 2, 0)
MARCH = date(2025, 3, 31)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def do_save(name: str, as_of: date = MARCH, **kw):
    result = ats_import.save(db.session, read(name), name, as_of, "Pusdatin", None, NOW, _upload_dir(), **kw)
    db.session.commit()
    return result


def _upload_dir() -> str:
    from flask import current_app

    return current_app.config["UPLOAD_DIR"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ----------------------------------------------------------------------------- parsing

def test_parse_count_accepts_dotted_thousands_and_refuses_others():
    assert parse_count("1.234") == 1234
    assert parse_count("13.411") == 13411
    assert parse_count(" 12 ") == 12
    assert parse_count(7.0) == 7
    assert parse_count("") is None and parse_count("-") is None
    assert parse_count("-4") == -4
    for bad in ("banyak", "12,5", "1.23", 2.5):
        with pytest.raises(ValueError):
            parse_count(bad)


def test_clean_portal_table_is_read_under_title_rows_with_two_row_header():
    t = parse(read("ats_kecamatan_clean.xlsx"), "ats_kecamatan_clean.xlsx")
    assert t.layout == "wide" and not t.errors and not t.warnings
    kinds = [r.kind for r in t.rows]
    assert kinds.count("area") == 18 and kinds.count("residu") == 1 and kinds[-1] == "total"
    first = t.rows[0]
    assert first.row == 7 and first.name == "Muara Ancalong"  # row numbers as in the file
    assert len(first.details["DO"]) == 17 and set(first.details["LTM"]) == {"SD/≤ Kelas 6", "SMP/Kelas 7-9"}
    assert sum(first.details["DO"].values()) == first.totals["DO"]
    assert t.rows[-1].totals == {"BPB": 9945, "DO": 1996, "LTM": 1470}


def test_messy_table_with_code_column_dots_and_upper_case():
    t = parse(read("ats_kecamatan_messy.xlsx"), "x.xlsx")
    assert not t.errors
    assert t.rows[0].name == "KEC. MUARA ANCALONG" and t.rows[0].code == "160801"
    assert t.rows[-1].kind == "total" and t.rows[-1].totals["BPB"] == 9945


def test_long_format_is_read():
    t = parse(read("ats_long.csv"), "ats_long.csv")
    assert t.layout == "long" and not t.errors
    first = t.rows[0]
    assert first.code == "64.08.01" and first.totals["LTM"] == sum(first.details["LTM"].values())


def test_unreadable_file_is_an_error_not_a_crash():
    assert parse(b"\x00\x01garbage", "x.xlsx").errors
    assert parse(b"just,some\ntext,here\n", "x.csv").errors
    assert parse("Wilayah;BPB;DO;LTM\nSangatta Utara;1;2;3\n".encode("cp1252"), "x.csv").rows


# ----------------------------------------------------------------------------- matching

def test_names_match_across_case_prefixes_spacing_and_variants(kutim):
    m = AreaMatcher.load(db.session)
    assert m.match("KEC. SANGATTA UTARA", None, "kecamatan", None) == "64.08.04"
    assert m.match("Kecamatan  Sangatta-Utara", None, "kecamatan", None) == "64.08.04"
    assert m.match("KEC. KOMBENG", None, "kecamatan", None) == "64.08.08"
    assert m.match("Desa Swarga Bara", None, "desa", "64.08.04") == "64.08.04.2012"
    assert m.match("Kel. Teluk Lingga", None, "desa", "64.08.04") == "64.08.04.1010"
    # the desa named like its kecamatan is the desa in a desa table
    assert m.match("Desa Sangatta Utara", None, "desa", "64.08.04") == "64.08.04.2001"
    assert m.match("anything", "64.08.04.2012", "kecamatan", None) == "64.08.04.2012"
    assert m.match("Antah Berantah", None, "kecamatan", None) is None
    assert name_key("KEC. KOMBENG") == name_key("Kongbeng")


def test_desa_table_names_match_within_their_kecamatan_first(kutim):
    m = AreaMatcher.load(db.session)
    # "Benua Baru" is a desa of both Muara Bengkal and Sangkulirang
    assert m.match("Desa Benua Baru", None, "desa", "64.08.05") == "64.08.05.2006"
    assert m.match("Desa Benua Baru", None, "desa", "64.08.03") == "64.08.03.2005"
    assert m.match("Desa Benua Baru", None, "desa", None) is None  # ambiguous without scope


# ----------------------------------------------------------------------------- preview and save

def test_clean_import_saves_a_snapshot_whose_totals_equal_the_file(kutim):
    p = ats_import.preview(db.session, read("ats_kecamatan_clean.xlsx"), "a.xlsx", MARCH, "Pusdatin")
    assert p.can_save and p.level == "kecamatan" and not p.warnings
    assert p.total == {"BPB": 9945, "DO": 1996, "LTM": 1470, "total": 13411}
    assert count(AtsSnapshot) == 0  # a preview writes nothing
    result = do_save("ats_kecamatan_clean.xlsx")
    t = totals_of(db.session, result.snapshot)
    assert t.total["total"] == 13411 and t.residu == {"BPB": 45, "DO": 16, "LTM": 10, "total": 71}
    assert len(t.kecamatan) == 18 and max(t.kecamatan, key=lambda k: t.kecamatan[k]["total"]) == "64.08.04"
    details = db.session.scalar(select(func.count()).select_from(AtsFigure).where(AtsFigure.detail != ""))
    assert details > 0
    stored = Path(_upload_dir()) / "ats" / result.snapshot.stored_file
    assert stored.read_bytes() == read("ats_kecamatan_clean.xlsx")
    assert len(result.snapshot.file_sha256) == 64


def test_messy_table_matches_all_areas(kutim):
    p = ats_import.preview(db.session, read("ats_kecamatan_messy.xlsx"), "m.xlsx", MARCH, "Pusdatin")
    assert p.can_save, p.errors
    assert {r.kode for r in p.rows if r.kind == "area"} >= {"64.08.04", "64.08.08"}
    assert p.total["total"] == 13411


def test_long_format_with_codes_names_and_residu(kutim):
    p = ats_import.preview(db.session, read("ats_long.csv"), "l.csv", MARCH, "Pusdatin")
    assert p.can_save, p.errors
    kodes = {r.kode for r in p.rows}
    assert len(kodes) == 19 and {"64.08.01", "64.08.08", None} <= kodes
    assert p.total["total"] == 13411


@pytest.mark.parametrize("name, row, fragment", [
    ("ats_broken_not_a_number.csv", 5, "bukan angka"),
    ("ats_broken_negative.csv", 6, "negatif"),
    ("ats_broken_unknown_area.csv", 7, "tidak dikenal"),
    ("ats_broken_duplicate.csv", 8, "dua kali"),
])
def test_errors_carry_row_numbers_and_nothing_is_saved(kutim, name, row, fragment):
    p = ats_import.preview(db.session, read(name), name, MARCH, "Pusdatin")
    assert not p.can_save
    assert any(e.row == row and fragment in e.message for e in p.errors), p.errors
    with pytest.raises(DomainError):
        ats_import.save(db.session, read(name), name, MARCH, "Pusdatin", None, NOW, _upload_dir())
    db.session.rollback()
    assert count(AtsSnapshot) == 0 and count(AtsFigure) == 0


def test_unmatched_names_are_listed_and_a_hand_mapping_is_remembered(kutim):
    name = "ats_broken_unknown_area.csv"
    p = ats_import.preview(db.session, read(name), name, MARCH, "Pusdatin")
    assert [u.name for u in p.unmatched] == ["Kecamatan Antah Berantah"]
    key = p.unmatched[0].key
    # the name replaced Sangkulirang (row 7 of the file): map it there
    do_save(name, mappings={key: "64.08.05"})
    assert db.session.scalar(select(AreaAlias.area_kode).where(AreaAlias.name_key == key)) == "64.08.05"
    again = ats_import.preview(db.session, read(name), name, date(2025, 4, 30), "Pusdatin")
    assert not again.unmatched and again.can_save


def test_same_file_twice_is_not_doubled(kutim):
    first = do_save("ats_kecamatan_clean.xlsx")
    second = do_save("ats_kecamatan_clean.xlsx")
    assert second.created is False and second.snapshot.id == first.snapshot.id
    assert count(AtsSnapshot) == 1
    assert totals_of(db.session, live_snapshots(db.session)[0]).total["total"] == 13411


def test_replacing_the_same_date_needs_confirmation_and_keeps_the_old_snapshot(kutim):
    first = do_save("ats_kecamatan_clean.xlsx")
    with pytest.raises(DomainError) as err:
        do_save("ats_kecamatan_messy.xlsx")
    assert err.value.field == "confirm_replace"
    db.session.rollback()
    second = do_save("ats_kecamatan_messy.xlsx", confirm_replace=True)
    db.session.refresh(first.snapshot)
    assert first.snapshot.replaced_at == NOW and first.snapshot.replaced_by_id == second.snapshot.id
    assert [s.id for s in live_snapshots(db.session)] == [second.snapshot.id]


def test_desa_table_adds_to_the_kecamatan_snapshot_of_the_same_date_without_confirmation(kutim):
    first = do_save("ats_kecamatan_clean.xlsx")
    p = ats_import.preview(db.session, read("ats_desa_sangatta_utara.csv"), "d.csv", MARCH, "Pusdatin")
    assert p.level == "desa" and p.scope == "64.08.04" and p.can_save and not p.needs_confirm
    assert not p.warnings  # the sample's desa plus residu equal the kecamatan row
    second = do_save("ats_desa_sangatta_utara.csv")
    t = totals_of(db.session, second.snapshot)
    assert "64.08.04" in t.from_desa and len(t.desa) == 4
    assert t.total["total"] == 13411  # desa + their residu replace the kecamatan row: nothing counted twice
    # The desa table's residu are Sangatta Utara's children whose desa is unknown: they stay in the kecamatan,
    # which equals its row in the kecamatan table, and the regency residu is what that table says.
    assert t.kecamatan["64.08.04"]["total"] == t.kecamatan_rows["64.08.04"]["total"] == 1415
    assert t.without_desa["64.08.04"]["total"] == 8 and t.residu["total"] == 71
    assert sum(c["total"] for c in t.desa.values()) + 8 == 1415
    db.session.refresh(first.snapshot)
    assert first.snapshot.replaced_by_id == second.snapshot.id


def test_desa_table_disagreeing_with_the_kecamatan_row_is_flagged(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    data = read("ats_desa_sangatta_utara.csv").replace(b"Desa Swarga Bara;103;", b"Desa Swarga Bara;203;")
    p = ats_import.preview(db.session, data, "d.csv", MARCH, "Pusdatin")
    assert any("tidak sama dengan baris kecamatan" in w.message for w in p.warnings)
    assert any(w.row == 9 and "Total" in w.message for w in p.warnings)  # the row's own total is off too


def test_change_of_more_than_30_percent_is_a_warning(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    text = read("ats_broken_negative.csv").decode().replace("-4", "2000")
    p = ats_import.preview(db.session, text.encode(), "x.csv", date(2025, 4, 30), "Pusdatin")
    assert p.can_save
    assert any("30%%" in w.message and w.params["name"] == "Sangatta Utara" for w in p.warnings)


# ----------------------------------------------------------------------------- command line

def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_import_summary_and_snapshots(kutim):
    app = kutim
    res = invoke(app, "ats", "import", str(DATA / "ats_kecamatan_clean.xlsx"), "--as-of", "2025-03-31",
                 "--dry-run")
    assert res.exit_code == 0, res.output
    assert count(AtsSnapshot) == 0
    res = invoke(app, "ats", "import", str(DATA / "ats_kecamatan_clean.xlsx"), "--as-of", "2025-03-31",
                 "--source", "Pusdatin")
    assert res.exit_code == 0, res.output
    res = invoke(app, "ats", "import", str(DATA / "ats_kecamatan_clean.xlsx"), "--as-of", "2025-03-31")
    assert res.exit_code == 0 and count(AtsSnapshot) == 1
    res = invoke(app, "ats", "summary", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) == {"as_of", "total", "residu", "without_desa", "areas"} and data["as_of"] == "2025-03-31"
    assert data["without_desa"] is None  # only with --kecamatan
    assert data["total"] == {"BPB": 9945, "DO": 1996, "LTM": 1470, "total": 13411}  # the sum in the file
    assert data["residu"]["total"] == 71 and len(data["areas"]) == 18
    su = next(a for a in data["areas"] if a["kode"] == "64.08.04")
    assert su["nama"] == "Sangatta Utara" and set(su) == {"kode", "nama", "BPB", "DO", "LTM", "total"}
    assert sum(a["total"] for a in data["areas"]) + data["residu"]["total"] == 13411
    for fmt in ("json", "table"):  # the snapshot has no desa rows for Sangatta Utara: no zeros, a message
        res = invoke(app, "ats", "summary", "--format", fmt, "--kecamatan", "64.08.04")
        assert res.exit_code == 1 and "tidak berisi angka desa" in res.output
    res = invoke(app, "ats", "import", str(DATA / "ats_desa_sangatta_utara.csv"), "--as-of", "2025-03-31",
                 "--source", "Pusdatin")
    assert res.exit_code == 0 and "total 13411." in res.output  # the saved snapshot's total, not the file's
    res = invoke(app, "ats", "summary", "--format", "json", "--kecamatan", "64.08.04")
    summary = json.loads(res.output)
    desa = summary["areas"]
    assert len(desa) == 4 and sum(d["total"] for d in desa) == 1415 - 8
    # the desa table's residu: Sangatta Utara's children whose desa is unknown; with them the desa add up to it
    assert summary["without_desa"]["total"] == 8 and summary["residu"]["total"] == 71
    table = invoke(app, "ats", "summary", "--kecamatan", "64.08.04")
    assert "Tanpa desa (residu tabel desa)" in table.output and "Residu kabupaten" in table.output
    res = invoke(app, "ats", "snapshots", "--format", "json")
    assert json.loads(res.output) == [{"as_of": "2025-03-31", "source": "Pusdatin", "total": 13411}]
    assert invoke(app, "ats", "summary", "--as-of", "2025-01-01", "--format", "json").exit_code == 1


def test_cli_errors_exit_1_with_row_numbers_and_save_nothing(kutim):
    for name in ("ats_broken_not_a_number.csv", "ats_broken_unknown_area.csv"):
        res = invoke(kutim, "ats", "import", str(DATA / name), "--as-of", "2025-03-31")
        assert res.exit_code == 1
        assert "Baris" in res.output
    assert count(AtsSnapshot) == 0
    assert invoke(kutim, "ats", "summary", "--format", "json").exit_code == 1


def test_cli_replace_needs_the_flag(kutim):
    invoke(kutim, "ats", "import", str(DATA / "ats_kecamatan_clean.xlsx"), "--as-of", "2025-03-31")
    res = invoke(kutim, "ats", "import", str(DATA / "ats_kecamatan_messy.xlsx"), "--as-of", "2025-03-31")
    assert res.exit_code == 1
    res = invoke(kutim, "ats", "import", str(DATA / "ats_kecamatan_messy.xlsx"), "--as-of", "2025-03-31",
                 "--replace")
    assert res.exit_code == 0, res.output
    assert count(AtsSnapshot) == 2 and len(live_snapshots(db.session)) == 1


# ----------------------------------------------------------------------------- web

def upload(client, name: str, as_of: str = "2025-03-31"):
    import io

    return client.post("/ats/import", data={"files": (io.BytesIO(read(name)), name), "as_of": as_of,
                                            "source": "Pusdatin", "note": ""},
                       content_type="multipart/form-data")


def token_of(html: str) -> str:
    import re

    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)


@pytest.mark.parametrize("email, status", [("pimpinan@example.org", 403), ("dinsos@example.org", 403),
                                           ("koordinator@example.org", 200), ("admin@example.org", 200)])
def test_import_routes_permissions(kutim, email, status):
    client = kutim.test_client()
    assert client.get("/ats/import").status_code == 302  # anonymous -> login
    assert "/login" in client.post("/ats/import/confirm").headers["Location"]
    login(client, email)
    assert client.get("/ats/import").status_code == status
    assert client.post("/ats/import", data={}).status_code == status
    assert client.post("/ats/import/confirm", data={}).status_code == (400 if status == 200 else 403)
    assert count(AtsSnapshot) == 0


def test_upload_preview_then_confirm_saves(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    resp = upload(client, "ats_kecamatan_clean.xlsx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "13.411" in html and "Sangatta Utara" in html
    assert count(AtsSnapshot) == 0
    token = token_of(html)
    resp = client.post("/ats/import/confirm", data={"token": token, "file_name": "ats_kecamatan_clean.xlsx",
                                                    "as_of": "2025-03-31", "source": "Pusdatin"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert count(AtsSnapshot) == 1
    snap = db.session.scalar(select(AtsSnapshot))
    assert totals_of(db.session, snap).total["total"] == 13411
    assert snap.created_by_id is not None
    # the token is spent; replaying it saves nothing more
    client.post("/ats/import/confirm", data={"token": token, "as_of": "2025-03-31", "source": "Pusdatin"})
    assert count(AtsSnapshot) == 1


def test_web_mapping_and_replace_confirmation(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    html = upload(client, "ats_broken_unknown_area.csv").get_data(as_text=True)
    assert "Baris 7" in html and 'name="map-antahberantah"' in html
    form = {"token": token_of(html), "file_name": "ats_broken_unknown_area.csv", "as_of": "2025-03-31",
            "source": "Pusdatin", "map-antahberantah": "64.08.05"}
    assert client.post("/ats/import/confirm", data=form).status_code == 302
    html = upload(client, "ats_kecamatan_clean.xlsx").get_data(as_text=True)
    form = {"token": token_of(html), "file_name": "ats_kecamatan_clean.xlsx", "as_of": "2025-03-31",
            "source": "Pusdatin"}
    resp = client.post("/ats/import/confirm", data=form)
    assert resp.status_code == 200 and "Ganti snapshot tanggal yang sama" in resp.get_data(as_text=True)
    assert count(AtsSnapshot) == 1
    assert client.post("/ats/import/confirm", data=dict(form, confirm_replace="y")).status_code == 302
    assert count(AtsSnapshot) == 2 and len(live_snapshots(db.session)) == 1


def test_bad_token_and_bad_file_do_not_crash(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    assert client.post("/ats/import/confirm", data={"token": "../../etc/passwd"}).status_code == 400
    import io

    resp = client.post("/ats/import", data={"files": (io.BytesIO(b"\x00garbage"), "x.xlsx"), "as_of": "2025-03-31",
                                            "source": "Pusdatin"}, content_type="multipart/form-data")
    assert resp.status_code == 200 and "tidak dapat dibaca" in resp.get_data(as_text=True)


def test_a_141_desa_snapshot_from_19_files(kutim):
    """A 141-desa snapshot: the kecamatan table, then the desa table of each of the 18 kecamatan.
    (Its speed is measured in bench/ats.py, not here.)"""
    import csv
    import io

    from coordinator.setup.region import PACKAGED as WILAYAH_CSV

    do_save("ats_kecamatan_clean.xlsx")
    tables: dict[str, io.StringIO] = {}
    with WILAYAH_CSV.open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            out = tables.get(row["kode_kecamatan"])
            if out is None:
                out = tables[row["kode_kecamatan"]] = io.StringIO()
                csv.writer(out).writerow(["kode_wilayah", "kategori", "jenjang", "jumlah"])
            for cat in ("BPB", "DO", "LTM"):
                for level in ("kelas 1", "kelas 4", "kelas 7", "kelas 10"):
                    csv.writer(out).writerow([row["kode_desa"], cat, level, i % 17])
    for kode, out in sorted(tables.items()):
        result = ats_import.save(db.session, out.getvalue().encode(), f"desa_{kode}.csv", MARCH, "Pusdatin",
                                 None, NOW, _upload_dir())
        db.session.commit()
    t = totals_of(db.session, result.snapshot)
    assert len(t.desa) == 141 and len(t.from_desa) == 18 and len(live_snapshots(db.session)) == 1


def test_an_import_updates_indicators_that_follow_the_snapshots(kutim):
    from coordinator.models import Indicator, IndicatorValue, Plan

    plan = Plan(name="SITISEK", start_year=2025, end_year=2028)
    indicator = Indicator(plan=plan, code="I-1", name="Jumlah ATS", unit="anak", direction="turun",
                          baseline_value=13411, baseline_year=2025, ats_metric="total")
    sangatta = Indicator(plan=plan, code="I-2", name="DO Sangatta Utara", unit="anak", direction="turun",
                         ats_metric="DO", ats_area_kode="64.08.04")
    db.session.add_all([plan, indicator, sangatta])
    db.session.commit()
    do_save("ats_kecamatan_clean.xlsx")
    value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id))
    assert (value.year, value.quarter, value.value) == (2025, 1, 13411)
    assert "Pusdatin" in value.source
    totals = totals_of(db.session, db.session.scalar(select(AtsSnapshot)))
    do_value = db.session.scalar(select(IndicatorValue.value).where(IndicatorValue.indicator_id == sangatta.id))
    assert do_value == totals.kecamatan["64.08.04"]["DO"]


# ----------------------------------------------------------------------------- review 3

def test_total_header_naming_categories_and_percent_column_are_not_categories():
    text = ("No;Wilayah;BPB;DO;LTM;Total (BPB+DO+LTM);% DO\n"
            "1;Sangatta Utara;10;5;2;17;29,4\n")
    t = parse(text.encode(), "x.csv")
    assert not t.errors and not t.warnings, (t.errors, t.warnings)
    assert t.rows[0].totals == {"BPB": 10, "DO": 5, "LTM": 2} and t.rows[0].grand_total == 17


def test_comma_thousands_are_refused_and_only_zero_decimals_accepted():
    with pytest.raises(ValueError):
        parse_count("2,000")
    assert parse_count("12,0") == 12 and parse_count("12,00") == 12 and parse_count("1.234,00") == 1234
    assert parse_count("1039.0") == 1039 and parse_count("1.000") == 1000
    with pytest.raises(ValueError):
        parse_count("1039.5")


def test_undecodable_csv_bytes_are_read_not_a_500():
    t = parse(b"\x81\x8d hello", "x.csv")  # cp1252 has no \x81: read as latin-1, then "no ATS table"
    assert t.errors and "Tabel ATS tidak ditemukan" in t.errors[0].message


def test_xlsx_with_a_far_cell_is_read_quickly_and_too_many_rows_are_refused():
    import io
    import time

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Wilayah", "BPB", "DO", "LTM"])
    ws.append(["Sangatta Utara", 1, 2, 3])
    ws.cell(30000, 16384, "x")
    buf = io.BytesIO()
    wb.save(buf)
    start = time.perf_counter()
    t = parse(buf.getvalue(), "far.xlsx")
    assert time.perf_counter() - start < 3
    assert t.errors and "lebih dari" in t.errors[0].message  # refused, not truncated


def test_xlsx_unpacking_to_more_than_50_mb_is_refused():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    t = parse(buf.getvalue(), "bomb.xlsx")
    assert t.errors and "MB" in t.errors[0].message


@pytest.mark.parametrize("name", ["ats_kecamatan_numeric_subheader.csv", "ats_kecamatan_float.csv",
                                  "ats_kecamatan_grouped.xlsx"])
def test_other_header_layouts_are_read(name):
    t = parse(read(name), name)
    assert not t.errors, t.errors
    areas = [r for r in t.rows if r.kind == "area"]
    assert len(areas) == 18 and areas[0].name == "Muara Ancalong"
    if name == "ats_kecamatan_grouped.xlsx":  # a first row of "-" is an area without children
        assert areas[0].totals == {"BPB": 0, "DO": 0, "LTM": 0}
        assert sum(sum(r.totals.values()) for r in t.rows) == 13411 - 461
    else:
        assert sum(sum(r.totals.values()) for r in t.rows) == 13411
    if name == "ats_kecamatan_numeric_subheader.csv":
        assert set(areas[0].details["LTM"]) == {"6", "9"} and len(areas[0].details["DO"]) == 17


def test_desa_table_for_a_date_without_a_snapshot_is_refused(kutim):
    p = ats_import.preview(db.session, read("ats_desa_sangatta_utara.csv"), "d.csv", MARCH, "Pusdatin")
    assert not p.can_save and any("impor dulu tabel kecamatan" in e.message for e in p.errors)
    with pytest.raises(DomainError):
        do_save("ats_desa_sangatta_utara.csv")
    db.session.rollback()
    assert count(AtsSnapshot) == 0


def test_kecamatan_table_missing_a_kecamatan_is_refused(kutim):
    lines = read("ats_broken_negative.csv").decode().replace("-4", "4").splitlines()
    text = "\n".join(line for line in lines if ",Kaubun," not in line)
    p = ats_import.preview(db.session, text.encode(), "x.csv", MARCH, "Pusdatin")
    assert not p.can_save
    assert any("tidak lengkap" in e.message and e.params["names"] == "Kaubun" for e in p.errors), p.errors


def test_desa_table_replaces_all_desa_of_its_kecamatan(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    do_save("ats_desa_sangatta_utara.csv")
    data = b"\n".join(line for line in read("ats_desa_sangatta_utara.csv").splitlines()
                      if b"Swarga Bara" not in line)
    p = ats_import.preview(db.session, data, "d2.csv", MARCH, "Pusdatin")
    assert p.can_save and p.needs_confirm
    result = ats_import.save(db.session, data, "d2.csv", MARCH, "Pusdatin", None, NOW, _upload_dir(),
                             confirm_replace=True)
    db.session.commit()
    t = totals_of(db.session, result.snapshot)
    assert "64.08.04.2012" not in t.desa and len(t.desa) == 3  # the old Swarga Bara is not kept
    assert set(t.residu_by_scope) == {None, "64.08.04"} and len(t.kecamatan) == 18


def test_desa_table_matched_through_aliases_keeps_its_residu_in_its_kecamatan(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    for name, kode in (("Swarga Bara Baru", "64.08.04.2012"), ("Teluk Lingga Lama", "64.08.04.1010"),
                       ("Singa Gembara X", "64.08.04.2011"), ("Sangatta Utara X", "64.08.04.2001")):
        db.session.add(AreaAlias(name_key=name_key(name), area_kode=kode, created_at=NOW))
    db.session.commit()
    text = ("No;Nama;BPB;DO;LTM\n1;Swarga Bara Baru;1;1;1\n2;Teluk Lingga Lama;1;1;1\n"
            "3;Singa Gembara X;1;1;1\n4;Sangatta Utara X;1;1;1\n;Residu;1;0;0\n")
    p = ats_import.preview(db.session, text.encode(), "a.csv", MARCH, "Pusdatin")
    assert p.level == "desa" and p.scope == "64.08.04", p.errors
    assert [r.kode for r in p.rows if r.kind == "residu"] == ["64.08.04"]


def test_desa_of_another_kecamatan_in_a_desa_table_is_an_error(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    data = read("ats_desa_sangatta_utara.csv").replace(b"Desa Swarga Bara;", b"Desa Sangatta Selatan;")
    p = ats_import.preview(db.session, data, "d.csv", MARCH, "Pusdatin")
    assert not p.can_save
    assert any(e.row == 9 and "tidak termasuk Kec." in e.message for e in p.errors), p.errors


def test_desa_table_change_of_more_than_30_percent_is_a_warning(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    do_save("ats_kecamatan_clean.xlsx", date(2025, 4, 30))
    data = read("ats_desa_sangatta_utara.csv").replace(b"Desa Swarga Bara;103;", b"Desa Swarga Bara;903;")
    p = ats_import.preview(db.session, data, "d.csv", date(2025, 4, 30), "Pusdatin")
    assert any("30%%" in w.message and w.params.get("name") == "Sangatta Utara" for w in p.warnings), p.warnings


def test_reimporting_a_replaced_file_undoes_the_replacement(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    do_save("ats_kecamatan_messy.xlsx", confirm_replace=True)
    again = do_save("ats_kecamatan_clean.xlsx", confirm_replace=True)
    assert again.created and live_snapshots(db.session)[0].id == again.snapshot.id


@pytest.mark.parametrize("as_of", [date(1, 1, 1), date(1999, 12, 31), date(2026, 11, 28)])
def test_as_of_must_be_between_2000_and_today_wita(kutim, as_of):
    p = ats_import.preview(db.session, read("ats_kecamatan_clean.xlsx"), "a.xlsx", as_of, "Pusdatin", now=NOW)
    assert not p.can_save and any("keadaan per" in e.message for e in p.errors)


def test_as_of_today_in_wita_is_accepted(kutim):
    # 2026-11-27 17:00 UTC is already 28 November in WITA (UTC+8)
    p = ats_import.preview(db.session, read("ats_kecamatan_clean.xlsx"), "a.xlsx", date(2026, 11, 28),
                           "Pusdatin", now=datetime(2026, 11, 27, 17, 0))
    assert p.can_save, p.errors


def test_confirm_saves_the_previewed_date_and_source(kutim):
    client = kutim.test_client()
    login(client, "koordinator@example.org")
    html = upload(client, "ats_kecamatan_clean.xlsx").get_data(as_text=True)
    resp = client.post("/ats/import/confirm", data={"token": token_of(html), "as_of": "2024-01-01",
                                                    "source": "Lain", "file_name": "z.csv"})
    assert resp.status_code == 302
    snap = db.session.scalar(select(AtsSnapshot))
    assert (snap.as_of, snap.source, snap.file_name) == (MARCH, "Pusdatin", "ats_kecamatan_clean.xlsx")


def test_pending_file_is_removed_when_the_preview_has_errors_or_fails(kutim, monkeypatch):
    import io

    client = kutim.test_client()
    login(client, "koordinator@example.org")
    pending = Path(_upload_dir()) / "ats-pending"
    resp = client.post("/ats/import", data={"files": (io.BytesIO(b"\x81\x8d hello"), "x.csv"),
                                            "as_of": "2025-03-31", "source": "Pusdatin"},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and not any(pending.iterdir())

    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(ats_import, "preview", boom)
    kutim.config["PROPAGATE_EXCEPTIONS"] = False
    assert upload(client, "ats_kecamatan_clean.xlsx").status_code == 500
    assert not any(pending.iterdir())


def test_counts_beyond_any_area_are_errors_not_crashes():
    with pytest.raises(NotACount):
        parse_count("99999999999999999999999")
    with pytest.raises(NotACount):
        parse_count(3_000_000_000)
    assert parse_count("9.999.999") == 9_999_999


def test_a_blank_jumlah_cell_leaves_the_total_to_the_breakdown():
    text = ("Nama Wilayah;Jumlah BPB;Jumlah DO;;;Jumlah LTM;;;Total\n"
            ";;Jumlah;Kelas 1;Kelas 2;Jumlah;Kelas 6;Kelas 9;\n"
            "Sangatta Utara;10;;3;4;;1;2;20\n")
    row = parse(text.encode(), "x.csv").rows[0]
    assert row.totals == {"BPB": 10, "DO": 7, "LTM": 3}


def test_one_live_snapshot_per_date_in_the_database(kutim):
    from sqlalchemy.exc import IntegrityError

    do_save("ats_kecamatan_clean.xlsx")
    db.session.add(AtsSnapshot(as_of=MARCH, source="x", created_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_old_figure_of_a_desa_deactivated_since_is_replaced_not_added(kutim):
    from coordinator.models import Area

    do_save("ats_kecamatan_clean.xlsx")
    do_save("ats_desa_sangatta_utara.csv")
    first = totals_of(db.session, live_snapshots(db.session)[-1]).kecamatan["64.08.04"]["total"]
    swarga = db.session.scalar(select(Area).where(Area.nama == "Swarga Bara"))
    swarga_total = totals_of(db.session, live_snapshots(db.session)[-1]).desa[swarga.kode]["total"]
    swarga.active = False
    db.session.commit()
    lines = read("ats_desa_sangatta_utara.csv").decode("utf-8-sig").splitlines()
    without = "\n".join(line for line in lines if "Swarga" not in line).encode()
    result = ats_import.save(db.session, without, "tanpa-swarga.csv", MARCH, "Pusdatin", None, NOW, _upload_dir(),
                             confirm_replace=True)
    db.session.commit()
    t = totals_of(db.session, result.snapshot)
    assert swarga.kode not in t.desa
    assert t.kecamatan["64.08.04"]["total"] == first - swarga_total


def test_a_desa_table_that_leaves_desa_out_warns_by_name(kutim):
    do_save("ats_kecamatan_clean.xlsx")
    lines = read("ats_desa_sangatta_utara.csv").decode("utf-8-sig").splitlines()
    without = "\n".join(line for line in lines if "Swarga" not in line).encode()
    p = ats_import.preview(db.session, without, "tanpa-swarga.csv", MARCH, "Pusdatin", None, NOW)
    assert any("Swarga Bara" in (w.message % w.params) for w in p.warnings)
