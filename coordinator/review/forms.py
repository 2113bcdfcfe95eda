from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from coordinator.web.forms import BaseForm, max_length, optional, required


class AcceptForm(BaseForm):
    # Both forms are on one page, each with a "comment": distinct ids keep every label with its own box.
    comment = TextAreaField(_l("Catatan (tidak wajib)"), validators=[optional(), max_length(2000)],
                            id="accept-comment")


class ReturnForm(BaseForm):
    comment = TextAreaField(_l("Yang perlu diperbaiki"), validators=[required(), max_length(2000)],
                            description=_l("Catatan ini dikirim ke penulis laporan dan tersimpan di riwayatnya."),
                            id="return-comment")
