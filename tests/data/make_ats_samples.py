"""Makes the sample ATS files of tests/data in the Pusdatin portal layout, with real Kutim names.

Run: .venv/bin/python tests/data/make_ats_samples.py (the outputs are committed).
The clean kecamatan table adds up to Kutim's March 2025 figures: 13.411 = BPB 9.945 + DO 1.996 + LTM 1.470.
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
WILAYAH = HERE.parent.parent / "coordinator" / "data" / "kutim_wilayah.csv"
DO_LEVELS = ["Kel. A", "Kel. B", "KB", "TPA", "SPS"] + [f"Kelas {i}" for i in range(1, 13)]
LTM_LEVELS = ["SD/≤ Kelas 6", "SMP/Kelas 7-9"]
TARGET = {"BPB": 9945, "DO": 1996, "LTM": 1470}
RESIDU = {"BPB": 45, "DO": 16, "LTM": 10}


def kecamatan() -> list[tuple[str, str]]:
    with WILAYAH.open(encoding="utf-8") as fh:
        seen: dict[str, str] = {}
        for row in csv.DictReader(fh):
            seen.setdefault(row["kode_kecamatan"], row["kecamatan"])
    return sorted(seen.items())


def desa_of(kode: str) -> list[tuple[str, str]]:
    with WILAYAH.open(encoding="utf-8") as fh:
        return [(r["kode_desa"], r["desa"]) for r in csv.DictReader(fh) if r["kode_kecamatan"] == kode]


def spread(total: int, weights: list[int]) -> list[int]:
    out = [total * w // sum(weights) for w in weights]
    out[0] += total - sum(out)
    return out


def split_do(n: int) -> list[int]:
    weights = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 3, 2, 2]
    parts = spread(n, weights) if n else [0] * len(weights)
    parts[13] += parts[0]  # keep the early-childhood columns at zero
    parts[0] = 0
    return parts


def split_ltm(n: int) -> list[int]:
    return [n * 2 // 3, n - n * 2 // 3]


def kecamatan_counts() -> list[tuple[str, str, dict[str, int]]]:
    kec = kecamatan()
    weights = [30 if nama == "Sangatta Utara" else 10 + (i * 7) % 13 for i, (_, nama) in enumerate(kec)]
    # Sangatta Utara must stay the highest: it takes the rounding remainder, which spread() puts first.
    order = sorted(range(len(kec)), key=lambda i: -weights[i])
    per_cat = {cat: spread(TARGET[cat] - RESIDU[cat], [weights[i] for i in order]) for cat in TARGET}
    rows = []
    for pos, i in enumerate(order):
        rows.append((kec[i][0], kec[i][1], {cat: per_cat[cat][pos] for cat in TARGET}))
    return sorted(rows)


def wide_rows(rows: list[tuple[str, dict[str, int]]], with_code: list[str] | None = None,
              dotted: bool = False) -> list[list[object]]:
    def num(n: int) -> object:
        return f"{n:,}".replace(",", ".") if dotted else n

    out = []
    for idx, (name, c) in enumerate(rows):
        line: list[object] = [idx + 1 if name not in ("Residu", "Total", "JUMLAH") else ""]
        if with_code is not None:
            line.append(with_code[idx])
        line += [name, num(c["BPB"])] + [num(x) for x in split_do(c["DO"])] + [num(x) for x in split_ltm(c["LTM"])]
        line.append(num(c["BPB"] + c["DO"] + c["LTM"]))
        out.append(line)
    return out


def header(with_code: bool, area_label: str) -> list[list[object]]:
    first = ["No"] + (["Kode Wilayah"] if with_code else []) + [area_label, "Jumlah BPB", "Jumlah DO"]
    first += [None] * (len(DO_LEVELS) - 1) + ["Jumlah LTM", None, "Total"]
    second = [None] * (2 + (1 if with_code else 0) + 1) + DO_LEVELS + LTM_LEVELS + [None]
    return [first, second]


def total_of(rows: list[tuple[str, dict[str, int]]]) -> dict[str, int]:
    return {cat: sum(c[cat] for _, c in rows) for cat in TARGET}


def write_xlsx(path: Path, title: list[str], head: list[list[object]], body: list[list[object]],
               merge_from: int) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Rangkuman ATS"
    for t in title:
        ws.append([t])
    ws.append([])
    for r in head + body:
        ws.append(r)
    h = len(title) + 2
    ws.merge_cells(start_row=h, start_column=merge_from, end_row=h, end_column=merge_from + len(DO_LEVELS) - 1)
    ws.merge_cells(start_row=h, start_column=merge_from + len(DO_LEVELS), end_row=h,
                   end_column=merge_from + len(DO_LEVELS) + 1)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())


def write_csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    path.write_text(buf.getvalue(), encoding="utf-8")


def desa_table(kode: str, nama: str, counts: dict[str, int]) -> list[list[object]]:
    """One kecamatan's desa table: its desa, and a Residu row (its children whose desa is unknown), adding up to
    its row of the kecamatan table."""
    desa = desa_of(kode)
    residu = {cat: max(1, counts[cat] // 150) if counts[cat] else 0 for cat in TARGET}
    weights = [len(desa) - i + 2 for i in range(len(desa))]
    parts = {cat: spread(counts[cat] - residu[cat], weights) for cat in TARGET}
    rows = [(f"Desa {d}", {cat: parts[cat][i] for cat in TARGET}) for i, (_, d) in enumerate(desa)]
    rows.append(("Residu", residu))
    return ([["Rangkuman ATS by Wilayah"], [f"Kecamatan {nama}"], []] + header(False, "Nama Desa/Kelurahan")
            + wide_rows(rows + [("Total", total_of(rows))]))


def csv_bytes(rows: list[list[object]], delimiter: str = ";") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode("utf-8")


def snapshot_samples(kec: list[tuple[str, str, dict[str, int]]]) -> None:
    """A whole 141-desa snapshot as people receive it: a ZIP of the kecamatan table and the 18 desa tables; and a
    workbook with a sheet per table (plus a notes sheet that holds no table)."""
    clean = (HERE / "ats_kecamatan_clean.xlsx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00 Rangkuman kecamatan.xlsx", clean)
        for kode, nama, c in kec:
            archive.writestr(f"{kode} {nama}.csv", csv_bytes(desa_table(kode, nama, c)))
    (HERE / "ats_snapshot_141_desa.zip").write_bytes(buf.getvalue())

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(clean))
    wb.active.title = "Kecamatan"
    for kode, nama, c in kec:
        if nama in ("Sangatta Utara", "Bengalon"):
            ws = wb.create_sheet(nama)
            for r in desa_table(kode, nama, c):
                ws.append(r)
    notes = wb.create_sheet("Catatan")
    notes.append(["Sumber: portal ATS Pusdatin, diunduh oleh operator Disdikbud."])
    out = io.BytesIO()
    wb.save(out)
    (HERE / "ats_snapshot_sheets.xlsx").write_bytes(out.getvalue())


def main() -> None:
    kec = kecamatan_counts()
    area_rows = [(nama, c) for _, nama, c in kec]
    full = area_rows + [("Residu", RESIDU)]
    title = ["Rangkuman ATS by Wilayah", "Kabupaten Kutai Timur - Provinsi Kalimantan Timur",
             "Keadaan per 31 Maret 2025"]
    clean_body = wide_rows(full + [("Total", total_of(full))])
    write_xlsx(HERE / "ats_kecamatan_clean.xlsx", title, header(False, "Nama Wilayah"), clean_body, merge_from=4)

    messy_names = [("KEC. KOMBENG" if n == "Kongbeng" else f"KEC. {n.upper()}", c) for n, c in area_rows]
    messy = messy_names + [("RESIDU", RESIDU)]
    codes = [f"1608{i + 1:02d}" for i in range(len(area_rows))] + ["", ""]
    write_xlsx(HERE / "ats_kecamatan_messy.xlsx", ["RANGKUMAN ATS", "KAB. KUTAI TIMUR"],
               header(True, "Wilayah"), wide_rows(messy + [("JUMLAH", total_of(messy))], codes, dotted=True),
               merge_from=5)

    # Desa table of Sangatta Utara: its desa plus residu add up to its kecamatan row above.
    su = next(c for _, n, c in kec if n == "Sangatta Utara")
    desa = desa_of("64.08.04")
    su_residu = {"BPB": 5, "DO": 2, "LTM": 1}
    desa_counts = {cat: spread(su[cat] - su_residu[cat], [4, 3, 2, 1][: len(desa)]) for cat in TARGET}
    prefix = {"kelurahan": "Kel."}
    desa_rows = [(f"{prefix.get('kelurahan') if nama == 'Teluk Lingga' else 'Desa'} {nama}",
                  {cat: desa_counts[cat][i] for cat in TARGET}) for i, (_, nama) in enumerate(desa)]
    desa_full = desa_rows + [("Residu", su_residu)]
    write_csv(HERE / "ats_desa_sangatta_utara.csv",
              [["Rangkuman ATS by Wilayah"], ["Kecamatan Sangatta Utara"], []]
              + header(False, "Nama Desa/Kelurahan") + wide_rows(desa_full + [("Total", total_of(desa_full))]),
              delimiter=";")

    # The long layout: the whole regency, codes for the first three kecamatan, names for the others.
    long_rows: list[list[object]] = [["kode_wilayah", "kategori", "jenjang", "jumlah"]]
    for i, (kode, nama, c) in enumerate(kec):
        area = kode if i < 3 else ("Kombeng" if nama == "Kongbeng" else nama)
        long_rows.append([area, "BPB", "", c["BPB"]])
        long_rows.append([area, "DO", "", c["DO"]])
        long_rows.append([area, "LTM", "kelas 6", split_ltm(c["LTM"])[0]])
        long_rows.append([area, "LTM", "kelas 9", split_ltm(c["LTM"])[1]])
    for cat in TARGET:
        long_rows.append(["Residu", cat, "", RESIDU[cat]])
    write_csv(HERE / "ats_long.csv", long_rows)

    # DO by kelas labelled with bare numbers (1 … 12), LTM labelled 6 and 9.
    numeric = header(False, "Nama Wilayah")
    numeric[1] = [None] * 3 + DO_LEVELS[:5] + list(range(1, 13)) + [6, 9, None]
    write_csv(HERE / "ats_kecamatan_numeric_subheader.csv", numeric + wide_rows(full))

    # Counts written by a spreadsheet as float text ("343.0") in a one-row header.
    flat = [["No", "Nama Wilayah", "Jumlah BPB", "Jumlah DO", "Jumlah LTM", "Total"]]
    flat += [[i + 1 if n != "Residu" else "", n] + [f"{c[k]}.0" for k in TARGET] + [f"{sum(c.values())}.0"]
             for i, (n, c) in enumerate(full)]
    write_csv(HERE / "ats_kecamatan_float.csv", flat)

    # Categories in the second header row under a merged "Jumlah Anak Tidak Sekolah", a No column, a total
    # column naming the categories, a percentage column; the first kecamatan has only "-" (no children).
    grouped_head = [["No", "Nama Kecamatan", "Jumlah Anak Tidak Sekolah", None, None, None, None],
                    [None, None, "BPB", "DO", "LTM", "Total (BPB+DO+LTM)", "% DO"]]
    grouped_body: list[list[object]] = []
    for i, (n, c) in enumerate(full):
        if i == 0:
            grouped_body.append([1, n, "-", "-", "-", "-", "-"])
            continue
        total = sum(c.values())
        grouped_body.append([i + 1 if n != "Residu" else "", n, c["BPB"], c["DO"], c["LTM"], total,
                             f"{100 * c['DO'] / total:.1f}".replace(".", ",")])
    wb = Workbook()
    ws = wb.active
    for r in [["Rangkuman ATS"], []] + grouped_head + grouped_body:
        ws.append(r)
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=7)
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / "ats_kecamatan_grouped.xlsx").write_bytes(buf.getvalue())

    plain = header(False, "Nama Wilayah") + wide_rows(full)
    broken = {
        "ats_broken_not_a_number.csv": lambda rows: rows[4].__setitem__(2, "banyak"),
        "ats_broken_negative.csv": lambda rows: rows[5].__setitem__(2, -4),
        "ats_broken_unknown_area.csv": lambda rows: rows[6].__setitem__(1, "Kecamatan Antah Berantah"),
        "ats_broken_duplicate.csv": lambda rows: rows[7].__setitem__(1, rows[3][1]),
    }
    for name, damage in broken.items():
        rows = [list(r) for r in plain]
        damage(rows)
        write_csv(HERE / name, rows)

    snapshot_samples(kec)


if __name__ == "__main__":
    main()
