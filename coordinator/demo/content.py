"""The demo plan's content: shaped like Kutim's SITISEK RAD (see DOMAIN.md)."""
from __future__ import annotations

from coordinator.setup.agencies import KUTIM_AGENCIES

# (code, short name, full name, kind, aliases): the regency's agencies as `flask setup` loads them, so that a real
# matrix imports into the demo as into a fresh install, and two partners of the demo.
AGENCIES = [(a.code, a.short_name, a.name, a.kind, a.aliases) for a in KUTIM_AGENCIES] + [
    ("PTKPC", "PT KPC", "PT Kaltim Prima Coal (CSR)", "mitra", "KPC"),
    ("FORUMCSR", "Forum CSR", "Forum Tanggung Jawab Sosial Perusahaan Kutai Timur", "mitra", "TJSLP"),
]

PILLARS = [
    (1, "Validasi data ATS by name by address", "Verifikasi dan validasi daftar ATS Pusdatin sampai tingkat desa bersama PKK dan RT.",
     [("1.1", "Pendataan dan verifikasi ATS"), ("1.2", "Sistem informasi dan integrasi data")]),
    (2, "Pencegahan anak putus sekolah", "Mencegah perkawinan anak, pekerja anak dan putus sekolah karena ekonomi.",
     [("2.1", "Perlindungan anak dan keluarga"), ("2.2", "Bantuan biaya dan sarana pendidikan"),
      ("2.3", "Kampanye wajib belajar 13 tahun")]),
    (3, "Penanganan dan reintegrasi", "Mengembalikan anak ke sekolah formal, pendidikan kesetaraan, pesantren atau kursus.",
     [("3.1", "Pendidikan kesetaraan dan layanan khusus"), ("3.2", "Pendampingan kembali bersekolah")]),
    (4, "Penguatan kelembagaan, regulasi dan pembiayaan", "Forum lintas sektor, regulasi daerah dan sumber pembiayaan.",
     [("4.1", "Regulasi dan kelembagaan"), ("4.2", "Pembiayaan dan kemitraan")]),
]

# program code, title, lead, supporting, categories, funding (codes; several share the budget), areas ("kec:<name>" or "all")
ACTIONS = [
    ("1.1", "Pembentukan tim ATS kabupaten dan kecamatan", "DISDIKBUD", ["BAPPEDA", "TPPKK"], "BPB,DO,LTM", "APBD", []),
    ("1.1", "Verifikasi lapangan daftar ATS oleh kader PKK dan ketua RT", "TPPKK", ["DISDIKBUD", "DPMDES"], "BPB,DO,LTM", "APBDES", ["Sangatta Utara", "Sangatta Selatan"]),
    ("1.1", "Pencocokan NIK ATS dengan data Dukcapil", "DISDUKCAPIL", ["DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("1.1", "Pencocokan data santri pesantren dan madrasah (EMIS)", "KEMENAG", ["DISDIKBUD"], "BPB,DO", "LAINNYA", []),
    ("1.1", "Verifikasi ATS di desa pesisir dan pedalaman", "DISDIKBUD", ["DPMDES", "TPPKK"], "BPB,DO", "APBD", ["Sandaran", "Sangkulirang", "Busang"]),
    ("1.1", "Penerbitan akta kelahiran dan KIA bagi ATS", "DISDUKCAPIL", ["DPMDES"], "BPB", "APBD", []),
    ("1.2", "Pengembangan dasbor ATS kabupaten", "DISKOMINFO", ["DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("1.2", "Integrasi data ATS dengan DTKS", "DINSOS", ["DISKOMINFO", "DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("1.2", "Pelatihan operator desa untuk pemutakhiran data ATS", "DPMDES", ["DISKOMINFO"], "BPB,DO,LTM", "APBDES", []),
    ("1.2", "Pemetaan sekolah dan jarak tempuh anak", "BAPPEDA", ["DISDIKBUD"], "BPB,DO", "APBD", ["Muara Wahau", "Kongbeng"]),
    ("1.1", "Rekap hasil verval per kecamatan", "DISDIKBUD", [], "BPB,DO,LTM", "APBD", []),
    ("2.1", "Sosialisasi pencegahan perkawinan anak", "DPPPA", ["KEMENAG", "TPPKK"], "DO,LTM", "APBD", ["Sangatta Utara", "Bengalon"]),
    ("2.1", "Pendampingan keluarga rentan putus sekolah", "DINSOS", ["DPPPA"], "DO", "APBD", []),
    ("2.1", "Pengawasan pekerja anak di perkebunan sawit", "DPPPA", ["PTKPC", "FORUMCSR"], "DO,LTM", "APBD,CSR", ["Muara Wahau", "Long Mesangat"]),
    ("2.1", "Konseling remaja di Puskesmas", "DINKES", ["DPPPA"], "DO,LTM", "APBD", []),
    ("2.1", "Bina Keluarga Remaja tentang pentingnya sekolah", "DPPKB", ["TPPKK"], "DO,LTM", "APBD", []),
    ("2.2", "Beasiswa transportasi siswa dari keluarga miskin", "KESRA", ["DISDIKBUD"], "DO,LTM", "APBD", []),
    ("2.2", "Seragam dan perlengkapan sekolah gratis", "DISDIKBUD", ["BAZNAS"], "BPB,DO", "APBD,BAZNAS", []),
    ("2.2", "Beasiswa Kutim Tuntas bagi lulusan SMP", "KESRA", ["DISDIKBUD"], "LTM", "APBD", []),
    ("2.2", "Bantuan zakat pendidikan untuk anak yatim", "BAZNAS", ["DINSOS"], "DO,LTM", "BAZNAS", []),
    ("2.2", "Bantuan transportasi antar jemput sekolah di desa terpencil", "DISDIKBUD", ["DPMDES"], "BPB,DO", "APBDES", ["Busang", "Long Mesangat"]),
    ("2.3", "Kampanye Ayo Sekolah di media lokal", "DISKOMINFO", ["DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("2.3", "Gerakan kembali bersekolah di rumah ibadah", "KEMENAG", ["TPPKK"], "BPB,DO,LTM", "LAINNYA", []),
    ("2.3", "Perusahaan melaporkan anak karyawan yang tidak sekolah", "FORUMCSR", ["DISDIKBUD"], "DO,LTM", "CSR", []),
    ("2.3", "Kunjungan rumah anak rawan putus sekolah", "DISDIKBUD", ["TPPKK"], "DO", "BOS", ["Sangatta Utara"]),
    ("3.1", "Pembukaan kelas jauh di desa tanpa SMP", "DISDIKBUD", ["DPMDES"], "LTM", "APBD", ["Sandaran", "Karangan"]),
    ("3.1", "Sekolah terbuka untuk anak bekerja", "DISDIKBUD", [], "DO,LTM", "APBD", ["Bengalon", "Rantau Pulung"]),
    ("3.1", "Penyelenggaraan Paket A, B dan C di PKBM", "DISDIKBUD", ["DPMDES"], "DO,LTM", "APBD", []),
    ("3.1", "Pembangunan gedung PKBM oleh CSR", "PTKPC", ["DISDIKBUD"], "DO,LTM", "CSR", ["Sangatta Utara", "Bengalon"]),
    ("3.1", "Layanan pendidikan anak berkebutuhan khusus", "DISDIKBUD", ["DINKES", "DINSOS"], "BPB", "APBD", []),
    ("3.1", "Kursus keterampilan di LKP bagi remaja ATS", "DISDIKBUD", ["FORUMCSR"], "LTM", "CSR", []),
    ("3.2", "Pendampingan anak kembali ke sekolah formal", "DISDIKBUD", ["TPPKK", "DPMDES"], "BPB,DO,LTM", "BOS", []),
    ("3.2", "Penempatan santri ATS ke pesantren mitra", "KEMENAG", ["BAZNAS"], "DO,LTM", "BAZNAS", []),
    ("3.2", "Bantuan biaya pendaftaran kembali bagi ATS", "BAZNAS", ["DISDIKBUD"], "DO,LTM", "BAZNAS", []),
    ("3.2", "Asesmen disabilitas anak tidak sekolah", "DINKES", ["DISDIKBUD"], "BPB", "APBD", []),
    ("3.2", "Dana Desa untuk pendampingan ATS", "DPMDES", ["TPPKK"], "BPB,DO,LTM", "APBDES", []),
    ("4.1", "Penyusunan Perbup wajib belajar 13 tahun", "DISDIKBUD", ["BAPPEDA"], "BPB,DO,LTM", "APBD", []),
    ("4.1", "Forum lintas sektor penanganan ATS", "BAPPEDA", ["DISDIKBUD", "DINSOS", "DPPPA"], "BPB,DO,LTM", "APBD", []),
    ("4.1", "Surat edaran camat tentang pendataan ATS", "DISDIKBUD", ["DPMDES"], "BPB,DO,LTM", "APBD", []),
    ("4.1", "Monitoring dan evaluasi RAD per triwulan", "BAPPEDA", ["DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("4.2", "Penandaan anggaran ATS dalam APBD", "BAPPEDA", ["DISDIKBUD"], "BPB,DO,LTM", "APBD", []),
    ("4.2", "Kemitraan CSR perusahaan tambang dan sawit", "FORUMCSR", ["BAPPEDA", "PTKPC"], "BPB,DO,LTM", "CSR", []),
    ("4.2", "Alokasi Dana Desa untuk pendidikan anak", "DPMDES", ["BAPPEDA"], "BPB,DO,LTM", "APBDES", []),
    ("4.2", "Penggalangan zakat pendidikan", "BAZNAS", ["KEMENAG"], "DO,LTM", "BAZNAS", []),
]

MILESTONE_TITLES = [
    "Rapat persiapan dan pembagian tugas", "Penyusunan petunjuk teknis", "Pelaksanaan kegiatan tahap I",
    "Pelaksanaan kegiatan tahap II", "Evaluasi dan laporan akhir",
]

OBSTACLES = [
    "Akses jalan ke desa pedalaman rusak saat musim hujan.", "Anggaran perubahan belum disahkan.",
    "Data NIK sebagian anak tidak cocok dengan Dukcapil.", "Kader di beberapa desa belum dilatih.",
    "Orang tua menolak karena anak membantu bekerja di kebun.", "Jaringan internet di kecamatan tidak stabil.",
    "Belum ada PKBM di kecamatan sasaran.", "",
]

# (code, name, unit, direction, baseline, baseline year, {year: target}, source, quarterly values start, step);
# no start: no value typed in, they all come from a feed (RETURNED_INDICATORS).
INDICATORS = [
    ("I-1", "Jumlah anak tidak sekolah (ATS)", "anak", "turun", 13411, 2025, {2026: 10000, 2027: 8500, 2028: 6706},
     "Pusdatin Kemendikdasmen", 12802, -650),
    ("I-2", "Jumlah ATS kategori belum pernah bersekolah (BPB)", "anak", "turun", 9945, 2025,
     {2026: 7400, 2027: 6300, 2028: 4972}, "Pusdatin Kemendikdasmen", 9463, -480),
    ("I-3", "Jumlah ATS kategori putus sekolah (DO)", "anak", "turun", 1996, 2025, {2026: 1500, 2027: 1250, 2028: 998},
     "Pusdatin Kemendikdasmen", 1888, -90),
    ("I-4", "Jumlah ATS kategori lulus tidak melanjutkan (LTM)", "anak", "turun", 1470, 2025,
     {2026: 1100, 2027: 950, 2028: 735}, "Pusdatin Kemendikdasmen", 1451, -70),
    ("I-5", "Persentase data ATS yang sudah diverifikasi", "%", "naik", 0, 2025, {2026: 80, 2027: 100, 2028: 100},
     "Tim ATS Disdikbud", 20, 18),
    ("I-6", "Jumlah ATS yang kembali bersekolah", "anak", "naik", 0, 2025, {2026: 3000, 2027: 4500, 2028: 6000},
     "SITISEK (daftar by name dan laporan kemajuan)", None, None),
    ("I-7", "Jumlah desa dengan tim ATS aktif", "desa", "naik", 0, 2025, {2026: 100, 2027: 141, 2028: 141},
     "DPMDes", 30, 22),
    ("I-8", "Jumlah PKBM penyelenggara Paket A/B/C", "lembaga", "naik", 12, 2025, {2026: 18, 2027: 22, 2028: 25},
     "Disdikbud", 12, 1),
    ("I-9", "Jumlah dispensasi perkawinan anak", "kasus", "turun", 180, 2025, {2026: 140, 2027: 110, 2028: 80},
     "Pengadilan Agama / DPPPA", 175, -8),
    ("I-10", "Jumlah penerima beasiswa transportasi", "anak", "naik", 250, 2025, {2026: 800, 2027: 1200, 2028: 1500},
     "Bagian Kesra", 300, 120),
    ("I-11", "Persentase anak usia sekolah yang memiliki akta kelahiran", "%", "naik", 88, 2025,
     {2026: 93, 2027: 96, 2028: 98}, "Disdukcapil", 88.5, 1.2),
    ("I-12", "Dana CSR untuk penanganan ATS", "Rp juta", "naik", 500, 2025, {2026: 2500, 2027: 3500, 2028: 4000},
     "Forum CSR", 600, 450),
]

# Indicators counting the distinct children back in school from SITISEK's own data (figures/indicator_feed.py).
# Indicators whose values an agency's focal points enter (reviewed by the coordinator), and how often.
INDICATOR_OWNERS = {"I-8": ("DISDIKBUD", "triwulanan")}
RETURNED_INDICATORS = {"I-6": "Anak berbeda yang kembali bersekolah, kumulatif sampai akhir triwulan: anak dalam "
                              "daftar by name dengan hasil kembali bersekolah, ditambah anak yang dilaporkan kembali "
                              "oleh instansi di luar daftar (halaman Definisi)."}

# (email, name, role, agency code)
DEMO_USERS = [
    ("admin@example.org", "Admin Sistem", "admin", None),
    ("koordinator@example.org", "Koordinator RAD (Disdikbud)", "koordinator", "DISDIKBUD"),
    ("disdikbud@example.org", "Fokal Disdikbud", "fokal", "DISDIKBUD"),
    ("dinsos@example.org", "Fokal Dinsos", "fokal", "DINSOS"),
    ("pimpinan@example.org", "Pimpinan Daerah", "pimpinan", None),
    ("verifikator@example.org", "Kader PKK Sangatta Utara", "verifikator", None),
]
DEMO_PASSWORD = "demo-kutim-2026"

# Agencies that stopped reporting (the monitor must show them).
SILENT_AGENCIES = {"DPPKB", "DISKOMINFO"}
