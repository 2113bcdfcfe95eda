"""The RAD matrix in Excel: upload, preview, map unknown agencies, confirm; and the export.

The uploaded file waits between its preview and the confirmation in UPLOAD_DIR/rad-pending/<token>
(PendingUploads), so the confirmation saves exactly what was previewed. The mapping of unknown names travels
as agency-<key> fields (an agency id or "new") and funding-<key> fields (a funding source's code or "new"); the
plan's header, as read and corrected, in the confirmation form's plan fields.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordinator.actions.evidence import clean_filename
from coordinator.core import choices, permissions
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.formatting import current_locale
from coordinator.extensions import db
from coordinator.plan.editing import current_plan
from coordinator.rad_matrix import importing as rad_import
from coordinator.rad_matrix.blueprint import bp
from coordinator.rad_matrix.forms import RadConfirmForm, RadImportForm
from coordinator.rad_matrix.layout import COLUMNS
from coordinator.web.pending_uploads import PendingUploads
from coordinator.web.routing import role_required

MAX_BYTES = 10 * 1024 * 1024
PENDING = PendingUploads("rad-pending")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEY_RE = re.compile(r"[a-z0-9]{1,200}")
AGENCY_RE = re.compile(r"new|\d{1,12}")
FUNDING_RE = re.compile(r"new|[A-Za-z0-9_.\-]{1,40}")


def _mapping() -> tuple[dict[str, str], dict[str, str]]:
    """The unknown names mapped in the preview: agency-<key> (an agency id or "new") and funding-<key> (a funding
    source's code or "new"). A value of the wrong shape is dropped: the name then stays unmapped."""
    def picked(prefix: str, value_re: re.Pattern[str]) -> dict[str, str]:
        return {k[len(prefix):]: v for k, v in request.form.items()
                if k.startswith(prefix) and KEY_RE.fullmatch(k[len(prefix):]) and value_re.fullmatch(v)}

    return picked("agency-", AGENCY_RE), picked("funding-", FUNDING_RE)


def _parse(data: bytes, name: str) -> Any:
    from coordinator.rad_matrix.parse import parse_matrix

    return parse_matrix(data, name)


def _text(issue: Any) -> str:
    try:
        return _(issue.message, **issue.params)
    except (KeyError, TypeError, ValueError):
        return issue.message


def _show(p: rad_import.ImportPreview, form: RadConfirmForm, file_name: str,
          mapping: tuple[dict[str, str], dict[str, str]], can_confirm: bool) -> str:
    return render_template("rad_matrix/preview.html", p=p, form=form, file_name=file_name, mapping=mapping[0],
                           funding_mapping=mapping[1], text=_text, can_confirm=can_confirm,
                           agencies=choices.agency_choices(db.session),
                           funding=choices.funding_choices(db.session, current_locale()),
                           headers={key: header for key, header, _x in COLUMNS})


@bp.route("/plan/import", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def upload():
    from coordinator.rad_matrix.parse import FileRefused

    form = RadImportForm()
    if form.validate_on_submit():
        name = clean_filename(form.file.data.filename or "") or "matriks.xlsx"
        data = form.file.data.read(MAX_BYTES + 1)
        if not name.lower().endswith(".xlsx"):
            form.file.errors = [_("Gunakan berkas XLSX (Excel).")]
        elif not data or len(data) > MAX_BYTES:
            form.file.errors = [_("Berkas kosong atau lebih besar dari 10 MB.")]
        else:
            try:
                parsed = _parse(data, name)
            except FileRefused as err:
                form.file.errors = [_text(err)]
            else:
                p = rad_import.preview(db.session, parsed, {}, utcnow())
                db.session.rollback()
                can_confirm = not p.errors  # with errors the file must be fixed and uploaded again
                token = PENDING.keep(data, {"file_name": name}) if can_confirm else ""
                confirm_form = RadConfirmForm(formdata=None, token=token)
                confirm_form.show_plan(p.plan_values)
                return _show(p, confirm_form, name, ({}, {}), can_confirm)
    return render_template("rad_matrix/upload.html", form=form)


@bp.route("/plan/import/confirm", methods=["POST"])
@role_required(permissions.can_edit_plan)
def confirm():
    from coordinator.rad_matrix.parse import FileRefused

    form = RadConfirmForm()
    token = form.token.data or ""
    try:
        data, meta = PENDING.load(token)
        name = str(meta["file_name"])
        parsed = _parse(data, name)
    except (OSError, ValueError, KeyError, TypeError, FileRefused):
        flash(_("Berkas pratinjau sudah tidak tersedia. Unggah ulang berkasnya."), "error")
        return redirect(url_for("rad_matrix.upload"))
    mapping = _mapping()
    agency_map, funding_map = mapping
    if not form.validate():
        p = rad_import.preview(db.session, parsed, agency_map, utcnow(), funding_map=funding_map)
        db.session.rollback()
        return _show(p, form, name, mapping, not p.errors)
    try:
        result = rad_import.save(db.session, parsed, agency_map, utcnow(), current_user.id, funding_map=funding_map,
                                 plan_fix=form.plan_fix())
        if not result.saved:
            db.session.rollback()
            if result.preview.errors:  # no mapping fixes these: the file must be corrected
                PENDING.discard(token)
            else:
                form.form_errors.append(_("Pilih instansi atau sumber dana untuk setiap nama yang belum dikenal."))
            return _show(result.preview, form, name, mapping, not result.preview.errors)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    PENDING.discard(token)
    c = result.preview.counts
    flash(_("Matriks RAD diimpor: %(new)d aksi baru, %(changed)d aksi berubah, %(same)d aksi tetap; "
            "%(ms)d tahapan dan %(ind)d indikator baru atau berubah.",
            new=c["actions"].new, changed=c["actions"].changed, same=c["actions"].unchanged,
            ms=c["milestones"].new + c["milestones"].changed,
            ind=c["indicators"].new + c["indicators"].changed), "success")
    return redirect(url_for("plan.overview"))


@bp.route("/plan/export.xlsx")
@role_required(permissions.sees_everything)
def export():
    from coordinator.rad_matrix.collect import export_plan

    if current_plan(db.session) is None:
        abort(404)
    now = utcnow()
    data = export_plan(db.session, now)
    name = f"rad-ats-kutim-{wita_today(now).isoformat()}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                  "Cache-Control": "no-store"})
