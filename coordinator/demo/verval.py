"""Demo children of the by-name list (invented names, NIKs that follow the rules), a village verifier, findings
and cases, so the verval pages and the reconciliation have something to show. Only for the demo."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.models import Action, Area, Child, ChildCase, ChildVerification, User, VerifierArea
from coordinator.verval.child_data import key_from_config, mask_nik

FIRST = ("Ahmad", "Muhammad", "Rizki", "Dimas", "Fajar", "Bayu", "Andi", "Yusuf", "Arif", "Dedi", "Siti", "Nur",
         "Aisyah", "Putri", "Dewi", "Rina", "Wulan", "Fitri", "Intan", "Lestari")
LAST = ("Saputra", "Pratama", "Hidayat", "Ramadhan", "Kurniawan", "Setiawan", "Rahmawati", "Wulandari", "Anggraini",
        "Lestari", "Baso", "Daeng", "Lamba", "Tandi", "Sitorus")
FINDINGS = ("ats_valid", "ats_valid", "ats_valid", "masih_sekolah", "pesantren", "pindah", "tidak_ditemukan",
            "luar_daerah", "luar_usia", "meninggal")
REASONS = ("ekonomi", "bekerja", "jarak", "tidak_berminat", "keluarga", "menikah", "disabilitas", "kesehatan")
VERIFIER_EMAIL = "verifikator@example.org"


def seed_children(session: Session, now: datetime, verifier: User, coordinator: User | None, per_desa: int = 40
                  ) -> int:
    rng = random.Random(27)
    today = wita_today(now)
    key = key_from_config(current_app.config)
    kec = ("64.08.04", "64.08.09")  # Sangatta Utara, Bengalon
    desa = [k for k, p in session.execute(select(Area.kode, Area.parent_kode).where(Area.parent_kode.in_(kec))
                                          .order_by(Area.kode))][:6]
    for kode in desa[:2]:
        session.add(VerifierArea(user_id=verifier.id, area_kode=kode))
    back_actions = list(session.scalars(select(Action).where(Action.code.like("3.%")).order_by(Action.code).limit(4)))
    made = 0
    serial = 0
    for d_index, kode in enumerate(desa):
        for _ in range(per_desa):
            serial += 1
            sex = rng.choice("LP")
            birth = date(2008, 1, 1) + timedelta(days=rng.randint(0, 4000))
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{kode[:2]}{kode[3:5]}{kode[6:8]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            first = rng.choice(FIRST[10:] if sex == "P" else FIRST[:10])
            child = Child(nik_hash=key.nik_hash(nik), nik_encrypted=key.encrypt(nik), nik_masked=mask_nik(nik),
                          nama=f"{first} {rng.choice(LAST)}", jenis_kelamin=sex, tempat_lahir="Sangatta",
                          tanggal_lahir=birth, birth_year=birth.year, nama_ibu=f"{rng.choice(FIRST[10:])} (ibu)",
                          dusun=f"Dusun {rng.randint(1, 4)}", rt=f"{rng.randint(1, 25):03d}", rw="001",
                          desa_kode=kode, kategori=rng.choice(("BPB", "DO", "DO", "LTM")),
                          jenjang_kelas=rng.choice(("Kelas 4", "Kelas 6", "Kelas 7", "Kelas 9", None)),
                          sumber="Pusdatin (data demo)", created_at=now - timedelta(days=90), updated_at=now)
            session.add(child)
            made += 1
            # The verifier's two desa are mostly done; the others just started.
            if rng.random() < (0.75 if d_index < 2 else 0.2):
                session.flush()
                status = rng.choice(FINDINGS)
                on = (now - timedelta(days=rng.randint(1, 60))).date()
                author = verifier if d_index < 2 or coordinator is None else coordinator
                session.add(ChildVerification(child_id=child.id, status=status, verified_on=on,
                                              reason=rng.choice(REASONS) if status == "ats_valid" else None,
                                              willing_to_return=rng.choice(("ya", "ya", "ragu", "tidak"))
                                              if status == "ats_valid" else None,
                                              verifier_id=author.id, created_at=now))
                child.status, child.verified_on = status, on
                if status == "ats_valid" and back_actions and rng.random() < 0.5:
                    outcome = rng.choice(("formal", "paket", "pesantren", "belum"))
                    session.add(ChildCase(
                        child_id=child.id, action_id=rng.choice(back_actions).id, outcome=outcome,
                        # two weeks after the finding, but never in the future (record_outcome refuses that)
                        outcome_date=min(on + timedelta(days=14), today) if outcome != "belum" else None,
                        school_npsn="30405060" if outcome == "formal" else None,
                        institution={"paket": "PKBM Harapan Bangsa", "pesantren": "Pondok Pesantren Al-Ikhlas"}
                        .get(outcome), created_at=now, updated_at=now, created_by_id=coordinator.id
                        if coordinator else None))
    session.flush()
    return made
