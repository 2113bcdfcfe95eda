"""Importing Pusdatin ATS tables: upload, preview, map unknown areas, save.

The uploaded file waits between the preview and the confirmation in
UPLOAD_DIR/ats-pending/<token>, with its name, date and source in <token>.json (so
the confirmation saves exactly what was previewed); the token travels in a hidden
field and must be hex. The pending files go on any error and once saved.
"""
from __future__ import annotations

import re
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordinator.actions.evidence import clean_filename
from coordinator.ats import importing as ats_import
from coordinator.ats.blueprint import bp
from coordinator.ats.forms import ConfirmForm, ImportForm
from coordinator.ats.upload import bundle
from coordinator.core import choices, permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.web.pending_uploads import PendingUploads
from coordinator.web.routing import apply_domain_error, role_required

MAX_BYTES = 10 * 1024 * 1024  # the whole upload: a 141-desa snapshot is well under 1 MB
MAX_FILES = 60
PENDING = PendingUploads("ats-pending")


def _mappings() -> dict[str, str]:
    return {k[4:]: v for k, v in request.form.items()
            if k.startswith("map-") and re.fullmatch(r"[a-z0-9]{1,200}", k[4:])}


def _show(preview: ats_import.Preview, form: ConfirmForm):
    def text(issue):  # type: ignore[no-untyped-def]
        message = _(issue.message, **issue.params)
        return f"{issue.table}: {message}" if issue.table else message

    return render_template("ats/import_preview.html", p=preview, form=form, text=text,
                           areas=choices.area_choices(db.session), mappings=_mappings())


@bp.route("/ats/import", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        uploads = [f for f in form.files.data or [] if getattr(f, "filename", "")]
        files = [(clean_filename(f.filename or "") or "tabel", f.read(MAX_BYTES + 1)) for f in uploads[:MAX_FILES]]
        total = sum(len(d) for _n, d in files)
        if not files:
            form.files.errors = [_("Wajib diisi.")]
        elif len(uploads) > MAX_FILES:
            form.files.errors = [_("Paling banyak %(n)s berkas sekaligus; kumpulkan dalam satu ZIP.", n=MAX_FILES)]
        elif not all(n.lower().endswith((".xlsx", ".csv", ".zip")) for n, _d in files):
            form.files.errors = [_("Gunakan berkas XLSX, CSV atau ZIP.")]
        elif total > MAX_BYTES or not all(d for _n, d in files):
            form.files.errors = [_("Berkas kosong, atau semuanya lebih besar dari 10 MB.")]
        else:
            name, data = files[0] if len(files) == 1 else (f"ats-{form.as_of.data.isoformat()}.zip", bundle(files))
            token = PENDING.keep(data, {"file_name": name, "as_of": form.as_of.data.isoformat(),
                                        "source": form.source.data})
            try:
                p = ats_import.preview(db.session, data, name, form.as_of.data, form.source.data, {}, utcnow())
            except BaseException:
                PENDING.discard(token)
                raise
            if p.errors and not p.unmatched:  # nothing to map: the file must be fixed and uploaded again
                PENDING.discard(token)
            confirm = ConfirmForm(formdata=None, token=token, note=form.note.data)
            return _show(p, confirm)
    return render_template("form_page.html", form=form, title=_("Impor data ATS"), multipart=True,
                           submit_label=_("Pratinjau"), subtitle=_("Tabel ATS per wilayah dari portal Pusdatin."),
                           upload_progress=True)


@bp.route("/ats/import/confirm", methods=["POST"])
@role_required(permissions.can_edit_plan)
def import_confirm():
    form = ConfirmForm()
    token = form.token.data or ""
    try:
        data, meta = PENDING.load(token)
        name, as_of, source = meta["file_name"], date.fromisoformat(meta["as_of"]), meta["source"]
    except (OSError, ValueError, KeyError, TypeError):
        flash(_("Berkas pratinjau sudah tidak tersedia. Unggah ulang berkasnya."), "error")
        return redirect(url_for("ats.import_upload"))
    if not form.validate():
        return _show(ats_import.preview(db.session, data, name, as_of, source, _mappings(), utcnow()), form)
    try:
        result = ats_import.save(db.session, data, name, as_of, source, form.note.data, utcnow(),
                                 current_app.config["UPLOAD_DIR"], _mappings(), current_user.id,
                                 confirm_replace=bool(form.confirm_replace.data))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        apply_domain_error(form, err)
        return _show(ats_import.preview(db.session, data, name, as_of, source, _mappings(), utcnow()), form)
    PENDING.discard(token)
    if result.created:
        flash(_("Snapshot ATS per %(date)s disimpan.", date=as_of.strftime("%d/%m/%Y")), "success")
    else:
        flash(_("Berkas ini sudah pernah diimpor; tidak ada yang ditambahkan."), "info")
    return redirect(url_for("ats.import_upload"))
