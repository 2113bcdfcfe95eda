"""Importing the by-name ATS list (BNBA): XLSX or CSV, columns found by their header names.

Preview first, then save all or nothing. Each row is checked: a NIK of 16 digits whose birth-date
digits agree with the birth date (day + 40 for girls), a NISN of 10 digits where given, an NPSN of 8,
a known desa (by code, or by name within its kecamatan), a category, no NIK twice in the file. The same
NIK as an earlier import is the same child: its row is updated (its verification is kept), never doubled.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from coordinator.ats.match import AreaMatcher, name_key
from coordinator.core.errors import N_, DomainError
from coordinator.core.table_files import FileRefused, NotACount, read_cells
from coordinator.models import Child, VervalImport
from coordinator.verval.child_data import ChildDataKey, ascii_digits, check_nik, mask_nik

MAX_ROWS = 100_000
MAX_UNZIPPED = 200 * 1024 * 1024
ERRORS_SHOWN = 200


def _key(text: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).split())


HEADERS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nik anak", "nomor induk kependudukan"),
    "nisn": ("nisn", "no nisn"),
    "nama": ("nama", "nama anak", "nama lengkap", "nama peserta didik", "nama pd", "nama siswa"),
    "jenis_kelamin": ("jenis kelamin", "jk", "l p", "kelamin", "gender"),
    "tempat_lahir": ("tempat lahir", "tmp lahir", "tempat"),
    "tanggal_lahir": ("tanggal lahir", "tgl lahir", "tanggal lahir dd mm yyyy", "tgl lahir dd mm yyyy"),
    "nama_ibu": ("nama ibu", "nama ibu kandung", "nama ibu kepala keluarga", "nama kepala keluarga",
                 "kepala keluarga", "nama ibu kk", "ibu kandung"),
    "dusun": ("dusun", "alamat", "alamat dusun", "dusun lingkungan", "alamat jalan dusun"),
    "rt": ("rt",),
    "rw": ("rw",),
    "desa": ("desa", "desa kelurahan", "kelurahan", "nama desa", "desa kel", "kelurahan desa"),
    "kode_desa": ("kode desa", "kode desa kelurahan", "kode wilayah", "kode kemendagri"),
    "kecamatan": ("kecamatan", "nama kecamatan", "kec"),
    "kategori": ("kategori", "kategori ats", "jenis ats", "status ats"),
    "jenjang": ("jenjang", "kelas terakhir", "jenjang kelas terakhir", "jenjang kelas", "kelas", "tingkat terakhir"),
    "npsn": ("npsn", "npsn sekolah terakhir", "npsn terakhir", "npsn sekolah"),
    "sumber": ("sumber", "sumber data"),
}
HEADER_OF = {_key(h): f for f, names in HEADERS.items() for h in names}
REQUIRED = ("nik", "nama", "tanggal_lahir", "kategori")
SEX = {"l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "male": "L", "m": "L",
       "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P"}
CATEGORY = {"bpb": "BPB", "belum pernah bersekolah": "BPB", "belum pernah sekolah": "BPB", "do": "DO",
            "drop out": "DO", "dropout": "DO", "putus sekolah": "DO", "ltm": "LTM",
            "lulus tidak melanjutkan": "LTM", "lulus tidak lanjut": "LTM"}
DATE_PATTERNS = (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"))


@dataclass
class RowIssue:
    row: int
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChildRow:
    row: int
    nik: str
    values: dict[str, Any]


@dataclass
class Preview:
    file_name: str
    file_sha256: str
    rows: list[ChildRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    error_count: int = 0
    new: int = 0
    updated: int = 0
    by_kecamatan: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    columns: dict[str, int] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)
    seen_before: bool = False  # this very file was imported already
    skipped_erased: int = 0  # rows of children erased on request: not imported again

    @property
    def can_save(self) -> bool:
        return not self.error_count and not self.missing_columns and bool(self.rows)

    def error(self, row: int, message: str, **params: Any) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_SHOWN:
            self.errors.append(RowIssue(row, message, params))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _digits(value: Any) -> str:
    """NIK/NISN/NPSN cells: numbers saved by Excel, a leading apostrophe, spaces or dots in between; full-width
    and other Unicode digits become ASCII (so the same NIK typed two ways is one child)."""
    return ascii_digits(re.sub(r"[\s.'’-]", "", _text(value)))


def _shown(value: str) -> str:
    """A cell value quoted in an error message, masked when it looks like an identifier."""
    digits = ascii_digits(value)
    return mask_nik(digits) if len(digits) >= 8 and digits.isdigit() else value[:40]


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for i, pattern in enumerate(DATE_PATTERNS):
        m = pattern.match(text)
        if m:
            parts = [int(x) for x in m.groups()]
            d, mo, y = (parts[0], parts[1], parts[2]) if i == 0 else (parts[2], parts[1], parts[0])
            try:
                return date(y, mo, d)
            except ValueError:
                return None
    return None


def _find_header(cells: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The first of the top rows naming at least three known columns."""
    for i, row in enumerate(cells[:20]):
        found: dict[str, int] = {}
        for col, value in enumerate(row):
            field_name = HEADER_OF.get(_key(value))
            if field_name and field_name not in found:
                found[field_name] = col
        if len(found) >= 3:
            return i, found
    return None


def _area(p: Preview, matcher: AreaMatcher, n: int, desa: str, kec: str, kode: str) -> str | None:
    if kode:
        if matcher.by_code(kode) and not matcher.is_kecamatan(kode):
            return kode
        p.error(n, N_("Kode desa %(kode)s tidak dikenal."), kode=kode)
        return None
    if not desa:
        p.error(n, N_("Desa/kelurahan kosong."))
        return None
    kec_kode = matcher.kecamatan.get(name_key(kec)) if kec else None
    if kec and kec_kode is None:
        p.error(n, N_("Kecamatan %(name)s tidak dikenal di Kutai Timur."), name=kec)
        return None
    key = name_key(desa)
    if kec_kode:
        found = matcher.desa_in.get((kec_kode, key))
        if found is None and key in matcher.aliases and matcher.parents.get(matcher.aliases[key]) == kec_kode:
            found = matcher.aliases[key]
    else:
        options = matcher.desa_any.get(key, [])
        found = options[0] if len(options) == 1 else None
    if found is None:
        p.error(n, N_("Desa %(desa)s tidak dikenal di Kecamatan %(kec)s."), desa=desa, kec=kec or "–")
    return found


def preview(session: Session, data: bytes, file_name: str, key: ChildDataKey) -> Preview:
    p = Preview(file_name=file_name, file_sha256=hashlib.sha256(data).hexdigest())
    p.seen_before = session.scalar(select(VervalImport.id).where(VervalImport.file_sha256 == p.file_sha256)
                                   .limit(1)) is not None
    try:
        cells = read_cells(data, file_name, max_rows=MAX_ROWS, max_unzipped=MAX_UNZIPPED)
    except FileRefused as err:
        raise DomainError(err.message, **err.params) from err
    except NotACount as err:
        raise DomainError(N_("Berkas tidak dapat dibaca sebagai XLSX atau CSV.")) from err
    header = _find_header(cells)
    if header is None:
        raise DomainError(N_("Baris judul kolom tidak ditemukan: berkas perlu kolom seperti NIK, Nama, Tanggal Lahir, "
                             "Desa, Kecamatan dan Kategori."))
    h, columns = header
    p.columns = columns
    p.missing_columns = [f for f in REQUIRED if f not in columns]
    if "kode_desa" not in columns and not ("desa" in columns and "kecamatan" in columns):
        p.missing_columns += [f for f in ("desa", "kecamatan") if f not in columns]
    if p.missing_columns:
        return p
    matcher = AreaMatcher.load(session)
    existing = dict(session.execute(select(Child.nik_hash, Child.id).where(Child.nik_hash.is_not(None))).all())
    erased = set(session.scalars(select(Child.nik_hash).where(Child.erased_at.is_not(None),
                                                              Child.nik_hash.is_not(None))))
    first_row: dict[str, int] = {}

    def cell(row: list[Any], name: str) -> Any:
        col = columns.get(name)
        return row[col] if col is not None and col < len(row) else None

    for offset, row in enumerate(cells[h + 1:], start=h + 2):
        if not any(_text(c) for c in row):
            continue
        errors_before = p.error_count
        nik = _digits(cell(row, "nik"))
        birth = parse_date(cell(row, "tanggal_lahir"))
        sex_text = _key(cell(row, "jenis_kelamin"))
        sex = SEX.get(sex_text) if sex_text else None
        if sex_text and sex is None:
            p.error(offset, N_("Jenis kelamin %(value)s tidak dikenal (L atau P)."),
                    value=_shown(_text(cell(row, "jenis_kelamin"))))
        if birth is None:
            p.error(offset, N_("Tanggal lahir kosong atau tidak sah: %(value)s."),
                    value=_shown(_text(cell(row, "tanggal_lahir"))))
        problem = check_nik(nik, birth, sex)
        if problem:
            p.error(offset, problem)
        nisn = _digits(cell(row, "nisn"))
        if nisn and not re.fullmatch(r"[0-9]{10}", nisn):
            p.error(offset, N_("NISN harus 10 angka."))
        npsn = _digits(cell(row, "npsn"))
        if npsn and not re.fullmatch(r"[0-9]{8}", npsn):
            p.error(offset, N_("NPSN harus 8 angka."))
        category = CATEGORY.get(_key(cell(row, "kategori")))
        if category is None:
            p.error(offset, N_("Kategori %(value)s tidak dikenal (BPB, DO atau LTM)."),
                    value=_shown(_text(cell(row, "kategori"))))
        nama = _text(cell(row, "nama"))
        if not nama:
            p.error(offset, N_("Nama kosong."))
        desa_kode = _area(p, matcher, offset, _text(cell(row, "desa")), _text(cell(row, "kecamatan")),
                          _text(cell(row, "kode_desa")))
        if nik and nik in first_row:
            p.error(offset, N_("NIK yang sama sudah ada di baris %(first)s."), first=first_row[nik])
        elif nik:
            first_row[nik] = offset
        if p.error_count > errors_before:
            continue
        assert desa_kode is not None and birth is not None and category is not None
        if key.nik_hash(nik) in erased:
            p.skipped_erased += 1
            continue
        values = {
            "nisn": nisn or None, "nama": nama[:200], "jenis_kelamin": sex,
            "tempat_lahir": _text(cell(row, "tempat_lahir"))[:100] or None,
            "tanggal_lahir": birth, "birth_year": birth.year, "nama_ibu": _text(cell(row, "nama_ibu"))[:200] or None,
            "dusun": _text(cell(row, "dusun"))[:100] or None, "rt": _digits(cell(row, "rt"))[:5] or None,
            "rw": _digits(cell(row, "rw"))[:5] or None, "desa_kode": desa_kode, "kategori": category,
            "jenjang_kelas": _text(cell(row, "jenjang"))[:40] or None, "npsn_terakhir": npsn or None,
            "sumber": _text(cell(row, "sumber"))[:200] or None,
        }
        p.rows.append(ChildRow(offset, nik, values))
        if key.nik_hash(nik) in existing:
            p.updated += 1
        else:
            p.new += 1
        p.by_kecamatan[matcher.kecamatan_of(desa_kode)] += 1
        p.by_category[category] += 1
    if not p.rows and not p.error_count and not p.skipped_erased:
        raise DomainError(N_("Berkas tidak berisi satu baris anak pun di bawah judul kolom."))
    return p


@dataclass
class SaveResult:
    batch: VervalImport
    created: int
    updated: int


def save(session: Session, data: bytes, file_name: str, key: ChildDataKey, now: datetime, user_id: int | None,
         source: str | None = None, checked: Preview | None = None) -> SaveResult:
    """Writes every row, or nothing (DomainError). Flushes, never commits. The file is checked again unless
    `checked` is its preview made in this same transaction (the command line), so nothing changed between."""
    p = checked if checked is not None and checked.file_sha256 == hashlib.sha256(data).hexdigest() \
        else preview(session, data, file_name, key)
    if p.missing_columns:
        raise DomainError(N_("Kolom wajib tidak ada: %(columns)s."), columns=", ".join(p.missing_columns))
    if not p.can_save:
        raise DomainError(N_("Berkas berisi %(n)s kesalahan; tidak ada yang disimpan."), n=p.error_count)
    batch = VervalImport(file_name=file_name[:255], file_sha256=p.file_sha256, rows=len(p.rows), created=p.new,
                         updated=p.updated, source=(source or "")[:200] or None, created_at=now,
                         created_by_id=user_id)
    session.add(batch)
    session.flush()
    existing = dict(session.execute(select(Child.nik_hash, Child.id).where(Child.nik_hash.is_not(None),
                                                                      Child.erased_at.is_(None))).all())
    inserts, updates = [], []
    for r in p.rows:
        digest = key.nik_hash(r.nik)
        if digest in existing:
            updates.append({"id": existing[digest], **r.values, "last_import_id": batch.id, "updated_at": now})
        else:
            inserts.append({**r.values, "nik_hash": digest, "nik_encrypted": key.encrypt(r.nik),
                            "nik_masked": mask_nik(r.nik), "first_import_id": batch.id, "last_import_id": batch.id,
                            "created_at": now, "updated_at": now})
    for start in range(0, len(inserts), 2000):
        session.execute(insert(Child), inserts[start:start + 2000])
    if updates:
        session.execute(update(Child), updates)
    session.flush()
    return SaveResult(batch, len(inserts), len(updates))
