"""Two past coordination meetings, as the Pemkab holds them: a quarterly one chaired by the Sekda some ten weeks
ago, whose follow-ups are mostly done (one on time, one late, one still overdue), and last month's, whose
follow-ups are running: one due soon, one overdue, one reported done and waiting for the coordinator, one returned
with a comment."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import WITA, wita_today
from coordinator.meetings import closing, service
from coordinator.models import Action, Agency, Meeting, User

QUARTERLY_MINUTES = """1. Kepala Disdikbud memaparkan capaian triwulan III: daftar ATS Pusdatin sudah diverifikasi di sebagian desa; \
kader PKK menemukan banyak anak yang sudah bersekolah di pesantren atau pindah ke luar daerah.
2. Disdukcapil menyampaikan masih ada anak tanpa NIK sehingga tidak dapat dicocokkan dengan Dapodik dan EMIS.
3. Dinsos menyampaikan data DTKS belum dipadankan dengan daftar by name ATS.
4. Kemenag siap berbagi data santri pondok pesantren untuk membersihkan daftar ATS.
5. Sekda meminta setiap perangkat daerah melaporkan tindak lanjut paling lambat sesuai tenggat di bawah ini."""

MONTHLY_MINUTES = """1. Koordinator RAD menyampaikan hasil pemantauan tenggat: beberapa aksi terlambat karena pencairan anggaran.
2. DPMDes menyampaikan desa belum menganggarkan pendataan ATS dalam APBDes.
3. DP3A melaporkan pendampingan anak korban perkawinan anak yang kembali bersekolah.
4. TP-PKK meminta format berita acara verifikasi yang seragam untuk kader.
5. Disepakati tindak lanjut sebagaimana tercantum."""


def seed_meetings(session: Session, now: datetime, coordinator: User | None) -> int:
    """Returns how many follow-ups were made; nothing without a coordinator (a plan seeded without users)."""
    if coordinator is None:
        return 0
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    if not all(c in agencies for c in ("DISDIKBUD", "DINSOS", "DISDUKCAPIL", "KEMENAG", "DPMDES", "DPPPA", "TPPKK")):
        return 0
    today = wita_today(now)
    focal = {u.agency_id: u for u in session.scalars(select(User).where(User.role == "fokal").order_by(User.id))}
    action = session.scalar(select(Action).where(Action.deleted_at.is_(None)).order_by(Action.code))

    def meeting(title: str, held: date, place: str | None, url: str | None, chair: str, agenda: str, minutes: str,
                invited: list[str], absent: list[str]) -> Meeting:
        data = service.MeetingInput(
            title=title, held_on=held, chair=chair, start_time="09:00", place=place, online_url=url, agenda=agenda,
            minutes=minutes, invited=[agencies[c].id for c in invited],
            present=[agencies[c].id for c in invited if c not in absent])
        return service.save_meeting(session, None, data, coordinator.id, _utc(held, 12))

    def decide(m: Meeting, code: str, text: str, due: date, **kw: object):  # type: ignore[no-untyped-def]
        return service.add_follow_up(session, m, service.FollowUpInput(text=text, agency_id=agencies[code].id,
                                                                       due_date=due, **kw),  # type: ignore[arg-type]
                                     _utc(m.held_on, 13))

    def report_done(item, on: date, note: str) -> None:  # type: ignore[no-untyped-def]
        author = focal.get(item.agency_id) or coordinator
        closing.submit_closing(session, item, note, [], author.id, "", 0, _utc(on, 10))

    held = today - timedelta(days=75)
    q = meeting("Rapat koordinasi RAD ATS triwulan III", held,
                "Ruang Rapat Tempudau, Kantor Bupati Kutai Timur, Sangatta", None,
                "Sekretaris Daerah Kabupaten Kutai Timur",
                "1. Capaian triwulan III RAD ATS\n2. Hasil verifikasi daftar ATS\n3. Rencana triwulan IV",
                QUARTERLY_MINUTES,
                ["DISDIKBUD", "BAPPEDA", "DISDUKCAPIL", "DINSOS", "DPPPA", "DPMDES", "KEMENAG", "DINKES", "TPPKK"],
                ["DINKES"])
    nik = decide(q, "DISDUKCAPIL", "Jemput bola perekaman NIK bagi anak ATS yang belum memiliki NIK di "
                 "Kecamatan Sangatta Utara dan Sangatta Selatan.", held + timedelta(days=30))
    report_done(nik, held + timedelta(days=26), "Perekaman dilakukan di 6 desa; 112 anak sudah memiliki NIK. "
                "Berita acara terlampir di laporan kemajuan aksi.")
    closing.accept_closing(session, nik, coordinator, _utc(held + timedelta(days=28), 9))
    decide(q, "DINSOS", "Padankan data DTKS dengan daftar by name ATS dan laporkan anak dari keluarga "
                  "miskin yang belum menerima bantuan pendidikan.", held + timedelta(days=45), action_id=action.id
                  if action else None)
    santri = decide(q, "KEMENAG", "Serahkan data santri pondok pesantren se-Kutai Timur untuk membersihkan "
                    "daftar ATS.", held + timedelta(days=40))
    report_done(santri, held + timedelta(days=52), "Data santri 38 pondok pesantren diserahkan ke Disdikbud.")
    closing.accept_closing(session, santri, coordinator, _utc(held + timedelta(days=53), 9))

    held = today - timedelta(days=20)
    m = meeting("Rapat koordinasi bulanan RAD ATS", held, "Aula Disdikbud Kutai Timur",
                "https://meet.example.org/rad-ats-kutim", "Kepala Dinas Pendidikan dan Kebudayaan Kutai Timur",
                "1. Pemantauan tenggat aksi\n2. Pembiayaan pendataan ATS di desa\n3. Format berita acara verifikasi",
                MONTHLY_MINUTES, ["DISDIKBUD", "BAPPEDA", "DINSOS", "DPPPA", "DPMDES", "TPPKK"], ["BAPPEDA"])
    decide(m, "DISDIKBUD", "Tetapkan sekolah penerima dan kuota bangku bagi anak yang kembali bersekolah "
           "semester genap.", today + timedelta(days=10))
    decide(m, "DPMDES", "Terbitkan surat edaran kepada kepala desa tentang alokasi Dana Desa untuk pendataan "
           "dan pendampingan ATS.", today - timedelta(days=3))
    waiting = decide(m, "DPPPA", "Laporkan jumlah anak korban perkawinan anak yang didampingi kembali "
                     "bersekolah, per kecamatan.", today + timedelta(days=5))
    report_done(waiting, today - timedelta(days=2), "Rekap pendampingan per kecamatan sudah disusun dan "
                "dikirim ke koordinator.")
    returned = decide(m, "TPPKK", "Susun format berita acara verifikasi ATS yang seragam untuk kader PKK.",
                      today + timedelta(days=12))
    report_done(returned, today - timedelta(days=6), "Format sudah dibagikan di grup WhatsApp kader.")
    closing.return_closing(session, returned, coordinator, _utc(today - timedelta(days=5), 9),
                           "Lampirkan format berita acara yang dibagikan, bukan hanya tangkapan layar percakapan.")
    session.flush()
    return len(q.follow_ups) + len(m.follow_ups)


def _utc(day: date, hour: int) -> datetime:
    """A WITA hour of `day` as the naive UTC the database stores."""
    return datetime.combine(day, time(hour, 0), tzinfo=WITA).astimezone(UTC).replace(tzinfo=None)
