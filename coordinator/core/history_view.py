"""The change history as a person reads it: field names in words, ids as names, dates as dates."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext

from coordinator.core.errors import N_
from coordinator.core.formatting import fmt_date, fmt_datetime, fmt_money, fmt_number
from coordinator.extensions import db
from coordinator.models import (
    LIST_FUNDING_SOURCE,
    Action,
    Agency,
    Area,
    AuditEntry,
    Pillar,
    Program,
    ReferenceItem,
    User,
)

FIELD_LABELS = {
    "code": N_("Kode"), "title": N_("Judul"), "name": N_("Nama"), "nama": N_("Nama"), "description": N_("Uraian"),
    "output": N_("Keluaran"), "lead_agency_id": N_("Penanggung jawab"), "supporting_agencies": N_("Instansi terkait"),
    "areas": N_("Wilayah sasaran"), "ats_categories": N_("Kategori ATS"), "start_date": N_("Tanggal mulai"),
    "due_date": N_("Tenggat"), "budget_amount": N_("Anggaran"), "funding_source": N_("Sumber dana"),
    "sub_kegiatan_code": N_("Kode sub kegiatan"), "marked_complete": N_("Ditandai selesai"),
    "completed_on": N_("Tanggal selesai"), "status_override": N_("Status manual"),
    "override_reason": N_("Alasan status manual"), "deleted_at": N_("Dihapus pada"), "program_id": N_("Program"),
    "pillar_id": N_("Pilar"), "plan_id": N_("Rencana"), "action_id": N_("Aksi"), "state": N_("Status"),
    "number": N_("Nomor"), "legal_basis": N_("Dasar hukum"), "start_year": N_("Tahun awal"),
    "end_year": N_("Tahun akhir"), "baseline_ats": N_("Baseline ATS"), "baseline_year": N_("Tahun baseline"),
    "target_ats": N_("Target ATS"), "definition": N_("Definisi"), "unit": N_("Satuan"),
    "direction": N_("Arah"), "baseline_value": N_("Nilai baseline"), "data_source": N_("Sumber data"),
    "actions": N_("Aksi terkait"), "year": N_("Tahun"), "quarter": N_("Triwulan"), "value": N_("Nilai"),
    "source": N_("Sumber"), "note": N_("Catatan"), "short_name": N_("Nama singkat"), "kind": N_("Jenis"),
    "aliases": N_("Nama lain"), "head_name": N_("Kepala"), "head_email": N_("Email kepala"),
    "active": N_("Aktif"), "level": N_("Tingkat"), "jenis": N_("Jenis"), "parent_kode": N_("Kecamatan"),
    "email": N_("Email"), "role": N_("Peran"), "agency_id": N_("Instansi"), "locale": N_("Bahasa"),
    "label_id": N_("Label (Indonesia)"), "label_en": N_("Label (Inggris)"), "position": N_("Urutan"),
    "list_name": N_("Daftar"), "ats_metric": N_("Ukuran ATS"), "ats_area_kode": N_("Wilayah ATS"),
    "password": N_("Kata sandi"), "entered_by_id": N_("Diisi oleh"), "entered_at": N_("Diisi pada"),
    "indicator_id": N_("Indikator"), "amount": N_("Jumlah"), "budget_realised": N_("Realisasi anggaran"),
    "closed_by_id": N_("Ditutup oleh"), "reopened_by_id": N_("Dibuka kembali oleh"),
    "baseline_due_date": N_("Tenggat awal"), "reschedule_count": N_("Dijadwal ulang"),
    "due_change_reason": N_("Alasan perubahan tenggat"), "merged_into_id": N_("Digabung ke aksi"),
    "text": N_("Teks"), "meeting_id": N_("Rapat"), "area_kode": N_("Wilayah"), "closing_note": N_("Laporan selesai"),
    "review_comment": N_("Catatan tinjauan"), "cancel_reason": N_("Alasan pembatalan"),
    "closed_on": N_("Selesai pada"), "held_on": N_("Tanggal rapat"), "chair": N_("Pimpinan rapat"),
    "place": N_("Tempat"), "agenda": N_("Agenda"), "minutes": N_("Notulen"),
}
ENTITY_LABELS = {
    "plan": N_("rencana"), "pillar": N_("pilar"), "program": N_("program"), "action": N_("aksi"),
    "milestone": N_("tahapan"), "indicator": N_("indikator"), "indicator_target": N_("target indikator"),
    "indicator_value": N_("nilai indikator"), "agency": N_("instansi"), "area": N_("wilayah"),
    "reference_item": N_("butir referensi"), "user": N_("pengguna"),
    "monthly_snapshot": N_("penutupan bulan"), "report_settings": N_("pengaturan laporan"),
    "action_funding": N_("sumber dana aksi"), "progress_update": N_("laporan kemajuan"),
    "meeting": N_("rapat"), "follow_up": N_("tindak lanjut"),
}
HIDDEN = {"id", "created_at"}
AGENCY_FIELDS = {"lead_agency_id", "agency_id", "supporting_agencies"}
AREA_FIELDS = {"areas", "parent_kode", "ats_area_kode"}
USER_FIELDS = {"entered_by_id", "author_id", "verifier_id"}  # and every *_by_id: ids of user_account
MONEY_FIELDS = {"budget_amount", "amount", "budget_realised"}  # and every *_amount
# Whole numbers that are names, not quantities: a year reads 2026, not 2.026.
PLAIN_NUMBERS = {"year", "quarter", "position", "number", "send_day"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class HistoryRow:
    at: datetime
    who: str | None
    operation: str
    what: str
    label: str | None
    changes: list[Change]


def _kind(key: str) -> str | None:
    """Which table a field's ids point into, for the fields shown by name."""
    if key in AGENCY_FIELDS:
        return "agency"
    if key in AREA_FIELDS:
        return "area"
    if key in USER_FIELDS or key.endswith("_by_id"):
        return "user"
    return {"program_id": "program", "pillar_id": "pillar", "action_id": "action", "merged_into_id": "action"}.get(key)


def _names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """Every id the entries mention, resolved with one statement per kind."""
    wanted: dict[str, set[str]] = {"agency": set(), "area": set(), "program": set(), "pillar": set(), "user": set(),
                                   "action": set()}
    for e in entries:
        for values in (e.before or {}, e.after or {}):
            for key, value in values.items():
                kind = _kind(key)
                if kind and value is not None:
                    wanted[kind].update(str(v) for v in (value if isinstance(value, list) else [value]))
    names: dict[tuple[str, str], str] = {}
    if wanted["agency"]:
        ids = [int(i) for i in wanted["agency"] if i.isdigit()]
        for ident, short in db.session.execute(db.select(Agency.id, Agency.short_name).where(Agency.id.in_(ids))):
            names[("agency", str(ident))] = short
    if wanted["area"]:
        for kode, nama in db.session.execute(db.select(Area.kode, Area.nama).where(Area.kode.in_(wanted["area"]))):
            names[("area", kode)] = nama
    if wanted["program"]:
        ids = [int(i) for i in wanted["program"] if i.isdigit()]
        for ident, code, name in db.session.execute(
                db.select(Program.id, Program.code, Program.name).where(Program.id.in_(ids))):
            names[("program", str(ident))] = f"{code} {name}"
    if wanted["pillar"]:
        ids = [int(i) for i in wanted["pillar"] if i.isdigit()]
        for ident, number, name in db.session.execute(
                db.select(Pillar.id, Pillar.number, Pillar.name).where(Pillar.id.in_(ids))):
            names[("pillar", str(ident))] = f"{number}. {name}"
    if wanted["action"]:
        ids = [int(i) for i in wanted["action"] if i.isdigit()]
        for ident, code, title in db.session.execute(
                db.select(Action.id, Action.code, Action.title).where(Action.id.in_(ids))):
            names[("action", str(ident))] = f"{code} {title}"
    if wanted["user"]:
        ids = [int(i) for i in wanted["user"] if i.isdigit()]
        for ident, name in db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))):
            names[("user", str(ident))] = name
    return names


def _show(key: str, value: Any, names: dict[tuple[str, str], str]) -> str:
    if value is None or value == "" or value == []:
        return "–"
    kind = _kind(key)
    if kind:
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.get((kind, str(v)), str(v)) for v in items)
    if key == "password":
        return gettext("diganti")
    if isinstance(value, bool):
        return gettext("ya") if value else gettext("tidak")
    if isinstance(value, (int, float)) and (key in MONEY_FIELDS or key.endswith("_amount")):
        return fmt_money(value)
    if isinstance(value, (int, float)) and key not in PLAIN_NUMBERS and not key.endswith(("_id", "_year")):
        return fmt_number(value)  # 12.802 and 12,5 (12,802 and 12.5 in English), never 12802.0
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return fmt_datetime(datetime.fromisoformat(value))
    if isinstance(value, str) and ISO_DATE.match(value):
        return fmt_date(date.fromisoformat(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _funding_labels(entries: list[AuditEntry]) -> dict[str, str]:
    if not any(e.entity_type == "action_funding" for e in entries):
        return {}
    return {code: label for code, label in db.session.execute(db.select(ReferenceItem.code, ReferenceItem.label_id)
                                                               .where(ReferenceItem.list_name == LIST_FUNDING_SOURCE))}


def readable_history(entries: list[AuditEntry]) -> list[HistoryRow]:
    names = _names(entries)
    funding = _funding_labels(entries)  # an action's funding row reads "APBD Kabupaten", not "Sumber APBD"
    rows = []
    for e in entries:
        own = e.entity_type == "action_funding"
        keys = [k for k in (e.after or e.before or {}) if k not in HIDDEN
                and not (own and k in ("action_id", "position"))]

        def show(k: str, value: Any, own: bool = own) -> str:
            return funding.get(str(value), str(value)) if own and k == "source" and value else _show(k, value, names)

        changes = [Change(gettext(N_("Sumber dana") if own and k == "source" else FIELD_LABELS[k])
                          if k in FIELD_LABELS else k,
                          show(k, (e.before or {}).get(k)) if e.operation != "create" else "",
                          show(k, (e.after or {}).get(k)) if e.operation != "delete" else "")
                   for k in keys]
        if e.operation == "create":
            changes = [c for c in changes if c.after != "–"]
        what = gettext(ENTITY_LABELS[e.entity_type]) if e.entity_type in ENTITY_LABELS else e.entity_type
        label = funding.get(e.label or "", e.label) if own else e.label
        rows.append(HistoryRow(e.at, e.user.name if e.user else None, e.operation, what, label, changes))
    return rows
