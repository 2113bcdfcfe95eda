"""Per-desa outcomes of a progress update: children reached, and returned to school by pathway.

A progress form carries up to MAX_ROWS rows (desa, reached, returned by pathway), each the
figures of the reported month only, never cumulative (the pages sum the months). The
route hands the raw strings to `check_rows` before anything is recorded, then the
checked rows to `add_outcomes` right after the update is flushed, in one transaction.
A correction carries its own rows: nothing is copied from the update it replaces.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coordinator.core.errors import N_, DomainError
from coordinator.figures.indicator_feed import refresh_returned_indicators
from coordinator.models import Action, Area, ProgressOutcome, ProgressUpdate

MAX_ROWS = 15
NUMBER_FIELDS = ("reached", "returned_formal", "returned_paket", "returned_pesantren", "returned_lkp")
MAX_COUNT = 1_000_000


@dataclass
class OutcomeInput:
    area_kode: str
    reached: int = 0
    returned_formal: int = 0
    returned_paket: int = 0
    returned_pesantren: int = 0
    returned_lkp: int = 0

    @property
    def returned(self) -> int:
        return self.returned_formal + self.returned_paket + self.returned_pesantren + self.returned_lkp


@dataclass
class OutcomeSum:
    area_kode: str
    nama: str
    kecamatan: str
    reached: int = 0
    returned_formal: int = 0
    returned_paket: int = 0
    returned_pesantren: int = 0
    returned_lkp: int = 0

    @property
    def returned(self) -> int:
        return self.returned_formal + self.returned_paket + self.returned_pesantren + self.returned_lkp


def field_name(index: int, name: str) -> str:
    """The form's input name of one cell: outcome-<row>-<field>, row from 0."""
    return f"outcome-{index}-{name}"


def raw_rows(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The MAX_ROWS rows of a submitted form as plain strings (missing inputs are "")."""
    return [{name: (form.get(field_name(i, name)) or "").strip()[:20]
             for name in ("area_kode",) + NUMBER_FIELDS} for i in range(MAX_ROWS)]


def rows_of(outcomes: list[ProgressOutcome]) -> list[dict[str, str]]:
    """Stored outcomes as form rows (to prefill a correction), padded to MAX_ROWS."""
    rows = [{"area_kode": o.area_kode, **{n: str(getattr(o, n)) for n in NUMBER_FIELDS}} for o in outcomes]
    return (rows + [{"area_kode": "", **{n: "" for n in NUMBER_FIELDS}} for _ in range(MAX_ROWS)])[:MAX_ROWS]


def desa_choices(session: Session, action: Action) -> list[tuple[str, str]]:
    """The desa an action may report on: the desa it targets, the desa of the kecamatan it
    targets, or every desa of the regency when it targets no area."""
    kodes = [a.kode for a in action.areas]
    stmt = select(Area.kode, Area.nama, Area.parent_kode).where(Area.level == "desa", Area.active.is_(True))
    if kodes:
        stmt = stmt.where(Area.kode.in_(kodes) | Area.parent_kode.in_(kodes))
    rows = session.execute(stmt.order_by(Area.kode)).all()
    parents = dict(session.execute(select(Area.kode, Area.nama).where(Area.level == "kecamatan")).all())
    return [(kode, f"{nama} ({parents.get(parent or '', '')})") for kode, nama, parent in rows]


def _count(value: str, row: int) -> int:
    if value == "":
        return 0
    cleaned = value.replace(".", "") if value.replace(".", "").isdigit() else value
    try:
        n = int(cleaned)
    except ValueError:
        raise DomainError(N_("Hasil baris %(row)d: isian \"%(value)s\" bukan bilangan bulat."), None,
                          row=row, value=value) from None
    if n < 0:
        raise DomainError(N_("Hasil baris %(row)d: jumlah anak tidak boleh negatif."), None, row=row)
    if n > MAX_COUNT:
        raise DomainError(N_("Hasil baris %(row)d: jumlah anak terlalu besar."), None, row=row)
    return n


def check_rows(session: Session, action: Action, rows: list[dict[str, str]]) -> list[OutcomeInput]:
    """Raw form rows → checked outcomes. Blank rows are skipped. DomainError on the first problem."""
    allowed = {kode for kode, _ in desa_choices(session, action)}
    out: list[OutcomeInput] = []
    seen: set[str] = set()
    for index, raw in enumerate(rows[:MAX_ROWS], start=1):
        kode = raw.get("area_kode", "")
        numbers = {name: _count(raw.get(name, ""), index) for name in NUMBER_FIELDS}
        if not kode:
            if any(raw.get(name, "") for name in NUMBER_FIELDS):
                raise DomainError(N_("Hasil baris %(row)d: pilih desanya."), None, row=index)
            continue
        if kode not in allowed:
            raise DomainError(N_("Hasil baris %(row)d: desa ini bukan wilayah sasaran aksi."), None, row=index)
        if kode in seen:
            raise DomainError(N_("Hasil baris %(row)d: desa yang sama diisi dua kali. Gabungkan angkanya dalam "
                                 "satu baris."), None, row=index)
        seen.add(kode)
        item = OutcomeInput(area_kode=kode, **numbers)
        if item.returned > item.reached:
            raise DomainError(N_("Hasil baris %(row)d: jumlah anak yang kembali sekolah (%(returned)d) melebihi "
                                 "anak yang dijangkau (%(reached)d)."), None,
                              row=index, returned=item.returned, reached=item.reached)
        out.append(item)
    return out


def add_outcomes(session: Session, update: ProgressUpdate, rows: list[OutcomeInput]) -> list[ProgressOutcome]:
    """Stores checked rows on a freshly recorded update. Flush only.
    Children back in school may have changed (new rows, or a correction replacing rows): the indicators that
    count them take the new figure in the same transaction."""
    added = []
    for r in rows:
        outcome = ProgressOutcome(
            update_id=update.id, area_kode=r.area_kode, reached=r.reached, returned_formal=r.returned_formal,
            returned_paket=r.returned_paket, returned_pesantren=r.returned_pesantren, returned_lkp=r.returned_lkp)
        session.add(outcome)
        added.append(outcome)
    session.flush()
    if added or update.supersedes_id is not None:
        refresh_returned_indicators(session, update.created_at)
    return added


def outcomes_by_update(session: Session, update_ids: list[int]) -> dict[int, list[ProgressOutcome]]:
    """All outcome rows of these updates, in one statement."""
    out: dict[int, list[ProgressOutcome]] = {}
    if not update_ids:
        return out
    for o in session.scalars(select(ProgressOutcome).where(ProgressOutcome.update_id.in_(update_ids))
                             .options(selectinload(ProgressOutcome.area)).order_by(ProgressOutcome.area_kode)):
        out.setdefault(o.update_id, []).append(o)
    return out


def sums_for_action(session: Session, action_id: int) -> list[OutcomeSum]:
    """Per desa, summed over the action's counted (accepted, in force) reports."""
    kec = Area.__table__.alias("kec")
    rows = session.execute(
        select(ProgressOutcome, Area.nama, kec.c.nama)
        .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
        .join(Area, Area.kode == ProgressOutcome.area_kode)
        .outerjoin(kec, kec.c.kode == Area.parent_kode)
        .where(ProgressUpdate.action_id == action_id, ProgressUpdate.counted.is_(True))
    ).all()
    sums: dict[str, OutcomeSum] = {}
    for outcome, nama, kec_nama in rows:
        s = sums.setdefault(outcome.area_kode, OutcomeSum(outcome.area_kode, nama, kec_nama or ""))
        s.reached += outcome.reached
        s.returned_formal += outcome.returned_formal
        s.returned_paket += outcome.returned_paket
        s.returned_pesantren += outcome.returned_pesantren
        s.returned_lkp += outcome.returned_lkp
    return sorted(sums.values(), key=lambda s: (-s.reached, s.area_kode))


def total_of(sums: list[OutcomeSum]) -> OutcomeSum:
    total = OutcomeSum("", "", "")
    for s in sums:
        total.reached += s.reached
        total.returned_formal += s.returned_formal
        total.returned_paket += s.returned_paket
        total.returned_pesantren += s.returned_pesantren
        total.returned_lkp += s.returned_lkp
    return total
