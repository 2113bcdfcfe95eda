"""The coordinators' verval pages: progress, reconciliation with the Pusdatin counts, the import of the by-name
list, verifier assignments, the masked export, erasure on request, the retention period and (admins) the access
log. Progress and reconciliation show aggregates only, so leaders may open them too.

The import mirrors the ATS import: the uploaded file waits between the preview and the confirmation in
UPLOAD_DIR/verval-pending/<token> (its name and source in <token>.json); the token travels in a hidden field and
must be 32 hex digits; the pending files go on any error and once saved.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from coordinator.actions.evidence import clean_filename
from coordinator.core import permissions
from coordinator.core.clock import to_wita, utcnow
from coordinator.core.errors import DomainError
from coordinator.core.export import to_csv, to_xlsx
from coordinator.core.formatting import current_locale
from coordinator.extensions import db
from coordinator.models import LIST_VERVAL_STATUS, Area, Child
from coordinator.reports.pdf import html_to_pdf
from coordinator.verval import coordination as verval_admin
from coordinator.verval import importing as verval_import
from coordinator.verval.admin_forms import AssignForm, ConfirmForm, EraseForm, ImportForm, SettingsForm
from coordinator.verval.blueprint import bp
from coordinator.verval.child_data import key_from_config
from coordinator.verval.verification import list_codes
from coordinator.web.pending_uploads import PendingUploads
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require, role_required

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
MAX_BYTES = 20 * 1024 * 1024
CODE_MAX = 20

coordinators_only = role_required(permissions.can_manage_verval)
figures_users = role_required(permissions.can_view_verval_figures)


# Helpers --------------------------------------------------------------------------------------------------------

def _url(endpoint: str, **values: Any) -> str | None:
    """A link to a page of the children's side, or None while that page is not there."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _ip() -> str | None:
    return request.remote_addr


def _arg(name: str) -> str | None:
    return (request.args.get(name) or "").strip()[:CODE_MAX] or None


def _kecamatan_arg() -> str | None:
    """?kecamatan=kode: a known kecamatan, none, or 404."""
    kode = _arg("kecamatan")
    if kode is not None and not verval_admin.is_kecamatan(db.session, kode):
        abort(404)
    return kode


def _status_labels() -> dict[str, str]:
    english = current_locale().startswith("en")
    labels = {code: (en or ind) if english else ind for code, ind, en in list_codes(db.session, LIST_VERVAL_STATUS)}
    labels[verval_admin.UNVERIFIED] = _("Belum diverifikasi")
    return labels


# Progress and reconciliation -------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    if current_user.is_verifier:
        return redirect(url_for("verval.children"))
    require(permissions.can_view_verval_figures(current_user))
    kecamatan = _kecamatan_arg()
    data = verval_admin.progress(db.session, kecamatan)
    return render_template("verval/index.html", data=data, kecamatan=kecamatan,
                           children_url=_url("verval.children"), manage=permissions.can_manage_verval(current_user),
                           can_export=permissions.can_export_children(current_user),
                           can_log=permissions.can_view_access_log(current_user))


@bp.route("/rekonsiliasi")
@figures_users
def reconciliation():
    kecamatan = _kecamatan_arg()
    rows = verval_admin.reconciliation(db.session, kecamatan)
    total = verval_admin.reconciliation_total(rows)
    parent = db.session.get(Area, kecamatan) if kecamatan else None
    return render_template("verval/reconciliation.html", rows=rows, total=total, kecamatan=kecamatan, parent=parent,
                           as_of=verval_admin.pusdatin_as_of(db.session))


# Import ---------------------------------------------------------------------------------------------------------

PENDING = PendingUploads("verval-pending")  # a previewed list holds readable NIKs: kept an hour at most


def _show_preview(p: verval_import.Preview, form: ConfirmForm) -> str:
    areas = dict(db.session.execute(select(Area.kode, Area.nama)).all())

    def text(issue: verval_import.RowIssue) -> str:
        return _(issue.message, **issue.params)

    columns = {"nik": "NIK", "nama": _("Nama"), "tanggal_lahir": _("Tanggal lahir"), "kategori": _("Kategori"),
               "desa": _("Desa/kelurahan"), "kecamatan": _("Kecamatan")}
    return render_template("verval/import_preview.html", p=p, form=form, text=text, areas=areas, columns=columns)


@bp.route("/impor", methods=["GET", "POST"])
@coordinators_only
def import_upload():
    form = ImportForm()
    PENDING.discard_stale()
    if form.validate_on_submit():
        name = clean_filename(form.file.data.filename or "")
        data = form.file.data.read(MAX_BYTES + 1)
        if not name.lower().endswith((".xlsx", ".csv")):
            form.file.errors = [_("Gunakan berkas XLSX atau CSV.")]
        elif len(data) > MAX_BYTES or not data:
            form.file.errors = [_("Berkas kosong atau lebih besar dari 20 MB.")]
        else:
            token = PENDING.keep(data, {"file_name": name, "source": form.source.data or ""})
            try:
                p = verval_import.preview(db.session, data, name, key_from_config(current_app.config))
            except DomainError as err:
                PENDING.discard(token)
                db.session.rollback()
                form.file.errors = [_(err.message, **err.params)]
                return render_template("verval/import.html", form=form)
            except BaseException:
                PENDING.discard(token)
                raise
            db.session.rollback()  # the preview writes nothing
            if not p.can_save:  # the file must be fixed and uploaded again
                PENDING.discard(token)
            return _show_preview(p, ConfirmForm(formdata=None, token=token))
    return render_template("verval/import.html", form=form)


@bp.route("/impor/konfirmasi", methods=["POST"])
@coordinators_only
def import_confirm():
    form = ConfirmForm()
    token = form.token.data or ""
    try:
        data, meta = PENDING.load(token)
        name, source = str(meta["file_name"]), str(meta.get("source") or "")
    except (OSError, ValueError, KeyError, TypeError):
        flash(_("Berkas pratinjau sudah tidak tersedia. Unggah ulang berkasnya."), "error")
        return redirect(url_for("verval.import_upload"))
    try:
        result = verval_import.save(db.session, data, name, key_from_config(current_app.config), utcnow(),
                                    current_user.id, source or None)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
        return redirect(url_for("verval.import_upload"))
    finally:
        PENDING.discard(token)  # saved, refused or failed: the readable file goes
    flash(_("%(new)s anak baru, %(updated)s diperbarui.", new=result.created, updated=result.updated), "success")
    return redirect(url_for("verval.index"))


# Verifier assignments -------------------------------------------------------------------------------------------

def _assign_form() -> AssignForm:
    form = AssignForm()
    form.user_id.choices = _verifier_choices()
    form.desa_kodes.choices = _desa_choices()
    return form


def _verifier_choices() -> list[tuple[int, str]]:
    return [(r.user.id, f"{r.user.name} ({r.user.email})") for r in verval_admin.verifiers(db.session)
            if r.user.active]


def _desa_choices() -> dict[str, list[tuple[str, str]]]:
    areas = list(db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.nama)))
    groups: dict[str, list[tuple[str, str]]] = {}
    for kec in (a for a in areas if a.level == "kecamatan"):
        desa = [(d.kode, d.nama) for d in areas if d.level == "desa" and d.parent_kode == kec.kode]
        if desa:
            groups[f"Kec. {kec.nama}"] = desa
    return groups


@bp.route("/verifikator", methods=["GET", "POST"])
@coordinators_only
def verifiers():
    form = _assign_form()
    if form.validate_on_submit():
        try:
            n = verval_admin.assign_desa(db.session, form.user_id.data, list(form.desa_kodes.data or []))
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
        else:
            flash(_("%(n)s desa ditambahkan.", n=n) if n else _("Desa itu sudah ditugaskan kepadanya."),
                  "success" if n else "info")
            return redirect(url_for("verval.verifiers"))
    return render_template("verval/verifiers.html", form=form, rows=verval_admin.verifiers(db.session))


@bp.route("/verifikator/<int:assignment_id>/hapus", methods=["POST"])
@coordinators_only
def verifier_remove(assignment_id: int):
    if not 0 < assignment_id <= 2**31 - 1:
        abort(404)
    if verval_admin.remove_assignment(db.session, assignment_id) is None:
        abort(404)
    db.session.commit()
    flash(_("Penugasan desa dihapus."), "success")
    return redirect(url_for("verval.verifiers"))


# Export ---------------------------------------------------------------------------------------------------------

EXPORT_MIME = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}


@bp.route("/ekspor")
@role_required(permissions.can_export_children)
def export():
    fmt = request.args.get("format", "csv")
    if fmt not in EXPORT_MIME:
        abort(404)
    labels = _status_labels()
    status = _arg("status")
    f = verval_admin.ExportFilter(desa=_arg("desa"), kecamatan=_arg("kecamatan"),
                                  status=status if status in labels else None)
    rows = verval_admin.export_rows(db.session, f)
    yes, no = _("ya"), _("tidak")
    headers = ["ID", _("NIK (disamarkan)"), _("Nama"), _("Tanggal lahir (disamarkan)"), _("Jenis kelamin"),
               _("Kode desa"), _("Desa/kelurahan"), _("Kecamatan"), _("Kategori"), _("Hasil verifikasi"),
               _("Tanggal verifikasi"), _("Kembali bersekolah"), _("Dihapus atas permintaan")]
    data = [[r.id, r.nik_masked, r.nama, r.tanggal_lahir, r.jenis_kelamin, r.desa_kode, r.desa, r.kecamatan,
             r.kategori, labels.get(r.status or verval_admin.UNVERIFIED, r.status), r.verified_on,
             yes if r.returned else no, yes if r.erased else ""] for r in rows]
    now = utcnow()
    verval_admin.log_export(db.session, user_id=current_user.id, fmt=fmt, n=len(rows), f=f, now=now, ip=_ip())
    db.session.commit()
    if fmt == "pdf":  # a printed list for the field visit, masked like the spreadsheets
        body, _pages = html_to_pdf(render_template("verval/pdf/list.html", headers=headers, rows=data,
                                                   filter_text=f.describe(), printed=now))
    elif fmt == "csv":
        body = to_csv(headers, data)
    else:
        body = to_xlsx(headers, data, sheet_title=_("Anak"), date_columns=[10])
    stamp = to_wita(now).strftime("%Y%m%d-%H%M")
    return Response(body, mimetype=EXPORT_MIME[fmt], headers={
        "Content-Disposition": f'attachment; filename="anak-verval-{stamp}.{fmt}"', "Cache-Control": "no-store"})


# Access log (admins) --------------------------------------------------------------------------------------------

def _action_labels() -> dict[str, str]:
    return {"view": _("Melihat"), "edit": _("Mengubah"), "export_csv": _("Ekspor CSV"),
            "export_xlsx": _("Ekspor XLSX"), "export_pdf": _("Ekspor PDF"), "view_list": _("Melihat nama di daftar"),
            "refused": _("Ditolak"), "erase": _("Menghapus"), "reveal": _("Membuka data lengkap"),
            "reveal_refused": _("Pembukaan ditolak (batas per jam)"), "search": _("Mencari")}


@bp.route("/log-akses")
@role_required(permissions.can_view_access_log)
def access_log():
    labels = _action_labels()
    action = request.args.get("action") or None
    f = verval_admin.LogFilter(user_id=int_arg("user"), child_id=int_arg("child"),
                               action=action if action in labels else None)
    rows, total, pages, page = verval_admin.access_log_page(db.session, f, int_arg("page", 1) or 1,
                                                            current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in (("user", f.user_id), ("child", f.child_id), ("action", f.action)) if v is not None}
    child_links = {entry.child_id: _url("verval.child", child_id=entry.child_id)
                   for entry, _m in rows if entry.child_id is not None}
    return render_template("verval/access_log.html", rows=rows, total=total, pages=pages, page=page, args=args,
                           f=f, labels=labels, users=verval_admin.log_users(db.session), child_links=child_links)


# Erasure on request ---------------------------------------------------------------------------------------------

@bp.route("/anak/<int:child_id>/hapus", methods=["POST"])
@coordinators_only
def erase(child_id: int):
    child = get_or_404(Child, child_id)
    back = _url("verval.children", desa=child.desa_kode) or url_for("verval.index")
    form = EraseForm()
    if child.erased_at is not None:
        flash(_("Data anak ini sudah dihapus."), "info")
        return redirect(back)
    if not form.validate():
        flash(_("Alasan penghapusan wajib diisi (paling banyak %(max)s karakter).", max=verval_admin.REASON_MAX),
              "error")
        return redirect(_url("verval.child", child_id=child.id) or back)
    try:
        verval_admin.erase_child(db.session, child, form.reason.data or "", utcnow(), current_user.id, _ip())
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
        return redirect(back)
    flash(_("Data pribadi anak #%(id)s dihapus; angka rekap tetap.", id=child_id), "success")
    return redirect(back)


# Retention ------------------------------------------------------------------------------------------------------

@bp.route("/pengaturan", methods=["GET", "POST"])
@coordinators_only
def settings():
    now = utcnow()
    row = verval_admin.get_settings(db.session)
    db.session.commit()  # the row with the defaults exists from the first visit on
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        try:
            verval_admin.update_retention(db.session, form.retention_years.data, now)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
        else:
            flash(_("Masa simpan disimpan."), "success")
            return redirect(url_for("verval.settings"))
    due = len(verval_admin.retention_due(db.session, now, row.retention_years))
    return render_template("verval/settings.html", form=form, row=row, due=due)


@bp.route("/retensi", methods=["POST"])
@coordinators_only
def retention():
    # The CSRF token is checked for every POST by CSRFProtect; there is nothing else to read.
    n = verval_admin.apply_retention(db.session, utcnow(), current_user.id)
    db.session.commit()
    flash(_("%(n)s anak melewati masa simpan dan dianonimkan.", n=n) if n
          else _("Tidak ada anak yang melewati masa simpan."), "success" if n else "info")
    return redirect(url_for("verval.settings"))
