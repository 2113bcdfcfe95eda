"""The demo: real areas, Kutim's agencies, a SITISEK-shaped plan with a year of history.

Everything is placed relative to `now`, so the demo always has late actions,
deadlines this week and agencies that stopped reporting. Deterministic.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.admin.reference_data import load_reference_lists
from coordinator.core.clock import WITA, add_months, month_start, wita_today
from coordinator.demo import content
from coordinator.demo.ats import seed_ats_snapshots
from coordinator.demo.meetings import seed_meetings
from coordinator.demo.review import seed_review_states
from coordinator.demo.revision import seed_revision
from coordinator.demo.verval import VERIFIER_EMAIL, seed_children
from coordinator.figures.indicator_feed import RETURNED_METRIC, refresh_returned_indicators
from coordinator.models import (
    Action,
    ActionFunding,
    Agency,
    Area,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    Pillar,
    Plan,
    Program,
    ProgressOutcome,
    ProgressUpdate,
    User,
)
from coordinator.setup.region import load_region, packaged_region


@dataclass
class SeedResult:
    actions: int
    milestones: int
    updates: int
    indicators: int
    users: list[tuple[str, str, str]]


def _wita_to_utc(d: date, hour: int = 10) -> datetime:
    local = datetime.combine(d, time(hour, 0), tzinfo=WITA)
    return local.astimezone(UTC).replace(tzinfo=None)


def _ensure_user(session: Session, email: str, name: str, role: str, agency: Agency | None, now: datetime) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role, agency=agency, locale="id", created_at=now, active=True)
        user.set_password(content.DEMO_PASSWORD)
        session.add(user)
    return user


def _whatsapp_numbers(session: Session, now: datetime) -> None:
    """Focal points and coordinators have a (made-up) WhatsApp number and opted in: with WHATSAPP_API_URL set, a
    reminder run sends WhatsApp digests as well as email."""
    for user in session.scalars(select(User).where(User.role.in_(("fokal", "koordinator")), User.phone.is_(None))):
        user.phone, user.whatsapp_opt_in_at = f"+62812{530000 + user.id:07d}", now


def seed_demo(session: Session, now: datetime, scale: int = 1) -> SeedResult:
    if session.scalar(select(Plan.id)):
        raise RuntimeError("The database already holds a plan; seed-demo only fills an empty database.")
    rng = random.Random(2026)
    today = wita_today(now)
    this_month = month_start(today)
    load_reference_lists(session)

    plan = Plan(
        name="SITISEK – Rencana Aksi Daerah Penanganan Anak Tidak Sekolah Kabupaten Kutai Timur",
        legal_basis="Peraturan Bupati Kutai Timur tentang RAD Penanganan ATS (data demo)",
        start_year=2025, end_year=2028, baseline_ats=13411, baseline_year=2025, target_ats=6706,
        description="Strategi Anti Anak Tidak Sekolah, diluncurkan 21 November 2025 bersama Universitas Negeri "
                    "Yogyakarta. Target: jumlah ATS turun 50% dalam tiga tahun.",
    )
    session.add(plan)
    programs: dict[str, Program] = {}
    for number, name, desc, progs in content.PILLARS:
        pillar = Pillar(plan=plan, number=number, name=name, description=desc)
        session.add(pillar)
        for code, pname in progs:
            programs[code] = Program(pillar=pillar, code=code, name=pname)
            session.add(programs[code])
    session.flush()

    users: list[tuple[str, str, str]] = []
    n_actions = n_ms = n_updates = 0
    first_copy_actions: list[Action] = []
    region = packaged_region()
    for copy in range(scale):
        suffix = "" if copy == 0 else f" ({copy + 1})"
        load_region(session, region, None if copy == 0 else f"{64 + copy:02d}.08", suffix)
        agencies: dict[str, Agency] = {}
        for code, short, name, kind, aliases in content.AGENCIES:
            key = code if copy == 0 else f"{code}-{copy + 1}"
            agencies[code] = Agency(code=key, short_name=short + suffix, name=name + suffix, kind=kind,
                                    aliases=aliases, head_name=f"Kepala {short}", active=True,
                                    head_email=f"kepala.{key.lower()}@example.org")
            session.add(agencies[code])
        prefix = "64.08." if copy == 0 else f"{64 + copy:02d}.08."
        kecamatan = {
            a.nama.removesuffix(suffix): a
            for a in session.scalars(select(Area).where(Area.level == "kecamatan", Area.kode.startswith(prefix)))
        }
        desa_of: dict[str, list[str]] = defaultdict(list)
        for kode, parent in session.execute(select(Area.kode, Area.parent_kode).where(Area.kode.startswith(prefix))):
            if parent:
                desa_of[parent].append(kode)
        for kec_name in sorted(kecamatan):
            key = f"CAMAT-{kec_name.upper().replace(' ', '')}" + ("" if copy == 0 else f"-{copy + 1}")
            agencies[key] = Agency(code=key, short_name=f"Camat {kec_name}{suffix}", kind="kecamatan",
                                   name=f"Kecamatan {kec_name}{suffix}", aliases="", active=True)
            session.add(agencies[key])
        session.flush()

        authors: dict[str, User] = {}
        if copy == 0:
            for email, name, role, agency_code in content.DEMO_USERS:
                user = _ensure_user(session, email, name, role, agencies.get(agency_code or ""), now)
                users.append((email, role, agency_code or ""))
                if role == "fokal" and agency_code:
                    authors[agency_code] = user
        for code, short, *_ in content.AGENCIES:
            if code not in authors:
                email = f"fokal.{code.lower()}{'' if copy == 0 else f'.{copy + 1}'}@example.org"
                authors[code] = _ensure_user(session, email, f"Fokal {short}{suffix}", "fokal", agencies[code], now)
        session.flush()
        _whatsapp_numbers(session, now)

        per_program: dict[str, int] = defaultdict(int)
        for index, (prog, title, lead, supporting, cats, funding, area_names) in enumerate(content.ACTIONS):
            per_program[prog] += 1
            code = f"{prog}.{per_program[prog]}" if copy == 0 else f"K{copy + 1}-{prog}.{per_program[prog]}"
            start = add_months(this_month, -rng.randint(6, 12)) + timedelta(days=rng.randint(0, 20))
            if index % 5 == 0:
                due = add_months(this_month, -rng.randint(1, 4)) + timedelta(days=rng.randint(0, 25))
            else:
                due = add_months(this_month, rng.randint(1, 14)) + timedelta(days=rng.randint(0, 25))
            due = max(due, start + timedelta(days=60))
            areas = [kecamatan[n] for n in area_names if n in kecamatan]
            action = Action(
                program=programs[prog], code=code, title=title, lead_agency=agencies[lead],
                description=f"{title} sebagai bagian dari pilar {prog.split('.')[0]} SITISEK.",
                output=f"Laporan dan data hasil kegiatan: {title.lower()}.",
                ats_categories=cats, start_date=start, due_date=due,
                budget_amount=rng.randrange(50, 2500) * 1_000_000 if funding != "LAINNYA" else None,
                sub_kegiatan_code=f"1.01.02.2.01.{index + 1:04d}" if funding.startswith("APBD") else None,
            )
            sources = funding.split(",")
            shares = _shares(action.budget_amount, len(sources)) if len(sources) > 1 else [None]
            action.fundings = [ActionFunding(source=s, amount=a, position=i)
                               for i, (s, a) in enumerate(zip(sources, shares, strict=True))]
            action.supporting_agencies = [agencies[s] for s in supporting]
            action.areas = areas
            session.add(action)
            n_actions += 1
            if copy == 0:
                first_copy_actions.append(action)

            steps = rng.randint(3, 5)
            span = (due - start).days
            all_done = True
            for i in range(steps):
                ms_due = start + timedelta(days=span * (i + 1) // steps)
                state, done_on = "belum_mulai", None
                if ms_due < today:
                    roll = rng.random()
                    if roll < 0.12 and index % 3 == 0:
                        state = "berjalan"  # overdue: this makes the action late
                    else:
                        state = "selesai"
                        late = rng.random() < 0.2
                        done_on = ms_due + timedelta(days=rng.randint(1, 20) if late else -rng.randint(0, 10))
                        done_on = min(done_on, today)
                elif ms_due < today + timedelta(days=45):
                    state = "berjalan"
                if state != "selesai":
                    all_done = False
                action.milestones.append(Milestone(title=content.MILESTONE_TITLES[i % 5], due_date=ms_due,
                                                   state=state, completed_on=done_on))
                n_ms += 1
            if due < today and all_done and rng.random() < 0.6:
                action.marked_complete = True
                action.completed_on = min(due + timedelta(days=rng.randint(-5, 10)), today)

            # A year of monthly reports, the silent agencies stop three months ago.
            month = max(month_start(start), add_months(this_month, -11))
            while month <= this_month:
                progress = max(0.0, min(1.0, (month - start).days / max(1, span)))
                for agency_code, chance in [(lead, 0.9)] + [(s, 0.3) for s in supporting]:
                    if agency_code in content.SILENT_AGENCIES and month >= add_months(this_month, -2):
                        continue
                    if month == this_month:
                        chance *= 0.55
                    if rng.random() > chance or action.marked_complete and month > month_start(due):
                        continue
                    report_day = month + timedelta(days=rng.randint(18, 27))
                    if report_day > today:
                        report_day = today
                    created = _wita_to_utc(report_day, rng.randint(8, 15))
                    if created > now:
                        continue
                    # Each agency realises its own share: the agencies' latest figures add up to at most 80 %
                    # of the ceiling, never past it (actions/budget.py).
                    share = (0.75 if supporting else 1.0) if agency_code == lead else 0.25 / len(supporting)
                    update = ProgressUpdate(
                        action=action, agency=agencies[agency_code], author=authors[agency_code], period=month,
                        percent_complete=min(100, int(progress * 100) + rng.randint(-5, 5) if progress else 0)
                        if not action.marked_complete else 100,
                        achievements=f"Kegiatan bulan ini berjalan; {rng.randint(5, 120)} anak terjangkau.",
                        obstacles=rng.choice(content.OBSTACLES) or None,
                        follow_up="Koordinasi dengan kecamatan dan desa sasaran bulan depan.",
                        budget_realised=int((action.budget_amount or 0) * progress * 0.8 * share) or None,
                        created_at=created,
                    )
                    session.add(update)
                    n_updates += 1
                    # Interventions in pillar 3 (return to school) report children per desa.
                    if prog.startswith("3.") and agency_code == lead:
                        kec_kode = areas[0].kode if areas else rng.choice(sorted(desa_of))
                        for desa in rng.sample(desa_of[kec_kode], min(2, len(desa_of[kec_kode]))):
                            reached = rng.randint(3, 25)
                            back = [rng.randint(0, reached // 4) for _ in range(4)]
                            update.outcomes.append(ProgressOutcome(
                                area_kode=desa, reached=reached, returned_formal=back[0], returned_paket=back[1],
                                returned_pesantren=back[2], returned_lkp=back[3]))
                month = add_months(month, 1)
        session.flush()

    late_one = first_copy_actions[1]
    late_one.status_override = "berjalan"
    late_one.override_reason = "Jadwal verifikasi digeser karena banjir di Sangatta; disetujui rapat forum."
    # One action past its first due date, moved to next month with a reason: "dijadwal ulang", not late.
    moved = next((a for a in first_copy_actions[2:] if not a.marked_complete
                  and today - timedelta(days=90) <= a.due_date < today), None)
    if moved is not None:
        moved.due_date = today + timedelta(days=45)
        moved.reschedule_count = 1
        moved.due_change_reason = "Menunggu APBD Perubahan 2026; disepakati rapat koordinasi bulan lalu."

    coordinator = session.scalar(select(User).where(User.email == "koordinator@example.org"))
    n_ind = 0
    quarter_now = (today.year, (today.month - 1) // 3 + 1)
    for code, name, unit, direction, base, base_year, targets, source, start_val, step in content.INDICATORS:
        fed = content.RETURNED_INDICATORS.get(code)
        ind = Indicator(plan=plan, code=code, name=name, unit=unit, direction=direction, baseline_value=base,
                        baseline_year=base_year, data_source=source,
                        definition=fed or f"{name}, dihitung per triwulan dari {source}.",
                        ats_metric=RETURNED_METRIC if fed else None)
        session.add(ind)
        if code in content.INDICATOR_OWNERS:
            owner, ind.frequency = content.INDICATOR_OWNERS[code]
            ind.owner_agency = session.scalar(select(Agency).where(Agency.code == owner))
        ind.actions = rng.sample(first_copy_actions, 3)
        for year, value in targets.items():
            ind.targets.append(IndicatorTarget(year=year, quarter=None, value=value))
        # Quarterly values from Q4 2025 up to the last finished quarter (none for a fed indicator).
        year, quarter, i = 2025, 4, 0
        while start_val is not None and step is not None and (year, quarter) < quarter_now:
            ind.values.append(IndicatorValue(year=year, quarter=quarter, value=round(start_val + step * i, 1),
                                             source=source, note=None, entered_by_id=coordinator.id if coordinator else None,
                                             entered_at=now))
            quarter += 1
            if quarter == 5:
                year, quarter = year + 1, 1
            i += 1
        n_ind += 1
    session.flush()
    seed_ats_snapshots(session, now, scale)
    verifier = session.scalar(select(User).where(User.email == VERIFIER_EMAIL))
    coordinator = session.scalar(select(User).where(User.role == "koordinator").order_by(User.id))
    seed_review_states(session, now, coordinator)
    seed_meetings(session, now, coordinator)
    seed_revision(session, now, coordinator)
    if verifier is not None:
        seed_children(session, now, verifier, coordinator)
    refresh_returned_indicators(session, now)
    return SeedResult(n_actions, n_ms, n_updates, n_ind, users)


def _shares(budget: int | None, n: int) -> list[int | None]:
    """A budget split over n sources: the first carries most, the amounts add up to the budget."""
    if budget is None:
        return [None] * n
    rest = [budget // (2 * (n - 1)) // 1_000_000 * 1_000_000] * (n - 1)
    return [budget - sum(rest), *rest]
