"""Admin: user accounts (coordinators and admins), areas and reference lists (admins only)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordinator.accounts import users as accounts
from coordinator.admin import directory as admin_service
from coordinator.admin.blueprint import bp
from coordinator.admin.forms import (
    REFERENCE_LIST_LABELS,
    ROLE_LABELS,
    AreaEditForm,
    AreaForm,
    NewUserForm,
    ReferenceItemEditForm,
    ReferenceItemForm,
    ResetPasswordForm,
    UserForm,
)
from coordinator.core import choices, permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import REFERENCE_LISTS, ROLE_ADMIN, ROLES, Agency, Area, ReferenceItem, User
from coordinator.web.forms import BaseForm
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, require, role_required, safe_next

manage_users = role_required(permissions.can_manage_agencies_and_users)
manage_reference = role_required(permissions.can_manage_reference_data)


# --- Users -------------------------------------------------------------------------------------------

def _role_choices() -> list[tuple[str, str]]:
    """Only admins may hand out the admin role."""
    return [(r, str(ROLE_LABELS[r])) for r in ROLES if r != ROLE_ADMIN or current_user.is_admin]


def _agency_choices(user: User | None) -> list[tuple[object, str]]:
    options: list[tuple[object, str]] = [("", _("— tanpa instansi —"))]
    options += choices.agency_choices(db.session)
    if user is not None and user.agency_id and all(v != user.agency_id for v, _label in options):
        options.append((user.agency_id, user.agency.short_name))  # an inactive agency stays selectable
    return options


def _prepare(form: UserForm, user: User | None) -> UserForm:
    form.role.choices = _role_choices()
    form.agency_id.choices = _agency_choices(user)
    return form


def _load_manageable(user_id: int) -> User:
    user = get_or_404(User, user_id)
    require(accounts.can_manage_account(current_user, user))
    return user


def _user_data(form: UserForm) -> dict:
    return {"email": form.email.data or "", "name": form.name.data or "", "role": form.role.data,
            "agency_id": form.agency_id.data, "locale": form.locale.data, "active": bool(form.active.data)}


def _render_edit(user: User, form: UserForm | None = None, password: ResetPasswordForm | None = None):
    """The edit page holds three forms (data, password, activation); one of them may carry errors."""
    if form is None:
        form = _prepare(UserForm(formdata=None, obj=user), user)
    if password is None:
        password = ResetPasswordForm(formdata=None)
    return render_template("admin/user_edit.html", user=user, form=form, password=password, role_labels=ROLE_LABELS,
                           history=history_for(db.session, "user", user.id))


@bp.route("/admin/users")
@manage_users
def users():
    active = request.args.get("active", "")
    f = admin_service.UserFilter(
        role=request.args.get("role") if request.args.get("role") in ROLES else None,
        agency_id=int_arg("agency"), active={"1": True, "0": False}.get(active),
        q=(request.args.get("q") or "").strip()[:100] or None,
    )
    page = int_arg("page", 1) or 1
    rows, total, pages = admin_service.user_page(db.session, f, page, current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.short_name))
    return render_template("admin/users.html", rows=rows, total=total, pages=pages, page=min(max(page, 1), pages),
                           args=args, f=f, role_labels=ROLE_LABELS, agencies=[(a.id, a.short_name) for a in agencies],
                           may_manage=lambda u: accounts.can_manage_account(current_user, u))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@manage_users
def user_new():
    form = _prepare(NewUserForm(), None)
    if form.validate_on_submit():
        try:
            user = accounts.create_user(db.session, actor=current_user, password=form.password.data, now=utcnow(),
                                        **_user_data(form))
            db.session.commit()
            flash(_("Pengguna %(name)s ditambahkan.", name=user.name), "success")
            return redirect(url_for("admin.users"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=_("Pengguna baru"), cancel_url=url_for("admin.users"))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@manage_users
def user_edit(user_id: int):
    user = _load_manageable(user_id)
    form = _prepare(UserForm(obj=user), user)
    if form.validate_on_submit():
        try:
            accounts.update_user(db.session, user, actor=current_user, **_user_data(form))
            db.session.commit()
            flash(_("Data pengguna disimpan."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _render_edit(user, form=form)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@manage_users
def user_password(user_id: int):
    user = _load_manageable(user_id)
    password = ResetPasswordForm()
    if password.validate_on_submit():
        try:
            accounts.reset_password(db.session, user, password.password.data, actor=current_user)
            db.session.commit()
            flash(_("Kata sandi %(name)s diganti. Semua sesinya sudah diakhiri.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(password, err)
    return _render_edit(user, password=password)


@bp.route("/admin/users/<int:user_id>/toggle", methods=["POST"])
@manage_users
def user_toggle(user_id: int):
    user = _load_manageable(user_id)
    if not BaseForm().validate_on_submit():  # the form has no fields: this checks the CSRF token
        abort(400)
    try:
        accounts.set_active(db.session, user, not user.active, actor=current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        form = _prepare(UserForm(formdata=None, obj=user), user)
        apply_domain_error(form, err)
        return _render_edit(user, form=form)
    if user.active:
        flash(_("Akun %(name)s diaktifkan.", name=user.name), "success")
    else:
        flash(_("Akun %(name)s dinonaktifkan. Sesinya sudah diakhiri.", name=user.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("admin.users")))


# --- Areas -------------------------------------------------------------------------------------------

@bp.route("/admin/areas")
@manage_reference
def areas():
    return render_template("admin/areas.html", o=admin_service.area_overview(db.session))


@bp.route("/admin/areas/new", methods=["GET", "POST"])
@manage_reference
def area_new():
    form = AreaForm()
    if request.method == "GET" and request.args.get("parent"):
        form.kode.data = request.args["parent"][:15] + "."
    if form.validate_on_submit():
        try:
            area = admin_service.save_area(db.session, None, _area_data(form))
            db.session.commit()
            flash(_("Wilayah %(nama)s ditambahkan.", nama=area.nama), "success")
            return redirect(url_for("admin.area_edit", kode=area.kode))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=_("Wilayah baru"), cancel_url=url_for("admin.areas"))


def _area_data(form: AreaForm) -> dict:
    data = {"nama": form.nama.data, "active": bool(form.active.data)}
    if "kode" in form:
        data["kode"] = form.kode.data
    if "jenis" in form:
        data["jenis"] = form.jenis.data
    return data


@bp.route("/admin/areas/<kode>/edit", methods=["GET", "POST"])
@manage_reference
def area_edit(kode: str):
    area = get_or_404(Area, kode)
    form = AreaEditForm(obj=area)
    if area.level != "desa":
        del form.jenis
    if form.validate_on_submit():
        try:
            admin_service.save_area(db.session, area, _area_data(form))
            db.session.commit()
            flash(_("Wilayah disimpan."), "success")
            return redirect(url_for("admin.area_edit", kode=area.kode))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("admin/area_edit.html", area=area, form=form,
                           in_use=admin_service.area_in_use(db.session, area),
                           history=history_for(db.session, "area", area.kode))


@bp.route("/admin/areas/<kode>/delete", methods=["POST"])
@manage_reference
def area_delete(kode: str):
    area = get_or_404(Area, kode)
    if not BaseForm().validate_on_submit():  # the form has no fields: this checks the CSRF token
        abort(400)
    nama = area.nama
    deleted = admin_service.remove_area(db.session, area)
    db.session.commit()
    if deleted:
        flash(_("Wilayah %(nama)s dihapus.", nama=nama), "success")
        return redirect(url_for("admin.areas"))
    flash(_("Wilayah %(nama)s masih dipakai aksi atau desa, jadi hanya dinonaktifkan.", nama=nama), "warning")
    return redirect(url_for("admin.area_edit", kode=kode))


# --- Reference lists ---------------------------------------------------------------------------------

@bp.route("/admin/reference")
@manage_reference
def reference():
    return render_template("admin/reference.html", lists=admin_service.reference_lists(db.session),
                           list_labels=REFERENCE_LIST_LABELS)


def _list_label(list_name: str) -> str:
    return str(REFERENCE_LIST_LABELS.get(list_name, list_name))


def _reference_form(item: ReferenceItem | None, list_name: str):
    form = ReferenceItemEditForm(obj=item) if item else ReferenceItemForm()
    if form.validate_on_submit():
        data = {k: form[k].data for k in form.data if k != "csrf_token"}
        try:
            admin_service.save_reference_item(db.session, item, list_name, data)
            db.session.commit()
            flash(_("Butir daftar referensi disimpan."), "success")
            return redirect(url_for("admin.reference") + f"#list-{list_name}")
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    if item:
        title = _("Ubah butir %(code)s · %(list)s", code=item.code, list=_list_label(list_name))
    else:
        title = _("Butir baru · %(list)s", list=_list_label(list_name))
    extra = {"history": history_for(db.session, "reference_item", item.id)} if item else {}
    return render_template("form_page.html", form=form, title=title, cancel_url=url_for("admin.reference"),
                           subtitle=_("Kode: %(code)s", code=item.code) if item else None, **extra)


@bp.route("/admin/reference/<list_name>/new", methods=["GET", "POST"])
@manage_reference
def reference_new(list_name: str):
    if list_name not in REFERENCE_LISTS:
        abort(404)
    return _reference_form(None, list_name)


@bp.route("/admin/reference/items/<int:item_id>/edit", methods=["GET", "POST"])
@manage_reference
def reference_edit(item_id: int):
    item = get_or_404(ReferenceItem, item_id)
    if item.list_name not in REFERENCE_LISTS:
        abort(404)
    return _reference_form(item, item.list_name)
