"""What the reader of a RAD matrix (parse) tells the coordinator about a row it cannot read as it is: each
message a gettext msgid with the row, the column as the file names it, and the value."""
from coordinator.core.errors import N_
from coordinator.rad_matrix.dates import NO_SUCH_DAY, NO_YEAR

NO_HEADER = N_("Baris judul kolom matriks RAD tidak ditemukan di %(rows)s baris pertama: perlu sedikitnya tiga "
               "judul kolom yang dikenal, termasuk %(column)s.")
NO_ACTION_COLUMN = N_("Kolom %(column)s tidak ditemukan di baris judul kolom (baris %(row)s).")
NO_TITLE = N_("Baris %(row)s: judul aksi (kolom %(column)s) kosong, padahal baris ini berisi data.")
NOT_A_NUMBER = N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan angka.")
BAD_WHEN = N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan tanggal atau waktu yang dikenali.")
BAD_DAY = N_("Baris %(row)s, kolom %(column)s: tanggal \"%(value)s\" tidak ada di kalender.")
NO_YEAR_IN = N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" tidak menyebut tahun, dan tahun matriks tidak "
                "diketahui.")
BAD_RANGE = N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan rentang waktu yang benar (tahun 2000–2100, "
               "akhir tidak sebelum awal).")
DUE_BEFORE_START = N_("Baris %(row)s: tenggat (%(due)s) lebih awal dari tanggal mulai (%(start)s).")
NO_DATE = N_("Baris %(row)s: aksi \"%(title)s\" tidak punya waktu pelaksanaan (isi Mulai/Tenggat atau Waktu "
             "pelaksanaan, atau tandai triwulannya).")
NO_DUE = N_("Baris %(row)s: aksi \"%(title)s\" punya tanggal mulai tetapi tenggatnya kosong.")
MARKS_NO_YEAR = N_("Baris %(row)s: triwulan ditandai, tetapi tahunnya tidak diketahui; tulis tahunnya di judul "
                   "kolom, misalnya \"Target per triwulan 2026\".")
DUPLICATE_CODE = N_("Baris %(row)s: kode aksi %(code)s sudah dipakai di baris %(first)s untuk aksi lain "
                    "(\"%(other)s\").")
NO_PILLAR = N_("Baris %(row)s: aksi \"%(title)s\" tidak berada di bawah pilar mana pun.")
NO_PROGRAM = N_("Baris %(row)s: aksi \"%(title)s\" tidak berada di bawah program mana pun.")
BAD_CATEGORY = N_("Baris %(row)s, kolom %(column)s: sasaran \"%(value)s\" tidak dikenal (BPB, DO, LTM atau Semua).")
BAD_MILESTONE = N_("Baris %(row)s, kolom %(column)s: tahapan \"%(value)s\" tidak dapat dibaca; tulis satu tahapan "
                   "per baris, misalnya \"31/03/2026 – Penyusunan SK tim [selesai 15/03/2026]\".")
NO_INDICATOR = N_("Baris %(row)s: ada satuan, baseline atau target, tetapi nama indikator (kolom %(column)s) kosong.")
ROW_IGNORED = N_("Baris %(row)s diabaikan: \"%(value)s\" bukan aksi, pilar atau program.")
DATE_MESSAGES = {NO_SUCH_DAY: BAD_DAY, NO_YEAR: NO_YEAR_IN}
BAD_AMOUNT = N_("Baris %(row)s, kolom %(column)s: jumlah harus antara 0 dan %(max)s.")
