"""Importing a parsed RAD matrix into the plan: preview, then save, all or nothing.

Both run the same code inside a savepoint: every value goes through the plan and indicator
services (so the same validation applies and the audit listener records each change with
before and after), and the counts come from comparing each item before and after. The preview
always rolls the savepoint back; save keeps it only when there is no error and no unknown agency.
Nothing that is in the database but not in the file is deleted. The matching of names is in
resolve; the indicators are in import_indicators.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coordinator.agencies.profile import save_agency
from coordinator.ats.match import AreaMatcher
from coordinator.core import audit
from coordinator.core.errors import N_, DomainError
from coordinator.models import ATS_CATEGORIES, Action, Pillar, Plan, Program
from coordinator.plan.editing import (
    ActionInput,
    current_plan,
    save_action,
    save_milestone,
    save_pillar,
    save_plan,
    save_program,
)
from coordinator.plan.funding import FundingLookup
from coordinator.rad_matrix.import_checks import MAX_BUDGET, MAX_PILLAR, plan_value_errors
from coordinator.rad_matrix.import_funding import funding_of, map_funding_names
from coordinator.rad_matrix.import_run import (
    ChangedAction,
    ImportPreview,
    ImportResult,
    ImportRun,
    UnknownAgency,
)
from coordinator.rad_matrix.layout import (
    PLAN_FIELDS,
    PLAN_SHEET,
    MatrixAction,
    MatrixPlan,
    ParsedMatrix,
)
from coordinator.rad_matrix.resolve import (
    AgencyLookup,
    agency_key,
    new_agency_code,
    resolve_location,
    split_agencies,
)

DEFAULT_PLAN_NAME = "Rencana Aksi Daerah Penanganan Anak Tidak Sekolah"
# DomainError.field of plan.editing -> matrix column
FIELD_COLUMN = {"start_date": "start", "due_date": "due", "code": "no", "lead_agency_id": "lead",
                "supporting_agency_ids": "supporting", "area_kodes": "location", "ats_categories": "categories",
                "budget_amount": "budget", "program_id": "program", "title": "action", "fundings": "funding"}
MAX_LENGTHS = (("code", "no", 20), ("title", "action", 300), ("sub_kegiatan_code", "sub_kegiatan", 60),
               ("program_code", "program", 20), ("program_name", "program", 200), ("pillar_name", "pillar", 200))
NEW = "new"

IMPORT_DUE_REASON = "Tenggat diubah lewat impor matriks RAD."  # stored text, as a reason typed in would be


def _action_state(a: Action) -> dict[str, Any]:
    return {"no": a.code, "program": a.program_id, "action": a.title, "output": a.output, "remarks": a.description,
            "lead": a.lead_agency_id, "supporting": sorted(x.id for x in a.supporting_agencies),
            "location": sorted(x.kode for x in a.areas), "categories": a.ats_categories, "start": a.start_date,
            "due": a.due_date, "budget": a.budget_amount, "funding": [(f.source, f.amount) for f in a.fundings],
            "sub_kegiatan": a.sub_kegiatan_code}


class Importer(ImportRun):
    # --- the run

    def run(self) -> None:
        self.agencies = AgencyLookup.load(self.s)
        self.areas = AreaMatcher.load(self.s)
        self.funding = FundingLookup.load(self.s)
        self._split_agencies()
        self._agency_names()
        map_funding_names(self)
        plan = self._plan()
        if plan is None:
            return
        programs = self._pillars_and_programs(plan)
        existing = {a.code: a for a in self.s.scalars(
            select(Action).where(Action.deleted_at.is_(None)).options(
                selectinload(Action.supporting_agencies), selectinload(Action.areas),
                selectinload(Action.milestones), selectinload(Action.fundings)))}
        seen: dict[str, int] = {}
        for ma in self.parsed.actions:
            code = ma.code.strip()
            if code in seen:
                self.error(ma.row, "no", N_("Kode aksi %(code)s sudah dipakai di baris %(first)d."), code=code,
                           first=seen[code])
                continue
            seen[code] = ma.row
            self._action(ma, programs.get(ma.program_code.strip()), existing.get(code))
        from coordinator.rad_matrix.import_indicators import import_indicators

        import_indicators(self, plan)
        live = self.s.scalars(select(Action.code).join(Program).join(Pillar).where(
            Pillar.plan_id == plan.id, Action.deleted_at.is_(None)))
        self.p.not_in_file = len(set(live) - set(seen))

    # --- agencies

    def _split_agencies(self) -> None:
        """The agency cells split again, now that the agencies are known (resolve.split_agencies)."""
        for ma in self.parsed.actions:
            if ma.lead_text or ma.supporting_text:
                leads = split_agencies(ma.lead_text, self.agencies)
                ma.lead_agency = leads[0] if leads else ""
                supporting = leads[1:] + split_agencies(ma.supporting_text, self.agencies)
                ma.supporting_agencies = [n for n in dict.fromkeys(supporting) if n != ma.lead_agency]

    def _agency_names(self) -> None:
        """Collects the names that match no agency, then applies agency_map to them."""
        unknown: dict[str, UnknownAgency] = {}
        for ma in self.parsed.actions:
            for name in [ma.lead_agency, *ma.supporting_agencies]:
                key = agency_key(name or "")
                if key and self.agencies.find(name) is None:
                    u = unknown.setdefault(key, UnknownAgency(key, name.strip()))
                    if ma.row not in u.rows:
                        u.rows.append(ma.row)
        taken = {a.code.upper() for a in self.agencies.agencies.values()}
        for u in unknown.values():
            target = self.agency_map.get(u.key)
            if target == NEW:
                code = new_agency_code(u.name, taken)
                taken.add(code)
                try:
                    agency = save_agency(self.s, None, {"code": code, "short_name": u.name[:60],
                                                        "name": u.name[:200], "kind": "opd"})
                except DomainError as err:
                    self.error(u.rows[0], "lead", err.message, err.params)
                    continue
                self.agencies.add(agency)
                self.p.agencies_to_create.append(u.name)
                u.mapped_to = NEW
            elif target and target.isdigit() and int(target) in self.agencies.agencies:
                agency = self.agencies.agencies[int(target)]
                aliases = [a.strip() for a in (agency.aliases or "").split(",") if a.strip()]
                joined = ", ".join([*aliases, u.name])
                if len(joined) <= 400:
                    agency.aliases = joined
                    self.s.flush()
                    self.p.aliases_to_add.append((u.name, agency.short_name))
                else:
                    self.warn(u.rows[0], N_("Nama \"%(name)s\" tidak dapat diingat sebagai alias %(agency)s: "
                                            "daftar aliasnya sudah penuh."), name=u.name, agency=agency.short_name)
                self.agencies.by_key[u.key] = agency.id
                u.mapped_to = target
        self.p.unknown_agencies = list(unknown.values())

    # --- plan, pillars, programs

    def _plan(self) -> Plan | None:
        plan = current_plan(self.s)
        mp = self._plan_read(plan)
        keys = [k for k, _ in PLAN_FIELDS]
        if mp is not None and plan_value_errors(self, mp):
            return None
        try:
            if plan is None:
                years = [d.year for a in self.parsed.actions for d in (a.start_date, a.due_date) if d]
                start = (mp.start_year if mp else None) or (min(years) if years else None)
                end = (mp.end_year if mp else None) or (max(years) if years else None)
                if start is None or end is None:
                    self.error(None, None, N_("Tahun rencana tidak dapat ditentukan: isi lembar Rencana atau "
                                              "tanggal aksi."), sheet=PLAN_SHEET)
                    return None
                data = {k: getattr(mp, k) if mp else None for k in keys}
                data.update(name=((mp.name if mp else None) or self.parsed.title or DEFAULT_PLAN_NAME)[:200],
                            start_year=start, end_year=end)
                for key in ("name", "start_year", "end_year"):
                    self.p.plan_read_from.setdefault(key, "title" if key == "name" and self.parsed.title else "dates")
                plan = save_plan(self.s, None, data)
                self.p.counts["plan"].add(None, data)
                self.p.plan_values = {k: getattr(plan, k) for k in keys}
                return plan
            before = {k: getattr(plan, k) for k in keys}
            if mp is not None:
                data = {k: getattr(mp, k) if getattr(mp, k) is not None else before[k] for k in keys}
                plan = save_plan(self.s, plan, data)
            self.p.counts["plan"].add(before, {k: getattr(plan, k) for k in keys})
            self.p.plan_values = {k: getattr(plan, k) for k in keys}
            return plan
        except DomainError as err:
            self.error(None, None, err.message, err.params, sheet=PLAN_SHEET)
            return None

    def _plan_read(self, existing: Plan | None) -> MatrixPlan | None:
        """The plan as the file states it, each value from the first that gives it: the coordinator's correction
        in the preview, the Rencana sheet, the title rows. Where it came from goes to the preview. The title rows
        start a new plan only: a plan already there is changed by its form, the Rencana sheet or the preview's
        fields, never by a title line (a warning says where it differs)."""
        title = self.parsed.title_plan
        if existing is not None and title is not None:
            labels = dict(PLAN_FIELDS)
            for key, label in labels.items():
                said, now = getattr(title, key), getattr(existing, key)
                if said is not None and said != now:
                    self.warn(None, N_("Judul matriks menyebut %(field)s %(said)s, rencana mencatat %(now)s: rencana "
                                       "tidak diubah oleh judul. Bila judul yang benar, ubah di isian Rencana "
                                       "pratinjau atau di halaman Rencana aksi."), field=label, said=said,
                              now=now if now is not None else "–")
            title = None
        sources = (("fix", self.plan_fix), ("sheet", self.parsed.plan), ("title", title))
        if all(src is None for _name, src in sources):
            return None
        out = MatrixPlan()
        for key, _label in PLAN_FIELDS:
            for name, src in sources:
                if src is not None and getattr(src, key) is not None:
                    setattr(out, key, getattr(src, key))
                    self.p.plan_read_from[key] = name
                    break
        return out

    def _pillars_and_programs(self, plan: Plan) -> dict[str, Program]:
        pillars = {p.number: p for p in self.s.scalars(select(Pillar).where(Pillar.plan_id == plan.id))}
        programs = {p.code: p for p in self.s.scalars(
            select(Program).join(Pillar).where(Pillar.plan_id == plan.id))}
        done_pillars: dict[int, Pillar | None] = {}
        done_programs: dict[str, Program | None] = {}
        for ma in self.parsed.actions:
            if ma.pillar_number not in done_pillars:
                done_pillars[ma.pillar_number] = self._pillar(plan, pillars.get(ma.pillar_number), ma)
            pillar = done_pillars[ma.pillar_number]
            code = ma.program_code.strip()
            if pillar is None or code in done_programs:
                continue
            done_programs[code] = self._program(programs.get(code), pillar, ma)
        return {code: p for code, p in done_programs.items() if p is not None}

    def _pillar(self, plan: Plan, pillar: Pillar | None, ma: MatrixAction) -> Pillar | None:
        name = (ma.pillar_name or "").strip() or (pillar.name if pillar else "")
        if not 0 <= ma.pillar_number <= MAX_PILLAR:
            self.error(ma.row, "pillar", N_("Nomor pilar harus antara %(lo)d dan %(hi)d."), lo=0, hi=MAX_PILLAR)
            return None
        if not name or len(name) > 200:
            self.error(ma.row, "pillar", N_("Nama pilar wajib diisi, paling banyak 200 karakter."))
            return None
        before = (pillar.number, pillar.name) if pillar else None
        try:
            pillar = save_pillar(self.s, pillar, plan, {"number": ma.pillar_number, "name": name,
                                                        "description": pillar.description if pillar else None})
        except DomainError as err:
            self.error(ma.row, "pillar", err.message, err.params)
            return None
        self.p.counts["pillars"].add(before, (pillar.number, pillar.name))
        return pillar

    def _program(self, program: Program | None, pillar: Pillar, ma: MatrixAction) -> Program | None:
        code = ma.program_code.strip()
        name = (ma.program_name or "").strip() or (program.name if program else "")
        if not code or not name or len(code) > 20 or len(name) > 200:
            self.error(ma.row, "program", N_("Kode dan nama program wajib diisi (kode paling banyak 20, nama "
                                             "paling banyak 200 karakter)."))
            return None
        before = (program.pillar_id, program.code, program.name) if program else None
        try:
            program = save_program(self.s, program, {"pillar_id": pillar.id, "code": code, "name": name})
        except DomainError as err:
            self.error(ma.row, "program", err.message, err.params)
            return None
        self.p.counts["programs"].add(before, (program.pillar_id, program.code, program.name))
        return program

    # --- actions and milestones

    def _action_input(self, ma: MatrixAction, program: Program | None) -> ActionInput | None:
        n_errors = len(self.p.errors)
        for attr, column, limit in MAX_LENGTHS:
            value = getattr(ma, attr, None) or ""
            if len(value.strip()) > limit:
                self.error(ma.row, column, N_("Paling banyak %(n)d karakter."), n=limit)
        if not ma.title.strip():
            self.error(ma.row, "action", N_("Wajib diisi."))
        for column, value in (("start", ma.start_date), ("due", ma.due_date)):
            if value is None:
                self.error(ma.row, column, N_("Wajib diisi."))
        lead = self.agencies.find(ma.lead_agency) if ma.lead_agency.strip() else None
        if not ma.lead_agency.strip():
            self.error(ma.row, "lead", N_("Wajib diisi."))
        supporting = [self.agencies.find(n) for n in ma.supporting_agencies if n.strip()]
        kodes: list[str] = []
        for text in ma.locations:
            found = resolve_location(self.areas, text)
            if found.error:
                self.error(ma.row, "location", found.error, name=str(text).strip())
            elif found.kode and found.kode not in kodes:
                kodes.append(found.kode)
        fundings = funding_of(self, ma)
        if ma.budget is not None and ma.budget > MAX_BUDGET:  # a negative one is refused by save_action
            self.error(ma.row, "budget", N_("Anggaran paling banyak %(max)s."), max=f"{MAX_BUDGET:,}".replace(",", "."))
        categories = [c.strip().upper() for c in ma.categories if c.strip()]
        bad = [c for c in categories if c not in ATS_CATEGORIES]
        if bad:
            self.error(ma.row, "categories", N_("Kategori ATS \"%(name)s\" tidak dikenal. Pilihan: %(allowed)s."),
                       name=", ".join(bad), allowed=", ".join(ATS_CATEGORIES))
        if (len(self.p.errors) > n_errors or program is None or lead is None or None in supporting
                or fundings is None):
            return None  # unknown agencies and funding sources are listed for mapping, not repeated as row errors
        assert ma.start_date is not None and ma.due_date is not None
        return ActionInput(
            program_id=program.id, code=ma.code.strip(), title=ma.title.strip(), description=ma.description or None,
            output=ma.output or None, lead_agency_id=lead, supporting_agency_ids=[i for i in supporting if i],
            area_kodes=kodes, ats_categories=categories, start_date=ma.start_date, due_date=ma.due_date,
            budget_amount=ma.budget, fundings=fundings, sub_kegiatan_code=(ma.sub_kegiatan_code or "").strip()
            or None)

    def _action(self, ma: MatrixAction, program: Program | None, action: Action | None) -> None:
        data = self._action_input(ma, program)
        if data is None:
            return
        before = _action_state(action) if action is not None else None
        data.due_reason = IMPORT_DUE_REASON  # a date the new matrix moves is a reschedule like any other
        try:
            action = save_action(self.s, action, data, funding_codes=set(self.funding.labels))
        except DomainError as err:
            self.error(ma.row, FIELD_COLUMN.get(err.field or "", None), err.message, err.params)
            return
        self.action_ids[action.code] = action.id
        after = _action_state(action)
        fields = [k for k in after if before is not None and before[k] != after[k]]
        if self._milestones(ma, action) and before is not None:
            fields.append("milestones")
        kind = "new" if before is None else ("changed" if fields else "unchanged")
        counts = self.p.counts["actions"]
        setattr(counts, kind, getattr(counts, kind) + 1)
        if kind == "new":
            self.p.new_actions.append(action.code)
        elif kind == "changed":
            self.p.changed_actions.append(ChangedAction(action.code, action.title, fields))

    def _milestones(self, ma: MatrixAction, action: Action) -> bool:
        """Saves the action's tahapan; True when one is new or changed."""
        pool: dict[str, list[Any]] = {}
        for m in action.milestones:
            pool.setdefault(" ".join(m.title.lower().split()), []).append(m)
        touched = False
        for mm in ma.milestones:
            found = pool.get(" ".join(mm.title.lower().split()), [])
            milestone = found.pop(0) if found else None
            state = lambda m: (m.title, m.due_date, m.state, m.completed_on)  # noqa: E731
            before = state(milestone) if milestone is not None else None
            if len(mm.title.strip()) > 300 or not mm.title.strip():
                self.error(ma.row, "milestones", N_("Judul tahapan wajib diisi, paling banyak 300 karakter."))
                continue
            try:
                milestone = save_milestone(self.s, milestone, action, {
                    "title": mm.title, "due_date": mm.due_date, "state": mm.state,
                    "completed_on": mm.completed_on, "due_reason": IMPORT_DUE_REASON}, self.now)
            except DomainError as err:
                self.error(ma.row, "milestones", err.message, err.params)
                continue
            touched |= self.p.counts["milestones"].add(before, state(milestone)) != "unchanged"
        return touched


def _execute(session: Session, parsed: ParsedMatrix, agency_map: dict[str, str], now: datetime, keep: bool,
             funding_map: dict[str, str] | None, plan_fix: MatrixPlan | None) -> ImportResult:
    nested = session.begin_nested()
    try:
        run = Importer(session, parsed, agency_map, now, funding_map, plan_fix)
        run.run()
        session.flush()
    except BaseException:
        nested.rollback()
        raise
    if keep and run.p.can_save:
        nested.commit()
        return ImportResult(True, run.p)
    nested.rollback()
    return ImportResult(False, run.p)


def preview(session: Session, parsed: ParsedMatrix, agency_map: dict[str, str], now: datetime, *,
            funding_map: dict[str, str] | None = None, plan_fix: MatrixPlan | None = None) -> ImportPreview:
    """What saving would do; the database is left as it was. agency_map / funding_map: a name's key -> an agency
    id / a funding source's code, or "new"; plan_fix: values of the plan typed over what the file says."""
    return _execute(session, parsed, agency_map, now, False, funding_map, plan_fix).preview


def save(session: Session, parsed: ParsedMatrix, agency_map: dict[str, str], now: datetime,
         actor_id: int | None = None, *, funding_map: dict[str, str] | None = None,
         plan_fix: MatrixPlan | None = None) -> ImportResult:
    """Saves everything (the caller commits) or, on any error or unmapped name, nothing (saved False)."""
    token = audit.current_actor_id.set(actor_id) if actor_id is not None else None
    try:
        return _execute(session, parsed, agency_map, now, True, funding_map, plan_fix)
    finally:
        if token is not None:
            audit.current_actor_id.reset(token)
