"""Kutai Timur's agencies as RAD matrices name them: official names (check them against the regency's current
SOTK; admins edit them at /agencies), short names, and the names files also use. Includes the collective actors
that matrices name as one: every camat, every kepala desa/lurah, the schools, PKBM/SKB and companies."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import Agency


@dataclass(frozen=True)
class AgencyDefault:
    code: str
    short_name: str
    name: str
    kind: str  # opd | vertikal | kecamatan | desa | mitra (models.agency.AGENCY_KINDS)
    aliases: str = ""


KUTIM_AGENCIES = (
    AgencyDefault("DISDIKBUD", "Disdikbud", "Dinas Pendidikan dan Kebudayaan", "opd",
                  "Dinas Pendidikan, Diknas, Disdik, Dinas Pendidikan dan Kebudayaan Kabupaten Kutai Timur"),
    AgencyDefault("BAPPEDA", "Bappeda", "Badan Perencanaan Pembangunan Daerah", "opd",
                  "Bapelitbang, Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah"),
    AgencyDefault("DISDUKCAPIL", "Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "opd", "Dukcapil"),
    AgencyDefault("DINSOS", "Dinsos", "Dinas Sosial", "opd"),
    AgencyDefault("DPPPA", "DPPPA", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "opd", "DP3A, DPPA"),
    AgencyDefault("DPMDES", "DPMDes", "Dinas Pemberdayaan Masyarakat dan Desa", "opd", "DPMD, PMD"),
    AgencyDefault("DPPKB", "DPPKB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", "opd", "DP2KB"),
    AgencyDefault("KESRA", "Bagian Kesra", "Bagian Kesejahteraan Rakyat Sekretariat Daerah", "opd",
                  "Kesra Setda, Kesra, Bagian Kesra Setda"),
    AgencyDefault("DINKES", "Dinkes", "Dinas Kesehatan", "opd", "Dinas Kesehatan dan Puskesmas, Puskesmas"),
    AgencyDefault("DISKOMINFO", "Diskominfo", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "opd",
                  "Kominfo, Diskominfostaper, Diskominfo Staper"),
    AgencyDefault("DISNAKERTRANS", "Disnakertrans", "Dinas Tenaga Kerja dan Transmigrasi", "opd", "Disnaker"),
    AgencyDefault("KEMENAG", "Kemenag Kutim", "Kantor Kementerian Agama Kabupaten Kutai Timur", "vertikal",
                  "Kemenag, Kementerian Agama"),
    AgencyDefault("BAZNAS", "Baznas", "Badan Amil Zakat Nasional Kabupaten Kutai Timur", "vertikal",
                  "Baznas Kutim"),
    AgencyDefault("TPPKK", "TP-PKK", "Tim Penggerak PKK Kabupaten Kutai Timur", "mitra",
                  "PKK, TP PKK, Tim Penggerak Pemberdayaan Kesejahteraan Keluarga"),
    AgencyDefault("CAMAT", "Camat", "Camat se-Kabupaten Kutai Timur", "kecamatan",
                  "Camat se-Kutim, Kecamatan, Pemerintah Kecamatan, Para Camat"),
    AgencyDefault("KADES", "Kades/Lurah", "Kepala Desa/Lurah", "desa",
                  "Kepala Desa, Lurah, Kades, Pemerintah Desa, Pemdes, Kepala Desa dan Lurah"),
    AgencyDefault("SATDIK", "Satuan pendidikan", "Satuan pendidikan (sekolah/madrasah)", "mitra",
                  "Satuan Pendidikan, Sekolah, Madrasah, Sekolah/Madrasah, Satdik"),
    AgencyDefault("PKBM", "PKBM/SKB", "PKBM/SKB", "mitra",
                  "PKBM, SKB, Pusat Kegiatan Belajar Masyarakat, Sanggar Kegiatan Belajar"),
    AgencyDefault("PERUSAHAAN", "Perusahaan (CSR)", "Perusahaan (CSR)", "mitra",
                  "Perusahaan, Perusahaan swasta, Dunia usaha, CSR Perusahaan"),
)


def load_agencies(session: Session, agencies: tuple[AgencyDefault, ...] = KUTIM_AGENCIES) -> int:
    """Adds the agencies whose code is not there yet; returns how many."""
    have = set(session.scalars(select(Agency.code)))
    added = [Agency(code=a.code, short_name=a.short_name, name=a.name, kind=a.kind, aliases=a.aliases, active=True)
             for a in agencies if a.code not in have]
    session.add_all(added)
    session.flush()
    return len(added)
