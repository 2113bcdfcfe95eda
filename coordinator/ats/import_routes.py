"""Importing Pusdatin ATS tables: upload, preview, map unknown areas, save.

The uploaded file waits between the preview and the confirmation in
UPLOAD_DIR/ats-pending/<token>; the token travels in a hidden field and must be hex.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..services import ats_import, choices, permissions
from ..services.clock import utcnow
from ..services.errors import DomainError
from ..services.evidence import clean_filename
from ..web import apply_domain_error, role_required
from . import bp
from .import_forms import ConfirmForm, ImportForm

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
MAX_BYTES = 10 * 1024 * 1024


def _pending(token: str) -> Path:
    if not TOKEN_RE.fullmatch(token or ""):
        abort(400)
    return Path(current_app.config["UPLOAD_DIR"]) / "ats-pending" / token


def _mappings() -> dict[str, str]:
    return {k[4:]: v for k, v in request.form.items()
            if k.startswith("map-") and re.fullmatch(r"[a-z0-9]{1,200}", k[4:])}


def _show(preview: ats_import.Preview, form: ConfirmForm):
    def text(issue):  # type: ignore[no-untyped-def]
        return _(issue.message, **issue.params)

    return render_template("ats/import_preview.html", p=preview, form=form, text=text,
                           areas=choices.area_choices(db.session), mappings=_mappings())


@bp.route("/ats/import", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        name = clean_filename(form.file.data.filename or "")
        data = form.file.data.read(MAX_BYTES + 1)
        if not name.lower().endswith((".xlsx", ".csv")):
            form.file.errors = [_("Gunakan berkas XLSX atau CSV.")]
        elif len(data) > MAX_BYTES or not data:
            form.file.errors = [_("Berkas kosong atau lebih besar dari 10 MB.")]
        else:
            token = secrets.token_hex(16)
            path = _pending(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            p = ats_import.preview(db.session, data, name, form.as_of.data, form.source.data, {}, utcnow())
            confirm = ConfirmForm(formdata=None, token=token, file_name=name, as_of=form.as_of.data,
                                  source=form.source.data, note=form.note.data)
            return _show(p, confirm)
    return render_template("form_page.html", form=form, title=_("Impor data ATS"), multipart=True,
                           submit_label=_("Pratinjau"), subtitle=_("Tabel ATS per wilayah dari portal Pusdatin."))


@bp.route("/ats/import/confirm", methods=["POST"])
@role_required(permissions.can_edit_plan)
def import_confirm():
    form = ConfirmForm()
    path = _pending(form.token.data or "")
    if not path.is_file():
        flash(_("Berkas pratinjau sudah tidak tersedia. Unggah ulang berkasnya."), "error")
        return redirect(url_for("ats.import_upload"))
    data = path.read_bytes()
    name = clean_filename(form.file_name.data or "berkas.csv")
    if not form.validate():
        p = ats_import.preview(db.session, data, name, form.as_of.data or utcnow().date(), form.source.data or "",
                               _mappings(), utcnow())
        return _show(p, form)
    try:
        result = ats_import.save(db.session, data, name, form.as_of.data, form.source.data, form.note.data,
                                 utcnow(), current_app.config["UPLOAD_DIR"], _mappings(), current_user.id,
                                 confirm_replace=bool(form.confirm_replace.data))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        apply_domain_error(form, err)
        p = ats_import.preview(db.session, data, name, form.as_of.data, form.source.data, _mappings(), utcnow())
        return _show(p, form)
    path.unlink(missing_ok=True)
    if result.created:
        flash(_("Snapshot ATS per %(date)s disimpan.", date=form.as_of.data.strftime("%d/%m/%Y")), "success")
    else:
        flash(_("Berkas ini sudah pernah diimpor; tidak ada yang ditambahkan."), "info")
    return redirect(url_for("ats.import_upload"))
