"""Makes the sample RAD matrices of tests/data, as coordinators keep them in Excel.

Run: .venv/bin/python tests/data/make_rad_samples.py (the outputs are committed).
- rad_clean.xlsx: one header row, pillar and program columns, Mulai/Tenggat, Indikator and Rencana sheets.
- rad_messy.xlsx: title rows, a two-row header, pillars as section rows, a merged program column, "a." numbering,
  dates in words, "Rp 1.250.000", an action merged over its indicators, a Jumlah row.
- rad_marks.xlsx: no date column; triwulan marked with v / √ / x.
- rad_errors.xlsx: one error per row, on known rows (see tests/rad_matrix/test_parse.py).
- rad_kutim_dinas.xlsx: as Kutim's agencies write them: the period and the baseline/target ATS in the title rows,
  agencies by their official names ("Dinas Pendidikan dan Kebudayaan", "Kepala Desa/Lurah") and two in one cell
  ("Dinsos dan DPPPA"), several funding sources per action in the cell ("APBN/APBD", "APBD: 600.000.000; CSR:
  300.000.000") and in amount columns grouped under "Anggaran (Rp)" (APBD | CSR | Dana Desa | Jumlah).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent


def _rows(ws: Worksheet, rows: list[Any]) -> None:
    for row in rows:
        ws.append(row)


def clean() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Matriks RAD"
    _rows(ws, [
        ["No", "Strategi/Pilar", "Program", "Kegiatan/Aksi", "Keluaran", "Indikator", "Satuan", "Baseline",
         "Target 2026", "Mulai", "Tenggat", "Lokasi", "Penanggung jawab", "Instansi terkait", "Sumber dana",
         "Anggaran (Rp)", "Sasaran ATS", "Tahapan", "Keterangan"],
        ["1.1.1", "1. Validasi data", "1.1 Pendataan by name by address", "Verval data ATS bersama PKK dan RT",
         "Data BNBA tervalidasi", "Desa selesai verval", "desa", 0, 141, datetime(2026, 1, 5), datetime(2026, 6, 30),
         "Seluruh kabupaten", "Disdikbud", "TP-PKK, DPMDes; Disdukcapil", "APBD", 1250000, "BPB, DO, LTM",
         "31/03/2026 – Penyusunan SK tim [selesai 15/03/2026]\n30/06/2026 – Verval tahap 1 [berjalan]", None],
        ["1.1.1", "1. Validasi data", "1.1 Pendataan by name by address", "Verval data ATS bersama PKK dan RT",
         None, "Anak terverifikasi", "anak", 5497, 10539, None, None, None, None, None, None, None, None, None, None],
        ["1.1.2", "1. Validasi data", "1.1 Pendataan by name by address", "Pembentukan tim ATS",
         None, None, None, None, None, "01/02/2026", "28/02/2026", "Kec. Sangatta Utara; Bengalon",
         "Disdikbud dan Bappeda", "Kemenag", "APBD", "-", "Semua", None, "Dengan SK Bupati"],
        ["2.1.1", "2. Pencegahan", "2.1 Kampanye", "Kampanye cegah perkawinan anak", "Kampanye di 18 kecamatan",
         "Kecamatan terjangkau", "kecamatan", None, 18, "2026-03-01", "2026-11-30", "18 kecamatan", "DPPPA",
         None, "APBD", "Rp 75.000.000", "DO", "31 Mei 2026 - Kampanye tahap 1", "Bersama Kemenag"],
    ])
    ind = wb.create_sheet("Indikator")
    _rows(ind, [
        ["Kode", "Nama indikator", "Definisi", "Satuan", "Arah (naik/turun)", "Baseline", "Tahun baseline",
         "Sumber data", "Metrik ATS", "Wilayah ATS", "Aksi terkait", "Target 2026", "Target 2026 TW I",
         "Target 2026 TW II"],
        ["IND-01", "Desa selesai verval", "Desa yang seluruh anaknya sudah diverval", "desa", "naik", 0, 2025,
         "Laporan verval", None, None, "1.1.1", 141, 20, 70],
        ["IND-02", "Jumlah ATS", None, "anak", "turun", "13.411", 2025, "Pusdatin", "total", "Kutai Timur",
         "1.1.1, 1.1.2", "10.000", None, None],
    ])
    plan = wb.create_sheet("Rencana")
    _rows(plan, [["Nama rencana", "SITISEK"], ["Dasar hukum", "Perpres 3/2026"], ["Tahun awal", 2026],
                 ["Tahun akhir", 2028], ["Baseline ATS", "13.411"], ["Tahun baseline", 2025],
                 ["Target ATS", 6705], ["Deskripsi", "Strategi Anti Anak Tidak Sekolah"]])
    return wb


MESSY_HEAD = ["No", "Program", "Kegiatan", "Indikator Kinerja", "Sat.", "Target 2026", "Target per triwulan 2026",
              None, None, None, "Waktu Pelaksanaan", "Lokasi", "OPD Penanggung Jawab", "OPD Terkait",
              "Anggaran (Rp)", "Kategori ATS", "Tahapan kegiatan", "Ket."]
MESSY_SUB = [None] * 6 + ["TW I", "TW II", "TW III", "TW IV"] + [None] * 8


def messy() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "RAD"
    _rows(ws, [
        ["MATRIKS RENCANA AKSI DAERAH (RAD) PENANGANAN ANAK TIDAK SEKOLAH"],
        ["KABUPATEN KUTAI TIMUR TAHUN 2026"],
        [],
        MESSY_HEAD,  # row 4
        MESSY_SUB,  # row 5
        ["I", "PILAR 1: Validasi Data"],  # row 6
        ["a.", "Program Pendataan ATS", "Verval by name by address", "Desa selesai verval", "desa", "141",
         "20", "70", "120", "141", "Jan – Des 2026", "Seluruh kabupaten", "Disdikbud", "TP-PKK dan DPMDes",
         "Rp 1.250.000", "BPB, DO, LTM", "31 Maret 2026 - Penyusunan SK tim [selesai 15/03/2026]", "-"],  # row 7
        [None, None, None, "Persentase anak terverifikasi", "%", "12,5", None, None, None, None],  # row 8
        [None, None, "b. Pembentukan tim ATS desa", "Tim terbentuk", "desa", "1.250", None, None, None, None,
         "31 Desember 2026", "Desa Teluk Lingga (Kec. Sangatta Utara), Bengalon", "Disdikbud",
         "Kemenag; Camat", "-", "Putus sekolah", None, None],  # row 9
        [],  # row 10
        ["II", "PILAR 2: Pencegahan"],  # row 11
        ["1", "Program Kampanye", "Kampanye cegah perkawinan anak", None, None, None, None, None, None, None,
         "TW III 2026", "Kab. Kutim", "DPPPA", None, "Rp 75.000.000", "Drop out", None, "Bersama Kemenag"],  # 12
        ["2", None, "Kunjungan rumah", None, None, None, None, None, None, None, "Triwulan 3", "semua kecamatan",
         "DPPPA, Dinsos", None, 5000000, "LTM", None, None],  # row 13
        ["3", None, "Forum lintas sektor", None, None, None, None, None, None, None, "Des 2026", "-", "Bappeda",
         None, None, "Lulus tidak melanjutkan", None, None],  # row 14
        [None, "JUMLAH", None, None, None, None, None, None, None, None, None, None, None, None, 81250000],  # 15
    ])
    ws.merge_cells("A1:R1")
    ws.merge_cells("A2:R2")
    for col in "ABCDEFKLMNOPQR":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("G4:J4")
    ws.merge_cells("B6:R6")
    ws.merge_cells("B11:R11")
    ws.merge_cells("B7:B9")  # the program over both its actions
    for col in "ABCKLMNOPQR":  # the first action over its two indicator rows
        ws.merge_cells(f"{col}7:{col}8")
    ws.merge_cells("B12:B14")
    return wb


def marks() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Matriks"
    _rows(ws, [
        ["RENCANA AKSI ATS 2025-2026"],
        ["Pilar", "Program", "Uraian aksi", "Indikator", "Target 2026", "TW 1", "TW 2", "TW 3", "TW 4",
         "Penanggung jawab"],  # row 2
        ["Validasi data", "Pendataan", "Verval tahap 1", "Desa selesai", 141, "v", "√", None, None, "Disdikbud"],
        ["Validasi data", "Pendataan", "Verval tahap 2", None, None, None, None, "x", "X", "Disdikbud"],
        ["Validasi data", "Tim ATS", "SK tim", None, None, "●", None, None, None, "Bagian Hukum"],
        ["Pencegahan", "Kampanye", "Kampanye", "Desa terjangkau", 40, 10, 10, 10, 10, "DPPPA"],  # quarter targets
        ["Pencegahan", "Kampanye", None, None, None, None, "v", "v", None, None],  # row 7: the same action's marks
    ])
    ws.merge_cells("C6:C7")
    ws.merge_cells("J6:J7")
    return wb


ERRORS_HEAD = ["No", "Pilar", "Program", "Kegiatan", "Indikator", "Target", "Mulai", "Tenggat", "Anggaran",
               "Sasaran ATS", "Tahapan"]


def errors() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Matriks RAD"
    p, g = "1. Validasi", "1.1 Pendataan"
    _rows(ws, [
        ERRORS_HEAD,  # row 1
        ["1.1.1", p, g, "Aksi yang benar", None, None, "01/01/2026", "31/03/2026", None, None, None],  # 2
        ["1.1.2", p, g, None, "Indikator tanpa aksi", 5, "01/01/2026", "31/03/2026", None, None, None],  # 3
        ["1.1.3", p, g, "Anggaran rusak", None, None, "01/01/2026", "31/03/2026", "satu juta", None, None],  # 4
        ["1.1.4", p, g, "Tanggal rusak", None, None, "01/01/2026", "besok", None, None, None],  # 5
        ["1.1.5", p, g, "Tanggal mustahil", None, None, "01/01/2026", "31 Februari 2026", None, None, None],  # 6
        ["1.1.6", p, g, "Terbalik", None, None, "01/06/2026", "31/03/2026", None, None, None],  # 7
        ["1.1.7", p, g, "Tanpa waktu", None, None, None, None, None, None, None],  # 8
        ["1.1.1", p, g, "Judul lain", None, None, "01/01/2026", "31/03/2026", None, None, None],  # 9
        ["1.1.8", p, g, "Sasaran aneh", None, None, "01/01/2026", "31/03/2026", None, "Dewasa", None],  # 10
        ["1.1.9", p, g, "Tahapan rusak", None, None, "01/01/2026", "31/03/2026", None, None,
         "31/03/2026 – Baik\nRapat tanpa tanggal"],  # 11
        ["1.1.10", p, g, "Target rusak", "Indikator", "banyak", "01/01/2026", "31/03/2026", None, None, None],  # 12
        ["2.1.1", None, None, None, None, None, None, None, None, None, None],  # 13: only a code
        ["1.1.11", p, g, "Tahapan status aneh", None, None, "01/01/2026", "31/03/2026", None, None,
         "31/03/2026 – Rapat [tertunda]"],  # 14
    ])
    return wb


KUTIM_HEAD = ["No", "Kegiatan/Aksi", "Indikator", "Satuan", "Target 2026", "Waktu Pelaksanaan", "Lokasi",
              "Penanggung Jawab", "Instansi Terkait", "Sumber Dana", "Anggaran (Rp)", None, None, None,
              "Sasaran ATS"]
KUTIM_SUB = [None] * 10 + ["APBD", "CSR", "Dana Desa", "Jumlah", None]


def kutim() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Matriks RAD"
    _rows(ws, [
        ["MATRIKS RENCANA AKSI DAERAH (RAD) PENANGANAN ANAK TIDAK SEKOLAH"],  # row 1
        ["KABUPATEN KUTAI TIMUR TAHUN 2026 s.d. 2028"],  # row 2
        ["Baseline ATS (2025): 13.411 anak; Target ATS 2028: 6.700 anak"],  # row 3
        KUTIM_HEAD,  # row 4
        KUTIM_SUB,  # row 5
        ["I", "PILAR 1: Validasi Data"],  # row 6
        ["1.1", "Program Pendataan by name by address"],  # row 7
        ["1.1.1", "Verval data ATS bersama kader PKK dan RT", "Desa selesai verval", "desa", 141, "Jan – Des 2026",
         "Seluruh kabupaten", "Dinas Pendidikan dan Kebudayaan", "Tim Penggerak PKK Kabupaten Kutai Timur, "
         "Kepala Desa/Lurah", "APBD, Dana Desa", 600000000, None, 150000000, 750000000, "BPB, DO, LTM"],  # row 8
        ["1.1.2", "Penerbitan akta kelahiran dan KIA bagi ATS", "Anak ber-NIK", "anak", 1200, "TW I – TW IV 2026",
         "Kec. Sangatta Utara; Bengalon", "Dinas Kependudukan dan Pencatatan Sipil",
         "Camat se-Kabupaten Kutai Timur", "APBN/APBD", None, None, None, None, "BPB"],  # row 9
        ["II", "PILAR 2: Pencegahan dan pengembalian"],  # row 10
        ["2.1", "Program Pendampingan keluarga"],  # row 11
        ["2.1.1", "Pendampingan keluarga rentan putus sekolah", "Keluarga didampingi", "keluarga", 500,
         "Mar – Nov 2026", "Kec. Muara Wahau", "Dinsos dan DPPPA", "Satuan pendidikan (sekolah/madrasah)",
         "APBD: 600.000.000; CSR: 300.000.000", None, None, None, 900000000, "DO"],  # row 12
        ["2.1.2", "Kejar paket bagi anak lulus tidak melanjutkan", "Warga belajar", "anak", 300, "Juli 2026",
         "Kec. Bengalon", "Dinas Pendidikan dan Kebudayaan", "PKBM/SKB; Perusahaan (CSR)", "APBD, CSR",
         250000000, 100000000, None, 350000000, "LTM"],  # row 13
        [None, "JUMLAH", None, None, None, None, None, None, None, None, 850000000, 100000000, 150000000,
         None, None],  # row 14
    ])
    for r in (1, 2, 3):
        ws.merge_cells(f"A{r}:O{r}")
    for col in "ABCDEFGHIJO":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("K4:N4")
    for r in (6, 7, 10, 11):
        ws.merge_cells(f"B{r}:O{r}")
    return wb


def main() -> None:
    for name, book in (("rad_clean", clean()), ("rad_messy", messy()), ("rad_marks", marks()),
                       ("rad_errors", errors()), ("rad_kutim_dinas", kutim())):
        book.save(HERE / f"{name}.xlsx")
        print(f"wrote tests/data/{name}.xlsx")


if __name__ == "__main__":
    main()
