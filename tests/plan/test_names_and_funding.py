"""Names and money as people write them in Indonesian plans: agency and funding lists in one cell, rupiah amounts,
the funding text the RAD matrix, the form and the exports share, and the plan's header in the title rows."""
from __future__ import annotations

import pytest

from coordinator.core.money import parse_rupiah
from coordinator.core.names import plain_key, split_names
from coordinator.plan.funding import FundingLookup, FundingShare, funding_text, read_funding
from coordinator.rad_matrix.parse_header import source_of_amount_header
from coordinator.rad_matrix.parse_sheets import plan_from_title

AGENCIES = {plain_key(n) for n in ("Dinas Pendidikan", "Disdikbud", "Dinas Pendidikan dan Kebudayaan", "Dinsos",
                                   "DPPPA", "Kepala Desa/Lurah", "TP-PKK", "DPMDes",
                                   "Dinas Komunikasi, Informatika, Statistik dan Persandian", "PKBM/SKB")}


def known(name: str) -> bool:
    return plain_key(name) in AGENCIES


@pytest.mark.parametrize(("cell", "names"), [
    ("Dinas Pendidikan dan Kebudayaan", ["Dinas Pendidikan dan Kebudayaan"]),
    ("Dinsos dan DPPPA", ["Dinsos", "DPPPA"]),
    ("Dinsos dan Kebudayaan", ["Dinsos dan Kebudayaan"]),  # one half unknown: one (unknown) name, never split
    ("Kepala Desa/Lurah", ["Kepala Desa/Lurah"]),
    ("TP-PKK, DPMDes; Disdukcapil", ["TP-PKK", "DPMDes", "Disdukcapil"]),
    ("Dinas Komunikasi, Informatika, Statistik dan Persandian, Dinsos",
     ["Dinas Komunikasi, Informatika, Statistik dan Persandian", "Dinsos"]),
    ("PKBM/SKB\nDinsos", ["PKBM/SKB", "Dinsos"]),
    ("Dinsos / DPPPA", ["Dinsos", "DPPPA"]),
    ("Kemenag (madrasah, pesantren) dan Dinsos", ["Kemenag (madrasah, pesantren) dan Dinsos"]),
    ("-", []), ("", []),
])
def test_a_cell_of_agencies_splits_only_between_names(cell, names):
    assert split_names(cell, known) == names


@pytest.mark.parametrize(("text", "rupiah"), [
    ("1.250.000", 1_250_000), ("Rp 1.250.000,00", 1_250_000), ("Rp. 600.000.000", 600_000_000),
    ("600 juta", 600_000_000), ("1,2 miliar", 1_200_000_000), ("150 jt", 150_000_000), ("75000000", 75_000_000),
])
def test_rupiah_as_written(text, rupiah):
    assert parse_rupiah(text) == rupiah


@pytest.mark.parametrize("text", ["enam ratus juta", "12,5", "12,345", "1.2.3", "9" * 20, "9" * 400, "Rp", ""])
def test_what_is_no_rupiah_amount(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


def lookup() -> FundingLookup:
    f = FundingLookup()
    for code, label, aliases in (("APBN", "APBN", ""), ("APBD", "APBD Kabupaten", "APBD, APBD Kab"),
                                 ("APBDES", "Dana Desa/ADD (APBDes)", "Dana Desa, DD, ADD, DD/ADD"),
                                 ("CSR", "CSR", "TJSL")):
        f.labels[code] = label
        for text in (code, label, *aliases.split(",")):
            if text.strip():
                f.by_text.setdefault(plain_key(text), code)
    return f


@pytest.mark.parametrize(("text", "shares"), [
    ("APBD, CSR", [("APBD", None), ("CSR", None)]),
    ("APBN/APBD", [("APBN", None), ("APBD", None)]),
    ("APBD: 600.000.000; CSR: 300.000.000", [("APBD", 600_000_000), ("CSR", 300_000_000)]),
    ("DD (Rp 150 juta) dan APBD Rp 1,2 miliar", [("APBDES", 150_000_000), ("APBD", 1_200_000_000)]),
    ("Dana Desa/ADD (APBDes)", [("APBDES", None)]),
    ("DD/ADD", [("APBDES", None)]),
    ("apbd kab.", [("APBD", None)]),
    ("APBD Rp600jt", [("APBD", 600_000_000)]),
    ("APBD 600 juta, CSR 300jt", [("APBD", 600_000_000), ("CSR", 300_000_000)]),
    ("APBD (Rp. 600.000.000,-)", [("APBD", 600_000_000)]),
    ("Rp 600.000.000 (APBD)", [("APBD", 600_000_000)]),
    ("APBD Rp 600.000.000,- dan CSR Rp 300.000.000,-", [("APBD", 600_000_000), ("CSR", 300_000_000)]),
    ("DD: 100.000.000; ADD: 50.000.000", [("APBDES", 150_000_000)]),  # two names of one source: added up
    ("DD dan ADD", [("APBDES", None)]),
    ("APBD 2026", [("APBD", None)]),  # a year, not an amount
    ("APBD TA 2026: 600.000.000", [("APBD", 600_000_000)]),
    ("APBD, CSR: 300 juta", [("APBD", None), ("CSR", 300_000_000)]),
])
def test_funding_cells_as_matrices_write_them(text, shares):
    read = read_funding(text, lookup())
    assert (read.unknown, read.errors) == ([], [])
    assert [(s.source, s.amount) for s in read.shares] == shares


def test_unknown_names_unreadable_and_shared_amounts():
    read = read_funding("APBD: enam ratus juta; Dana Aspirasi; CSR, TJSL", lookup())
    assert read.unknown == ["Dana Aspirasi"]
    assert [m for m, _p in read.errors] == ['Jumlah "%(amount)s" untuk %(name)s bukan jumlah rupiah.']
    assert [(s.source, s.amount) for s in read.shares] == [("CSR", None)]  # CSR and its alias TJSL: one source
    for text in ("APBD/CSR: 600.000.000", "APBD dan CSR Rp 900 juta"):  # one amount for two: nobody can split it
        read = read_funding(text, lookup())
        assert [p["amount"] for _m, p in read.errors] in (["600.000.000"], ["Rp 900 juta"]), text
    mapped = read_funding("Dana Aspirasi", lookup(), {plain_key("Dana Aspirasi"): "CSR"})
    assert [s.source for s in mapped.shares] == ["CSR"] and mapped.unknown == []


@pytest.mark.parametrize("shares", [
    [FundingShare("APBD", 600_000_000), FundingShare("CSR", 300_000_000)],
    [FundingShare("APBN"), FundingShare("APBD")],
    [FundingShare("APBDES", 150_000_000), FundingShare("CSR")],
    [],
])
def test_funding_text_reads_back_as_the_same_shares(shares):
    f = lookup()
    assert read_funding(funding_text(shares, f.labels), f).shares == shares


@pytest.mark.parametrize(("header", "source"), [
    ("APBD (Rp)", "APBD"), ("Anggaran CSR", "CSR"), ("Pagu Dana Desa (Rp)", "Dana Desa"),
    ("Anggaran APBD (Rp)", "APBD"), ("Anggaran (Rp)", None), ("Jumlah (Rp)", None), ("Realisasi (Rp)", None),
    ("Keterangan", None), ("Target 2026", None), ("Anggaran 2026", None), ("Pagu Indikatif (Rp)", None),
    ("Kebutuhan Anggaran (Rp)", None), ("Rencana Anggaran (Rp)", None), ("Anggaran Kegiatan", None),
])
def test_columns_of_amounts_per_source(header, source):
    assert source_of_amount_header(header) == source


@pytest.mark.parametrize(("lines", "period", "baseline", "target"), [
    (["RAD ATS KABUPATEN KUTAI TIMUR TAHUN 2026-2028"], (2026, 2028), (None, None), None),
    (["Tahun 2026 s.d. 2028"], (2026, 2028), (None, None), None),
    (["Periode 2026 s/d 2028", "Baseline ATS (2025): 13.411 anak; Target ATS 2028 = 6.700"], (2026, 2028),
     (13411, 2025), 6700),
    (["Kondisi awal: 13411; target 6.000 anak"], (None, None), (13411, None), 6000),
    (["Kondisi awal ATS tahun 2024 sebanyak 13.411 anak"], (None, None), (13411, 2024), None),
])
def test_the_plan_from_the_title_rows(lines, period, baseline, target):
    plan = plan_from_title(lines)
    assert (plan.start_year, plan.end_year) == period
    assert (plan.baseline_ats, plan.baseline_year) == baseline and plan.target_ats == target


def test_title_rows_that_say_nothing_of_the_plan():
    assert plan_from_title(["MATRIKS RENCANA AKSI DAERAH", "Keadaan per 1 Desember 2026"]) is None
    assert plan_from_title(["TAHUN ANGGARAN 2026"]) is None
    assert plan_from_title(["Target 2028 tercapai"]) is None  # a year, not a number of children
    assert plan_from_title(["Baseline Tahun 2025"]) is None
    assert plan_from_title(["RENCANA KERJA TAHUN PELAJARAN 2025-2026"]) is None  # a school year, not the period
    assert plan_from_title(["Tahun 2028-2026"]) is None  # backwards: not a period


def test_a_cell_of_a_thousand_names_is_read_in_linear_time():
    import time

    started = time.perf_counter()
    assert len(split_names(", ".join(["x"] * 1000), known)) == 1000
    assert read_funding("; ".join(["APBD"] * 1000), lookup()).shares == [FundingShare("APBD")]
    assert time.perf_counter() - started < 2  # was 3,7 s for 500 names, 31 s for 1.000 (cubic)


def test_a_code_means_its_own_source_before_any_alias():
    f = lookup()
    f.codes["DAK_FISIK"] = "DAK_FISIK"
    f.by_text.setdefault(plain_key("DAKFISIK"), "DAK")  # another item's alias with the same plain key
    assert f.find("DAK_FISIK") == "DAK_FISIK"
