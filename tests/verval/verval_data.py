"""Children of the by-name list for the verval tests (on top of the World fixture's areas and users)."""
from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

from coordinator.extensions import db
from coordinator.models import Child, User, VerifierArea
from coordinator.verval.child_data import key_from_config, mask_nik
from tests.conftest import make_user

HEADER = ["NIK", "NISN", "Nama", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Nama Ibu / Kepala Keluarga",
          "Dusun", "RT", "RW", "Desa/Kelurahan", "Kecamatan", "Kategori", "Jenjang/Kelas Terakhir", "NPSN",
          "Sumber"]


def nik_for(birth: date, sex: str, serial: int, region: str = "640804") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def make_child(app, nama: str, desa_kode: str, birth: date = date(2012, 5, 17), sex: str = "L", serial: int = 1,
               kategori: str = "DO", status: str | None = None) -> Child:
    key = key_from_config(app.config)
    nik = nik_for(birth, sex, serial)
    now = datetime(2026, 11, 1)
    child = Child(nik_hash=key.nik_hash(nik), nik_encrypted=key.encrypt(nik), nik_masked=mask_nik(nik),
                  nama=nama, jenis_kelamin=sex, tempat_lahir="Sangatta", tanggal_lahir=birth,
                  birth_year=birth.year, nama_ibu="Ibu " + nama, dusun="Dusun I", rt="003", rw="001",
                  desa_kode=desa_kode, kategori=kategori, created_at=now, updated_at=now, status=status)
    db.session.add(child)
    db.session.flush()
    return child


def make_verifier(email: str, desa_kodes: list[str]) -> User:
    user = make_user(email, "verifikator")
    db.session.flush()
    for kode in desa_kodes:
        db.session.add(VerifierArea(user_id=user.id, area_kode=kode))
    db.session.flush()
    return user


def list_xlsx(rows: list[list[object]], header: list[str] = HEADER, title: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["Data Anak Tidak Sekolah by name by address - Kabupaten Kutai Timur"])
        ws.append([])
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
