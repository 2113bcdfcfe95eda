"""The by-name ATS list (BNBA) and its village verification (verval).

Children's data is specific personal data (UU 27/2022): the NIK is kept only as a keyed hash (for
exact search and de-duplication) and encrypted (for display to those allowed); every view and export
of a child's record is logged in `child_access_log`. Erasing a child anonymises the row but keeps its
desa, category, verification status and outcome, so aggregate counts stay intact.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.reference import LIST_VERVAL_REASON, LIST_VERVAL_STATUS  # noqa: F401 - re-exported

# The status that confirms a child is out of school (the others explain why the child is not ATS).
STATUS_VALID_ATS = "ats_valid"
OUTCOMES = ("formal", "paket", "pesantren", "lkp", "belum")  # belum: not (yet) back
RETURNED_OUTCOMES = ("formal", "paket", "pesantren", "lkp")
WILLINGNESS = ("ya", "tidak", "ragu")


class VervalImport(db.Model):
    __tablename__ = "verval_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int]
    created: Mapped[int]
    updated: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Child(db.Model):
    """One child of the list. The same NIK is the same child: a later import updates the row."""

    __tablename__ = "child"
    __table_args__ = (Index("ix_child_desa_name", "desa_kode", "nama"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nik_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # HMAC-SHA256; None once erased
    nik_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    nik_masked: Mapped[str | None] = mapped_column(String(20))  # 6408••••••••0012
    nisn: Mapped[str | None] = mapped_column(String(10))
    nama: Mapped[str | None] = mapped_column(String(200))
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))  # L | P
    tempat_lahir: Mapped[str | None] = mapped_column(String(100))
    tanggal_lahir: Mapped[date | None]
    nama_ibu: Mapped[str | None] = mapped_column(String(200))
    dusun: Mapped[str | None] = mapped_column(String(100))
    rt: Mapped[str | None] = mapped_column(String(5))
    rw: Mapped[str | None] = mapped_column(String(5))
    desa_kode: Mapped[str] = mapped_column(ForeignKey("area.kode"), index=True)
    kategori: Mapped[str] = mapped_column(String(3))  # BPB | DO | LTM
    jenjang_kelas: Mapped[str | None] = mapped_column(String(40))
    npsn_terakhir: Mapped[str | None] = mapped_column(String(8))
    sumber: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None]  # kept after erasure, for age groups
    first_import_id: Mapped[int | None] = mapped_column(ForeignKey("verval_import.id"))
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("verval_import.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The latest verification, kept on the child for lists (the history is in child_verification).
    status: Mapped[str | None] = mapped_column(String(40), index=True)
    verified_on: Mapped[date | None]
    erased_at: Mapped[datetime | None]
    erase_reason: Mapped[str | None] = mapped_column(String(200))

    desa: Mapped["Area"] = relationship()  # noqa: F821, UP037
    verifications: Mapped[list[ChildVerification]] = relationship(
        back_populates="child", order_by="ChildVerification.id.desc()")
    cases: Mapped[list[ChildCase]] = relationship(back_populates="child", order_by="ChildCase.id.desc()")


class ChildVerification(db.Model):
    """One visit's finding. Never deleted: a later verification supersedes it on the child."""

    __tablename__ = "child_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    status: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(40))
    willing_to_return: Mapped[str | None] = mapped_column(String(5))
    disability: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date]
    verifier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]

    child: Mapped[Child] = relationship(back_populates="verifications")
    verifier: Mapped["User"] = relationship()  # noqa: F821, UP037


class ChildCase(db.Model):
    """A child confirmed out of school, followed by an action of the plan, with the outcome and its date."""

    __tablename__ = "child_case"
    __table_args__ = (UniqueConstraint("child_id", "action_id", name="uq_child_case_child_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10), default="belum")
    outcome_date: Mapped[date | None]
    school_npsn: Mapped[str | None] = mapped_column(String(8))
    institution: Mapped[str | None] = mapped_column(String(200))  # the PKBM, pesantren or LKP
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    child: Mapped[Child] = relationship(back_populates="cases")
    action: Mapped["Action"] = relationship()  # noqa: F821, UP037


class VerifierArea(db.Model):
    """The desa a village verifier works in."""

    __tablename__ = "verifier_area"
    __table_args__ = (UniqueConstraint("user_id", "area_kode", name="uq_verifier_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    area_kode: Mapped[str] = mapped_column(ForeignKey("area.kode"))


class ChildAccessLog(db.Model):
    """Who looked at or exported which child's record, and refused attempts (UU 27/2022: a record of processing)."""

    __tablename__ = "child_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # view | edit | export_csv | export_xlsx | refused | erase
    detail: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped["User | None"] = relationship()  # noqa: F821, UP037


class VervalSettings(db.Model):
    """One row: how long personal data is kept."""

    __tablename__ = "verval_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    retention_years: Mapped[int] = mapped_column(default=5)
    updated_at: Mapped[datetime | None]


class OfflineDevice(db.Model):
    """A verifier's phone prepared for work without signal: the key its browser encrypts the downloaded children
    with. The key is handed out only to the session that asked for it (`session_token`, which changes at logout),
    so a lost phone without a live session opens nothing; it ends at `expires_at` (VERVAL_OFFLINE_DAYS)."""

    __tablename__ = "offline_device"
    __table_args__ = (UniqueConstraint("user_id", "device_id", name="uq_offline_device_user_device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    session_token: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # 32 random bytes, base64url
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class OfflineRecord(db.Model):
    """A verification recorded without signal, as it reached the server: once per client-generated id (a second
    sync of the same record changes nothing). `result` applied, conflict (someone verified the child after the
    download: shown side by side until the verifier chooses) or refused (the same rules as the online form)."""

    __tablename__ = "offline_record"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_offline_record_user_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    payload: Mapped[str] = mapped_column(Text)  # the fields as the verifier entered them (JSON)
    base_verification_id: Mapped[int | None]  # the child's latest verification when the package was downloaded
    result: Mapped[str] = mapped_column(String(10))
    message: Mapped[str | None] = mapped_column(String(300))
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("child_verification.id"))
    conflict_with_id: Mapped[int | None] = mapped_column(ForeignKey("child_verification.id"))
    received_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
