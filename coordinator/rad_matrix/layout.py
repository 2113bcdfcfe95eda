"""The RAD matrix as coordinators keep it in Excel: its columns and what one parsed row holds.

Shared by the reader (parse), the importer (importing) and the writer (export),
so that what we write is exactly what we read back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAIN_SHEET = "Matriks RAD"
INDICATOR_SHEET = "Indikator"
PLAN_SHEET = "Rencana"

# key, header we write, other headers people use (compared lower-case, spaces and punctuation folded)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("no", "No", ("no.", "nomor", "kode", "kode aksi", "no urut")),
    ("pillar", "Strategi/Pilar", ("strategi", "pilar", "strategi pilar", "sasaran strategis", "strategi / pilar")),
    ("program", "Program", ("program kegiatan", "nama program")),
    ("action", "Kegiatan/Aksi", ("kegiatan", "aksi", "rencana aksi", "kegiatan aksi", "nama kegiatan", "uraian aksi")),
    ("output", "Keluaran", ("output", "keluaran output", "keluaran/output")),
    ("indicator", "Indikator", ("indikator kinerja", "indikator keluaran", "indikator capaian")),
    ("unit", "Satuan", ("sat", "sat.")),
    ("baseline", "Baseline", ("kondisi awal", "baseline kondisi awal", "data dasar")),
    ("target", "Target", ("target akhir", "target kinerja")),  # also "Target 2026": the year is read from it
    ("tw1", "TW I", ("triwulan i", "triwulan 1", "tw 1", "tw1", "q1")),
    ("tw2", "TW II", ("triwulan ii", "triwulan 2", "tw 2", "tw2", "q2")),
    ("tw3", "TW III", ("triwulan iii", "triwulan 3", "tw 3", "tw3", "q3")),
    ("tw4", "TW IV", ("triwulan iv", "triwulan 4", "tw 4", "tw4", "q4")),
    ("start", "Mulai", ("tanggal mulai", "waktu mulai", "awal")),
    ("due", "Tenggat", ("selesai", "tanggal selesai", "batas waktu", "target waktu", "tenggat waktu", "akhir")),
    ("when", "Waktu pelaksanaan", ("waktu", "jadwal", "jadwal pelaksanaan", "waktu pelaksanaan kegiatan")),
    ("location", "Lokasi", ("lokasi sasaran", "wilayah", "lokus", "lokasi kegiatan")),
    ("lead", "Penanggung jawab", ("penanggungjawab", "pj", "opd penanggung jawab", "instansi penanggung jawab",
                                  "perangkat daerah penanggung jawab", "leading sector")),
    ("supporting", "Instansi terkait", ("opd terkait", "instansi pendukung", "pendukung", "mitra",
                                        "perangkat daerah terkait")),
    ("funding", "Sumber dana", ("sumber anggaran", "sumber pendanaan")),
    ("budget", "Anggaran (Rp)", ("anggaran", "pagu", "pagu anggaran", "anggaran rp", "perkiraan anggaran")),
    ("sub_kegiatan", "Kode sub kegiatan", ("sub kegiatan", "kode subkegiatan", "kode sub kegiatan apbd")),
    ("categories", "Sasaran ATS", ("kategori ats", "sasaran", "kategori")),
    ("milestones", "Tahapan", ("tahapan kegiatan", "milestone", "tahapan pelaksanaan")),
    ("remarks", "Keterangan", ("ket", "ket.", "catatan")),
    # Written for readers, never read back: status and progress come from reports, not from the matrix.
    ("status", "Status", ()),
    ("progress", "Progres (%)", ("progres", "capaian (%)")),
    ("last_report", "Laporan terakhir", ()),
]
EXPORT_ONLY = {"status", "progress", "last_report"}
QUARTER_KEYS = ("tw1", "tw2", "tw3", "tw4")
# Grouped under one header cell above their own (a two-row header).
GROUPS = {"Target per triwulan": QUARTER_KEYS, "Waktu pelaksanaan": ("start", "due")}

# Sheet "Indikator": one row per indicator of the plan, so nothing about indicators is lost.
INDICATOR_COLUMNS: list[tuple[str, str]] = [
    ("code", "Kode"), ("name", "Nama indikator"), ("definition", "Definisi"), ("unit", "Satuan"),
    ("direction", "Arah (naik/turun)"), ("baseline", "Baseline"), ("baseline_year", "Tahun baseline"),
    ("data_source", "Sumber data"), ("ats_metric", "Metrik ATS"), ("ats_area", "Wilayah ATS"),
    ("actions", "Aksi terkait"),
]  # then one column per target: "Target 2026" (year) and "Target 2026 TW I" (quarter)

# Sheet "Rencana": label in column A, value in column B.
PLAN_FIELDS: list[tuple[str, str]] = [
    ("name", "Nama rencana"), ("legal_basis", "Dasar hukum"), ("start_year", "Tahun awal"),
    ("end_year", "Tahun akhir"), ("baseline_ats", "Baseline ATS"), ("baseline_year", "Tahun baseline"),
    ("target_ats", "Target ATS"), ("description", "Deskripsi"),
]

MILESTONE_STATE_WORDS = {"belum_mulai": "belum mulai", "berjalan": "berjalan", "selesai": "selesai",
                         "dibatalkan": "dibatalkan"}


@dataclass
class Issue:
    """A problem with the file, on a sheet row (None: the file as a whole). message is an N_ msgid."""

    row: int | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str = MAIN_SHEET
    column: str | None = None  # the header as written in the file


@dataclass
class MatrixMilestone:
    title: str
    due_date: date
    state: str = "belum_mulai"  # one of models.MILESTONE_STATES
    completed_on: date | None = None


@dataclass
class MatrixIndicator:
    """An indicator named on an action's row; the full definition may come from the Indikator sheet."""

    row: int
    name: str
    unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    target_year: int | None = None
    quarter_targets: dict[int, float] = field(default_factory=dict)  # 1..4 -> value, for target_year


@dataclass
class MatrixAction:
    row: int  # first sheet row of the action (1-based, as Excel shows it)
    pillar_number: int
    pillar_name: str
    program_code: str
    program_name: str
    code: str
    title: str
    output: str | None = None
    description: str | None = None  # Keterangan
    lead_agency: str = ""  # as written; matched to an agency by importing
    supporting_agencies: list[str] = field(default_factory=list)
    # The two cells as written: the import splits them again knowing the agencies, so that a name holding "dan",
    # "/" or "," (Dinas Pendidikan dan Kebudayaan, Kepala Desa/Lurah) stays one agency (resolve.split_agencies).
    lead_text: str = field(default="", compare=False)
    supporting_text: str = field(default="", compare=False)
    locations: list[str] = field(default_factory=list)  # as written; empty: the whole regency
    funding_source: str | None = None  # as written: "APBD, CSR" or "APBD: 600.000.000; CSR: 300.000.000"
    # From columns per source: (name as in the header, rupiah; None for a mark such as √)
    funding_amounts: list[tuple[str, int | None]] = field(default_factory=list)
    budget: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    sub_kegiatan_code: str | None = None
    categories: list[str] = field(default_factory=list)  # BPB / DO / LTM
    milestones: list[MatrixMilestone] = field(default_factory=list)
    indicators: list[MatrixIndicator] = field(default_factory=list)


@dataclass
class MatrixIndicatorDef:
    row: int
    code: str
    name: str
    definition: str | None = None
    unit: str | None = None
    direction: str | None = None  # naik | turun
    baseline: float | None = None
    baseline_year: int | None = None
    data_source: str | None = None
    ats_metric: str | None = None
    ats_area: str | None = None  # as written
    action_codes: list[str] = field(default_factory=list)
    targets: dict[tuple[int, int | None], float] = field(default_factory=dict)  # (year, quarter or None)


@dataclass
class MatrixPlan:
    name: str | None = None
    legal_basis: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    baseline_ats: int | None = None
    baseline_year: int | None = None
    target_ats: int | None = None
    description: str | None = None


@dataclass
class ParsedMatrix:
    title: str | None = None  # the first title line above the table
    default_year: int | None = None  # for "Triwulan 3" without a year
    plan: MatrixPlan | None = None  # from the Rencana sheet, when there is one
    title_plan: MatrixPlan | None = None  # what the title rows say: "TAHUN 2026-2028", "Baseline ATS: 13.411"
    columns: dict[str, str] = field(default_factory=dict)  # key -> header as written
    actions: list[MatrixAction] = field(default_factory=list)
    indicator_defs: list[MatrixIndicatorDef] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class ActionExtras:
    """Export-only columns of one action: where it stands now (never read back)."""

    status: str  # a models.STATUS_VALUES value
    overridden: bool = False
    progress: int | None = None  # percent of the latest current report
    last_report: date | None = None  # when the latest current report was posted (WITA date)
