"""Setting up a real installation on an empty, migrated database: the region's areas, the reference lists, the
regency's agencies and the first admin, in one transaction. Never a demo account.

A second run for the same admin on what the first run made changes nothing and says so; a database that already
holds a plan, users or areas of its own is refused, naming what it holds, so `setup` cannot overwrite a real
installation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from coordinator.accounts.users import create_user, normalise_email
from coordinator.admin.reference_data import load_reference_lists
from coordinator.core.errors import N_, DomainError
from coordinator.models import LEVEL_DESA, LEVEL_KECAMATAN, LIST_FUNDING_SOURCE, Agency, Area, Plan, ReferenceItem, User
from coordinator.models.user import ROLE_ADMIN
from coordinator.setup.agencies import KUTIM_AGENCIES, AgencyDefault, load_agencies
from coordinator.setup.region import Region, load_region


@dataclass
class SetupResult:
    already_done: bool
    kecamatan: int
    desa: int
    funding_sources: int
    agencies: int
    admin_email: str


@dataclass(frozen=True)
class Holdings:
    plans: int
    users: int
    areas: int
    agencies: int

    def described(self) -> str:
        parts = [(self.plans, "rencana aksi"), (self.users, "pengguna"), (self.areas, "wilayah"),
                 (self.agencies, "instansi")]
        return ", ".join(f"{n} {what}" for n, what in parts if n)


def holdings(session: Session) -> Holdings:
    def count(model: type) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return Holdings(plans=count(Plan), users=count(User), areas=count(Area), agencies=count(Agency))


def _summary(session: Session, admin_email: str, already_done: bool) -> SetupResult:
    def count(*where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(Area).where(*where)) or 0)

    return SetupResult(
        already_done=already_done, kecamatan=count(Area.level == LEVEL_KECAMATAN), desa=count(Area.level == LEVEL_DESA),
        funding_sources=int(session.scalar(select(func.count()).select_from(ReferenceItem).where(
            ReferenceItem.list_name == LIST_FUNDING_SOURCE)) or 0),
        agencies=int(session.scalar(select(func.count()).select_from(Agency)) or 0), admin_email=admin_email)


def _set_up_before(session: Session, have: Holdings, admin_email: str) -> bool:
    """True when the database holds exactly what a setup for this admin made (and nothing since)."""
    if have.plans or have.users != 1 or not have.areas or not have.agencies:
        return False
    admin = session.scalar(select(User).where(User.email == admin_email))
    return admin is not None and admin.role == ROLE_ADMIN


def check_empty(session: Session, admin_email: str) -> bool:
    """False when the database may be set up; True when this admin's setup was done before (nothing to do).
    Raises DomainError naming what a database that is not empty holds."""
    email = normalise_email(admin_email)
    have = holdings(session)
    if _set_up_before(session, have, email):
        return True
    if have.plans or have.users or have.areas or have.agencies:
        raise DomainError(N_("Basis data ini sudah berisi %(found)s. `setup` hanya menyiapkan basis data yang baru "
                             "dimigrasi; tidak ada yang diubah."), found=have.described())
    return False


def set_up(session: Session, region: Region, *, admin_email: str, admin_name: str, admin_password: str,
           now: datetime, agencies: tuple[AgencyDefault, ...] = KUTIM_AGENCIES) -> SetupResult:
    """Loads everything an installation needs before its first login. Flushes; the caller commits. Raises
    DomainError, changing nothing, for a database that is not empty or an admin the account rules refuse."""
    if region.errors:
        raise DomainError(N_("Berkas wilayah berisi kesalahan; tidak ada yang dimuat."))
    email = normalise_email(admin_email)
    if check_empty(session, email):
        return _summary(session, email, already_done=True)
    load_region(session, region)
    load_reference_lists(session)
    load_agencies(session, agencies)
    create_user(session, email=email, name=admin_name.strip() or "Administrator", password=admin_password,
                role=ROLE_ADMIN, agency_id=None, locale="id", now=now)
    return _summary(session, email, already_done=False)
