"""The RAD matrix file format: dates, reading messy matrices, row errors, and write → read round trips.
No database: everything here is a pure function of bytes."""
from __future__ import annotations

import copy
import io
import time
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from coordinator.core.table_files import FileRefused
from coordinator.rad_matrix import parse as rp
from coordinator.rad_matrix import parse_messages as msg
from coordinator.rad_matrix.dates import BAD_YEAR, NO_SUCH_DAY, NO_YEAR, REVERSED, UNREADABLE, BadDate, parse_when
from coordinator.rad_matrix.export import write_matrix
from coordinator.rad_matrix.layout import (
    MAIN_SHEET,
    ActionExtras,
    MatrixAction,
    MatrixIndicator,
    MatrixIndicatorDef,
    MatrixMilestone,
    MatrixPlan,
    ParsedMatrix,
)
from coordinator.rad_matrix.parse import parse_matrix
from coordinator.rad_matrix.parse_cells import parse_number, split_list, split_locations
from tests.paths import DATA

D = date


def parse_file(name: str) -> ParsedMatrix:
    return parse_matrix((DATA / name).read_bytes(), name)


def book_bytes(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- dates

@pytest.mark.parametrize(("value", "start", "end"), [
    (datetime(2026, 3, 5, 10, 0), D(2026, 3, 5), D(2026, 3, 5)),
    (D(2026, 3, 5), D(2026, 3, 5), D(2026, 3, 5)),
    ("31/12/2026", D(2026, 12, 31), D(2026, 12, 31)),
    ("31-12-2026", D(2026, 12, 31), D(2026, 12, 31)),
    ("31.12.2026", D(2026, 12, 31), D(2026, 12, 31)),
    ("2026-12-31", D(2026, 12, 31), D(2026, 12, 31)),
    ("31 Desember 2026", D(2026, 12, 31), D(2026, 12, 31)),
    ("31 Des 2026", D(2026, 12, 31), D(2026, 12, 31)),
    ("  31  DES.  2026. ", D(2026, 12, 31), D(2026, 12, 31)),
    ("1 Januari 2026", D(2026, 1, 1), D(2026, 1, 1)),
    ("17 Agt 2026", D(2026, 8, 17), D(2026, 8, 17)),
    ("17 Agu 2026", D(2026, 8, 17), D(2026, 8, 17)),
    ("5 Mei 2026", D(2026, 5, 5), D(2026, 5, 5)),
    ("5 Okt 2026", D(2026, 10, 5), D(2026, 10, 5)),
    ("5 Nop 2026", D(2026, 11, 5), D(2026, 11, 5)),
    ("5 November 2026", D(2026, 11, 5), D(2026, 11, 5)),
    ("5 March 2026", D(2026, 3, 5), D(2026, 3, 5)),
    ("29 Februari 2028", D(2028, 2, 29), D(2028, 2, 29)),
    ("Des 2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("Desember 2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("Februari 2026", D(2026, 2, 1), D(2026, 2, 28)),
    ("TW III 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("tw 3 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("Triwulan III 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("Triwulan 3", D(2026, 7, 1), D(2026, 9, 30)),
    ("Q3 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("2026", D(2026, 1, 1), D(2026, 12, 31)),
    (2026, D(2026, 1, 1), D(2026, 12, 31)),
    ("Semester I 2026", D(2026, 1, 1), D(2026, 6, 30)),
    ("Semester 2", D(2026, 7, 1), D(2026, 12, 31)),
    ("Jan – Des 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("Jan-Des 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("Januari s.d. Desember 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("Januari s/d Maret 2026", D(2026, 1, 1), D(2026, 3, 31)),
    ("Juni sampai Agustus 2026", D(2026, 6, 1), D(2026, 8, 31)),
    ("Juni hingga Agustus 2026", D(2026, 6, 1), D(2026, 8, 31)),
    ("TW I - TW IV 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("TW I — TW II", D(2026, 1, 1), D(2026, 6, 30)),
    ("Maret 2026 - Juni 2027", D(2026, 3, 1), D(2027, 6, 30)),
    ("1 Februari 2026 s.d. 31 Maret 2027", D(2026, 2, 1), D(2027, 3, 31)),
    ("1 Februari s.d. 31 Maret 2027", D(2027, 2, 1), D(2027, 3, 31)),
    ("Nov 2026 – Feb 2027", D(2026, 11, 1), D(2027, 2, 28)),
    ("2025-2026", D(2025, 1, 1), D(2026, 12, 31)),
    ("01/02/2026 - 31/03/2026", D(2026, 2, 1), D(2026, 3, 31)),
    (None, None, None), ("", None, None), ("-", None, None),
])
def test_parse_when(value: object, start: date | None, end: date | None) -> None:
    assert parse_when(value, 2026) == (start, end)


@pytest.mark.parametrize(("value", "default_year", "message"), [
    ("31 Februari 2026", 2026, NO_SUCH_DAY), ("31/02/2026", 2026, NO_SUCH_DAY), ("29 Februari 2027", None, NO_SUCH_DAY),
    ("Triwulan 3", None, NO_YEAR), ("Des", None, NO_YEAR), ("Semester 2", None, NO_YEAR),
    ("1999", 2026, BAD_YEAR), ("31/12/2101", 2026, BAD_YEAR), ("TW V 2026", 2026, UNREADABLE),
    ("besok", 2026, UNREADABLE), ("13/13/2026", 2026, NO_SUCH_DAY), ("Desember 2026 - Januari 2026", 2026, REVERSED),
    (3.5, 2026, UNREADABLE), (True, 2026, UNREADABLE),
])
def test_parse_when_refuses(value: object, default_year: int | None, message: str) -> None:
    with pytest.raises(BadDate) as err:
        parse_when(value, default_year)
    assert err.value.message == message
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(("value", "number"), [
    ("1.250.000", 1250000), ("Rp 1.250.000", 1250000), ("Rp. 1.250.000,50", 1250000.5), ("1,5", 1.5),
    ("12,5%", 12.5), ("-", None), ("", None), (None, None), (7, 7), (2.5, 2.5), ("1.250", 1250), ("0.5", 0.5),
])
def test_parse_number(value: object, number: float | None) -> None:
    assert parse_number(value) == number


def test_lists() -> None:
    assert split_locations("Seluruh kabupaten") == []
    for whole in ("Kabupaten Kutai Timur", "Kab. Kutim", "semua kecamatan", "18 kecamatan", "-", ""):
        assert split_locations(whole) == [], whole
    assert split_locations("Desa Teluk Lingga (Kec. Sangatta Utara, Kutim); Bengalon dan Rantau Pulung\nMuara Wahau") \
        == ["Desa Teluk Lingga (Kec. Sangatta Utara, Kutim)", "Bengalon", "Rantau Pulung", "Muara Wahau"]
    assert split_list("Dinsos, DPPPA; Kemenag (madrasah, pesantren) dan TP-PKK") == [
        "Dinsos", "DPPPA", "Kemenag (madrasah, pesantren)", "TP-PKK"]


# ----------------------------------------------------------------------------- samples

def _action(row: int, pillar: tuple[int, str], program: tuple[str, str], code: str, title: str,
            **fields: object) -> MatrixAction:
    return MatrixAction(row=row, pillar_number=pillar[0], pillar_name=pillar[1], program_code=program[0],
                        program_name=program[1], code=code, title=title, **fields)  # type: ignore[arg-type]


def test_clean_sample() -> None:
    m = parse_file("rad_clean.xlsx")
    assert m.errors == [] and m.warnings == []
    assert m.title is None and m.default_year == 2026
    p1, p2 = (1, "Validasi data"), (2, "Pencegahan")
    g11, g21 = ("1.1", "Pendataan by name by address"), ("2.1", "Kampanye")
    assert m.actions == [
        _action(2, p1, g11, "1.1.1", "Verval data ATS bersama PKK dan RT", output="Data BNBA tervalidasi",
                lead_agency="Disdikbud", supporting_agencies=["TP-PKK", "DPMDes", "Disdukcapil"], locations=[],
                funding_source="APBD", budget=1250000, start_date=D(2026, 1, 5), due_date=D(2026, 6, 30),
                categories=["BPB", "DO", "LTM"],
                milestones=[MatrixMilestone("Penyusunan SK tim", D(2026, 3, 31), "selesai", D(2026, 3, 15)),
                            MatrixMilestone("Verval tahap 1", D(2026, 6, 30), "berjalan")],
                indicators=[MatrixIndicator(2, "Desa selesai verval", "desa", 0, 141, 2026),
                            MatrixIndicator(3, "Anak terverifikasi", "anak", 5497, 10539, 2026)]),
        _action(4, p1, g11, "1.1.2", "Pembentukan tim ATS", description="Dengan SK Bupati", lead_agency="Disdikbud",
                supporting_agencies=["Bappeda", "Kemenag"], locations=["Kec. Sangatta Utara", "Bengalon"],
                funding_source="APBD", start_date=D(2026, 2, 1), due_date=D(2026, 2, 28),
                categories=["BPB", "DO", "LTM"]),
        _action(5, p2, g21, "2.1.1", "Kampanye cegah perkawinan anak", output="Kampanye di 18 kecamatan",
                description="Bersama Kemenag", lead_agency="DPPPA", funding_source="APBD", budget=75000000,
                start_date=D(2026, 3, 1), due_date=D(2026, 11, 30), categories=["DO"],
                milestones=[MatrixMilestone("Kampanye tahap 1", D(2026, 5, 31))],
                indicators=[MatrixIndicator(5, "Kecamatan terjangkau", "kecamatan", None, 18, 2026)]),
    ]
    assert m.indicator_defs == [
        MatrixIndicatorDef(2, "IND-01", "Desa selesai verval", "Desa yang seluruh anaknya sudah diverval", "desa",
                           "naik", 0, 2025, "Laporan verval", None, None, ["1.1.1"],
                           {(2026, None): 141, (2026, 1): 20, (2026, 2): 70}),
        MatrixIndicatorDef(3, "IND-02", "Jumlah ATS", None, "anak", "turun", 13411, 2025, "Pusdatin", "total",
                           "Kutai Timur", ["1.1.1", "1.1.2"], {(2026, None): 10000}),
    ]
    assert m.plan == MatrixPlan("SITISEK", "Perpres 3/2026", 2026, 2028, 13411, 2025, 6705,
                                "Strategi Anti Anak Tidak Sekolah")


def test_messy_sample() -> None:
    m = parse_file("rad_messy.xlsx")
    assert m.errors == [] and m.warnings == []
    assert m.title == "MATRIKS RENCANA AKSI DAERAH (RAD) PENANGANAN ANAK TIDAK SEKOLAH"
    assert m.default_year == 2026
    assert m.columns["tw1"] == "TW I" and m.columns["when"] == "Waktu Pelaksanaan" and "pillar" not in m.columns
    p1, p2 = (1, "Validasi Data"), (2, "Pencegahan")
    g11, g21 = ("1.1", "Pendataan ATS"), ("2.1", "Kampanye")
    assert m.actions == [
        _action(7, p1, g11, "1.1.1", "Verval by name by address", lead_agency="Disdikbud",
                supporting_agencies=["TP-PKK", "DPMDes"], budget=1250000, start_date=D(2026, 1, 1),
                due_date=D(2026, 12, 31), categories=["BPB", "DO", "LTM"],
                milestones=[MatrixMilestone("Penyusunan SK tim", D(2026, 3, 31), "selesai", D(2026, 3, 15))],
                indicators=[MatrixIndicator(7, "Desa selesai verval", "desa", None, 141, 2026,
                                            {1: 20, 2: 70, 3: 120, 4: 141}),
                            MatrixIndicator(8, "Persentase anak terverifikasi", "%", None, 12.5, 2026)]),
        _action(9, p1, g11, "1.1.2", "Pembentukan tim ATS desa", lead_agency="Disdikbud",
                supporting_agencies=["Kemenag", "Camat"],
                locations=["Desa Teluk Lingga (Kec. Sangatta Utara)", "Bengalon"],
                start_date=D(2026, 1, 1), due_date=D(2026, 12, 31), categories=["DO"],
                indicators=[MatrixIndicator(9, "Tim terbentuk", "desa", None, 1250, 2026)]),
        _action(12, p2, g21, "2.1.1", "Kampanye cegah perkawinan anak", description="Bersama Kemenag",
                lead_agency="DPPPA", budget=75000000, start_date=D(2026, 7, 1), due_date=D(2026, 9, 30),
                categories=["DO"]),
        _action(13, p2, g21, "2.1.2", "Kunjungan rumah", lead_agency="DPPPA", supporting_agencies=["Dinsos"],
                budget=5000000, start_date=D(2026, 7, 1), due_date=D(2026, 9, 30), categories=["LTM"]),
        _action(14, p2, g21, "2.1.3", "Forum lintas sektor", lead_agency="Bappeda", start_date=D(2026, 12, 1),
                due_date=D(2026, 12, 31), categories=["LTM"]),
    ]
    assert m.indicator_defs == [] and m.plan is None


def test_marks_sample() -> None:
    m = parse_file("rad_marks.xlsx")
    assert m.errors == [] and m.title == "RENCANA AKSI ATS 2025-2026" and m.default_year == 2026
    got = [(a.code, a.pillar_number, a.pillar_name, a.program_code, a.program_name, a.title, a.start_date,
            a.due_date) for a in m.actions]
    assert got == [
        ("1.1.1", 1, "Validasi data", "1.1", "Pendataan", "Verval tahap 1", D(2026, 1, 1), D(2026, 6, 30)),
        ("1.1.2", 1, "Validasi data", "1.1", "Pendataan", "Verval tahap 2", D(2026, 7, 1), D(2026, 12, 31)),
        ("1.2.1", 1, "Validasi data", "1.2", "Tim ATS", "SK tim", D(2026, 1, 1), D(2026, 3, 31)),
        ("2.1.1", 2, "Pencegahan", "2.1", "Kampanye", "Kampanye", D(2026, 4, 1), D(2026, 9, 30)),
    ]
    assert m.actions[0].indicators == [MatrixIndicator(3, "Desa selesai", None, None, 141, 2026)]
    assert m.actions[3].indicators == [MatrixIndicator(6, "Desa terjangkau", None, None, 40, 2026,
                                                       {1: 10, 2: 10, 3: 10, 4: 10})]
    assert m.actions[3].lead_agency == "DPPPA"


def test_errors_sample_rows() -> None:
    m = parse_file("rad_errors.xlsx")
    got = sorted((e.row, e.message, e.column) for e in m.errors)
    assert got == sorted([
        (3, msg.NO_TITLE, "Kegiatan"), (4, msg.NOT_A_NUMBER, "Anggaran"), (5, msg.BAD_WHEN, "Tenggat"),
        (6, msg.BAD_DAY, "Tenggat"), (7, msg.DUE_BEFORE_START, None), (8, msg.NO_DATE, None),
        (9, msg.DUPLICATE_CODE, None), (10, msg.BAD_CATEGORY, "Sasaran ATS"), (11, msg.BAD_MILESTONE, "Tahapan"),
        (12, msg.NOT_A_NUMBER, "Target"), (13, msg.NO_TITLE, "Kegiatan"), (14, msg.BAD_MILESTONE, "Tahapan"),
    ])
    for e in m.errors:  # every message renders with its parameters
        assert e.params["row"] == e.row and "%(" not in e.message % e.params
    dup = next(e for e in m.errors if e.message == msg.DUPLICATE_CODE)
    assert dup.params == {"row": 9, "code": "1.1.1", "first": 2, "other": "Aksi yang benar"}


def test_more_row_and_file_errors() -> None:
    no_pillar = parse_matrix(book_bytes([["No", "Kegiatan", "Indikator", "Tenggat"],
                                         ["1.1.1", "Aksi tanpa pilar", None, "31/12/2026"]]), "x.xlsx")
    assert [(e.row, e.message) for e in no_pillar.errors] == [(2, msg.NO_PILLAR)]
    no_program = parse_matrix(book_bytes([["No", "Pilar", "Kegiatan", "Tenggat"],
                                          ["1.1.1", "1. Data", "Aksi tanpa program", "31/12/2026"]]), "x.xlsx")
    assert [(e.row, e.message) for e in no_program.errors] == [(2, msg.NO_PROGRAM)]
    no_action = parse_matrix(book_bytes([["Judul"], ["No", "Pilar", "Program", "Indikator", "Tenggat"]]), "x.xlsx")
    assert [(e.row, e.message, e.params) for e in no_action.errors] == [
        (None, msg.NO_ACTION_COLUMN, {"column": "Kegiatan/Aksi", "row": 2})]
    nothing = parse_matrix(book_bytes([["Hanya catatan"]]), "x.xlsx")
    assert [e.message for e in nothing.errors] == [msg.NO_HEADER]
    no_year = parse_matrix(book_bytes([["Pilar", "Program", "Kegiatan", "TW I", "Indikator", "Target"],
                                       ["Data", "Pendataan", "Aksi", "v", "Desa", 3],
                                       ["Data", "Pendataan", "Aksi 2", None, "Desa", "abc"]]), "x.xlsx")
    assert sorted((e.row, e.message) for e in no_year.errors) == [(2, msg.MARKS_NO_YEAR), (3, msg.NOT_A_NUMBER),
                                                                 (3, msg.NO_DATE)]
    no_indicator = parse_matrix(book_bytes([["Pilar", "Program", "Kegiatan", "Indikator", "Target", "Tenggat"],
                                            ["Data", "Pendataan", "Aksi", None, 5, "Des 2026"]]), "x.xlsx")
    assert [(e.row, e.message, e.column) for e in no_indicator.errors] == [(2, msg.NO_INDICATOR, "Indikator")]
    no_year_text = parse_matrix(book_bytes([["Pilar", "Program", "Kegiatan", "Jadwal"],
                                            ["Data", "Pendataan", "Aksi", "Triwulan 3"]]), "x.xlsx")
    assert [(e.row, e.message, e.column) for e in no_year_text.errors] == [(2, msg.NO_YEAR_IN, "Jadwal")]


def test_year_from_title_lines() -> None:
    data = book_bytes([["MATRIKS RAD ATS"], ["KABUPATEN KUTAI TIMUR TAHUN 2027"], [],
                       ["Pilar", "Program", "Kegiatan", "Jadwal"], ["Data", "Pendataan", "Aksi", "Triwulan 3"]])
    m = parse_matrix(data, "x.xlsx")
    assert m.errors == [] and m.title == "MATRIKS RAD ATS" and m.default_year == 2027
    assert (m.actions[0].start_date, m.actions[0].due_date) == (D(2027, 7, 1), D(2027, 9, 30))


def test_refused_files() -> None:
    with pytest.raises(FileRefused):
        parse_matrix(b"No;Kegiatan\n1;x\n", "matriks.csv")
    with pytest.raises(FileRefused):
        parse_matrix(b"PK\x03\x04 broken", "matriks.xlsx")
    with pytest.raises(FileRefused) as err:  # a zip bomb: tiny, but huge once unpacked
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/big.xml", b"0" * (60 * 1024 * 1024))
        parse_matrix(buf.getvalue(), "bom.xlsx")
    assert err.value.params == {"mb": 50}


def test_numbering_variants() -> None:
    data = book_bytes([
        ["No", "Kegiatan", "Tenggat"],
        ["I.", "Pilar Validasi: Data"],  # no number in the text: the section's own
        ["1.1", "Pendataan"],
        [None, "b. Tim ATS", "31/12/2026"],
        ["3.", "Verval", "31/12/2026"],
        [None, "Tanpa nomor", "31/12/2026"],
        ["1.1.9.", "Kode penuh", "31/12/2026"],
        ["II", "PENCEGAHAN"],
        [None, "Program Kampanye"],
        ["a", "Kampanye", "Des 2026"],
        ["Jumlah", None, None],
    ], merges=("B2:C2", "B3:C3", "B8:C8", "B9:C9"))
    m = parse_matrix(data, "x.xlsx")
    assert m.errors == []
    assert [(a.code, a.title, a.pillar_number, a.pillar_name, a.program_code, a.program_name)
            for a in m.actions[:4]] == [
        ("1.1.2", "Tim ATS", 1, "Pilar Validasi: Data", "1.1", "Pendataan"),
        ("1.1.3", "Verval", 1, "Pilar Validasi: Data", "1.1", "Pendataan"),
        ("1.1.4", "Tanpa nomor", 1, "Pilar Validasi: Data", "1.1", "Pendataan"),  # 1.1.3 is taken
        ("1.1.9", "Kode penuh", 1, "Pilar Validasi: Data", "1.1", "Pendataan")]
    assert [a.code for a in m.actions] == ["1.1.2", "1.1.3", "1.1.4", "1.1.9", "2.1.1"]
    assert (m.actions[4].pillar_name, m.actions[4].program_name, m.actions[4].start_date) == (
        "PENCEGAHAN", "Kampanye", D(2026, 12, 1))


# ----------------------------------------------------------------------------- round trip

def _blank_rows(m: ParsedMatrix) -> ParsedMatrix:
    """Row numbers are the sheet's: they differ between a file and its rewrite."""
    m = copy.deepcopy(m)
    for a in m.actions:
        a.row = 0
        for ind in a.indicators:
            ind.row = 0
    for d in m.indicator_defs:
        d.row = 0
    return m


def assert_round_trip(m: ParsedMatrix, year: int = 2026, extras: dict[str, ActionExtras] | None = None) -> bytes:
    data = write_matrix(m, extras or {}, [m.title or "", "Kabupaten Kutai Timur"] if m.title else [], year)
    back = parse_matrix(data, "rad.xlsx")
    assert back.errors == [], [e.message % e.params for e in back.errors]
    got, want = _blank_rows(back), _blank_rows(m)
    for a, b in zip(got.actions, want.actions, strict=True):
        assert a == b
    assert got.indicator_defs == want.indicator_defs
    assert got.plan == want.plan
    assert back.title == m.title
    return data


def test_round_trip_samples() -> None:
    for name in ("rad_clean.xlsx", "rad_messy.xlsx", "rad_marks.xlsx"):
        assert_round_trip(parse_file(name))


def test_round_trip_hard_text_and_layout() -> None:
    act = _action(0, (1, "=Validasi \"data\""), ("1.1", "+Pendataan"), "1.1.1", "=SUM(A1:A9)\nbaris dua ✓ é 漢",
                  output="-keluaran", description="@catatan\n\nlagi", lead_agency="-Disdikbud",
                  supporting_agencies=["=Bappeda", "Kemenag (madrasah, pesantren)"], locations=["+Bengalon"],
                  funding_source="=APBD", budget=0, start_date=D(2026, 1, 1), due_date=D(2027, 12, 31),
                  sub_kegiatan_code="1.01.02.2.01", categories=["LTM"],
                  milestones=[MatrixMilestone("=rapat [draf]", D(2026, 2, 1)),
                              MatrixMilestone("Rapat – dua", D(2026, 3, 1), "dibatalkan"),
                              MatrixMilestone("Selesai", D(2026, 4, 1), "selesai", D(2026, 3, 30))],
                  indicators=[MatrixIndicator(0, f"Indikator {i}", "%", i / 4, i * 10.5, 2026,
                                              {q: i + q / 2 for q in range(1, 5) if (q + i) % 2})
                              for i in range(7)] + [MatrixIndicator(0, "-", None, None, None, None)][:0])
    bare = _action(0, (1, "=Validasi \"data\""), ("1.1", "+Pendataan"), "1.1.2", "Tanpa apa-apa",
                   start_date=D(2026, 5, 1), due_date=D(2026, 5, 1))
    m = ParsedMatrix(title="-Matriks", actions=[act, bare],
                     indicator_defs=[MatrixIndicatorDef(0, "=I1", "+nama", "def\nbaris", None, None, None, None,
                                                        None, None, None, [], {(2027, 4): 1.5})],
                     plan=MatrixPlan(name="=SITISEK", description="dua\nbaris"))
    extras = {"1.1.1": ActionExtras("terlambat", True, 35, D(2026, 6, 2))}
    data = assert_round_trip(m, extras=extras)
    ws = load_workbook(io.BytesIO(data))[MAIN_SHEET]
    formula_like = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert formula_like and all(c.data_type == "s" and c.quotePrefix for c in formula_like)
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Terlambat (manual)" in values and "Seluruh kabupaten" in values
    assert "Target per triwulan 2026" in values and "Target 2026" in values
    assert ws.freeze_panes and ws.print_title_rows and ws.page_setup.orientation == "landscape"


_WORD = st.text(alphabet="abcXYZé漢✓019=+-@:/'.%", min_size=1, max_size=6)
_LINE = st.lists(_WORD, min_size=1, max_size=4).map(" ".join).filter(lambda s: s not in ("-", "–"))
_ITEM = st.lists(st.text(alphabet="abXYZé0=+-@", min_size=1, max_size=6), min_size=1, max_size=3).map(
    " ".join).filter(lambda s: s != "-" and " dan " not in f" {s.lower()} ")
_TEXT = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)
_DAY = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
_NUM = st.integers(min_value=0, max_value=10**7).map(lambda n: n / 4)


@st.composite
def _indicator(draw: st.DrawFn) -> MatrixIndicator:
    quarters = draw(st.dictionaries(st.integers(1, 4), _NUM, max_size=4))
    target = draw(st.none() | _NUM)
    return MatrixIndicator(0, draw(_TEXT), draw(st.none() | _LINE), draw(st.none() | _NUM), target,
                           2026 if target is not None or quarters else None, quarters)


@st.composite
def _matrix(draw: st.DrawFn) -> ParsedMatrix:
    actions = []
    for p in range(1, draw(st.integers(1, 3)) + 1):
        pillar = "P" + draw(_LINE)  # names start with a letter: "1.1 : x" reads as "1.1" and "x"
        for g in range(1, draw(st.integers(1, 2)) + 1):
            program = "G" + draw(_LINE)
            for k in range(1, draw(st.integers(1, 3)) + 1):
                start = draw(_DAY)
                locations = draw(st.lists(_ITEM, max_size=3, unique=True))
                if split_locations("; ".join(locations)) != locations:
                    locations = []
                actions.append(MatrixAction(
                    0, p, pillar, f"{p}.{g}", program, f"{p}.{g}.{k}", "T" + draw(_TEXT),
                    output=draw(st.none() | _TEXT), description=draw(st.none() | _TEXT),
                    lead_agency=draw(st.just("") | _ITEM),
                    supporting_agencies=draw(st.lists(_ITEM, max_size=3, unique=True)), locations=locations,
                    funding_source=draw(st.none() | _LINE), budget=draw(st.none() | st.integers(0, 10**12)),
                    start_date=start, due_date=start + (draw(_DAY) - D(2020, 1, 1)) / 10,
                    sub_kegiatan_code=draw(st.none() | _LINE),
                    categories=[c for c in ("BPB", "DO", "LTM") if draw(st.booleans())],
                    milestones=[MatrixMilestone(draw(_LINE), draw(_DAY), s, draw(st.none() | _DAY))
                                for s in draw(st.lists(st.sampled_from(["belum_mulai", "berjalan", "selesai",
                                                                        "dibatalkan"]), max_size=3))],
                    indicators=draw(st.lists(_indicator(), max_size=4))))
    defs = [MatrixIndicatorDef(0, f"I-{i}", draw(_TEXT), draw(st.none() | _TEXT), draw(st.none() | _LINE),
                               draw(st.sampled_from([None, "naik", "turun"])), draw(st.none() | _NUM),
                               draw(st.none() | st.integers(2000, 2100)), draw(st.none() | _LINE),
                               draw(st.none() | _LINE), draw(st.none() | _LINE),
                               draw(st.lists(st.sampled_from([a.code for a in actions]), max_size=2, unique=True)),
                               draw(st.dictionaries(st.tuples(st.integers(2025, 2028), st.none() | st.integers(1, 4)),
                                                    _NUM, max_size=3)))
            for i in range(draw(st.integers(0, 3)))]
    plan = draw(st.none() | st.builds(MatrixPlan, st.none() | _TEXT, st.none() | _LINE, st.none() | st.integers(2000,
                2100), st.none() | st.integers(2000, 2100), st.none() | st.integers(0, 10**6)))
    return ParsedMatrix(title=draw(st.none() | _LINE.map(lambda s: "R" + s)), actions=actions,
                        indicator_defs=defs, plan=plan)


@pytest.mark.engine_independent  # parsing alone: once, in the SQLite run
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_matrix())
def test_round_trip_property(m: ParsedMatrix) -> None:
    assert_round_trip(m)


def test_parse_time_300_rows() -> None:
    actions = [_action(0, (1 + i // 50, f"Pilar {i // 50}"), (f"{1 + i // 50}.1", "Program"), f"{1 + i // 50}.1.{i}",
                       f"Aksi {i}", lead_agency="Disdikbud", start_date=D(2026, 1, 1), due_date=D(2026, 12, 31),
                       indicators=[MatrixIndicator(0, f"Indikator {i}.{j}", "desa", 1, 2, 2026) for j in range(2)])
               for i in range(150)]
    data = write_matrix(ParsedMatrix(actions=actions), {}, ["Matriks"], 2026)
    started = time.perf_counter()
    m = parse_matrix(data, "big.xlsx")
    elapsed = time.perf_counter() - started
    print(f"parse of 300 matrix rows: {elapsed:.3f} s")
    assert m.errors == [] and len(m.actions) == 150 and sum(len(a.indicators) for a in m.actions) == 300


# ----------------------------------------------------------------------------- review regressions

HEAD = ["No", "Strategi/Pilar", "Program", "Kegiatan/Aksi", "Tenggat", "Penanggung jawab", "Anggaran"]


def test_overlong_digit_strings_are_row_errors_not_crashes():
    """400 nines read as a float are infinite (int() of it raised OverflowError); 5000 digits overflow
    int()'s string limit (ValueError): both escaped parse_matrix as a 500."""
    data = book_bytes([HEAD,
                       ["1.1.1", "1. Pilar", "1.1 Program", "Aksi a", "Des 2026", "Dinsos", "9" * 400],
                       ["9" * 5000, "9" * 5000 + ". Pilar", "1.2 Program", "Aksi b", "Des 2026", "Dinsos", 1000]])
    m = parse_matrix(data, "x.xlsx")
    assert [(e.row, e.message, e.column) for e in m.errors] == [(2, msg.NOT_A_NUMBER, "Anggaran")]
    assert m.actions[0].budget is None
    assert m.actions[1].pillar_number > 999  # refused by the importer with the row (test_rad_import)
    with pytest.raises(rp.NotANumber):
        parse_number("9" * 400)


def test_a_list_prefix_is_kept_in_the_title_when_the_no_column_gives_the_code():
    """The export writes the code in No and the title as stored: "a. Pendataan" must read back as itself."""
    data = book_bytes([HEAD,
                       ["1.1.1", "1. Pilar", "1.1 Program", "a. Pendataan ulang", "Des 2026", "Dinsos", None],
                       ["1.1.2", None, None, "1) Rapat koordinasi", "Des 2026", "Dinsos", None],
                       [None, None, None, "c. Kunjungan rumah", "Des 2026", "Dinsos", None]])
    m = parse_matrix(data, "x.xlsx")
    assert not m.errors
    assert [(a.code, a.title) for a in m.actions] == [
        ("1.1.1", "a. Pendataan ulang"), ("1.1.2", "1) Rapat koordinasi"), ("1.1.3", "Kunjungan rumah")]
