from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField

from coordinator.web.forms import BaseForm, max_length, required

MENTION_HINT = _l("Teks biasa. Sebut orang dengan @ dan email atau bagian sebelum @ (mis. @koordinator), atau "
                  "instansi dengan @ dan kodenya (mis. @DINSOS): mereka diberi tahu bila boleh melihat aksi ini. "
                  "Komentar tidak dapat dihapus; penulisnya dapat mengoreksi.")


class CommentForm(BaseForm):
    body = TextAreaField(_l("Komentar"), validators=[required(), max_length(4000)], description=MENTION_HINT,
                         render_kw={"rows": 3})
    update_id = SelectField(_l("Tentang"), coerce=int, choices=[], validate_choice=True)


class CorrectionForm(BaseForm):
    body = TextAreaField(_l("Koreksi komentar"), validators=[required(), max_length(4000)],
                         description=_l("Koreksi tampil menggantikan komentar lama; komentar lama tetap terlihat "
                                        "sebagai riwayat."), render_kw={"rows": 3})
