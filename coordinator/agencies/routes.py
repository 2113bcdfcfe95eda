from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from coordinator.agencies import profile as agency_service
from coordinator.agencies.blueprint import bp
from coordinator.agencies.forms import AgencyForm
from coordinator.core import permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Agency
from coordinator.web.routing import apply_domain_error, get_or_404, require, role_required


@bp.route("/agencies")
@login_required
def index():
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.kind, Agency.short_name)))
    return render_template("agencies/index.html", agencies=agencies)


@bp.route("/agencies/<int:agency_id>")
@login_required
def detail(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    # Focal points see their own agency's page; the whole picture is for coordinators and leaders.
    require(permissions.sees_everything(current_user) or current_user.agency_id == agency.id)
    page = agency_service.agency_page(db.session, agency, utcnow())
    return render_template("agencies/detail.html", p=page, history=history_for(db.session, "agency", agency.id))


def _agency_form(agency: Agency | None):
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            saved = agency_service.save_agency(db.session, agency, {k: form[k].data for k in form.data
                                                                    if k != "csrf_token"})
            db.session.commit()
            flash(_("Instansi disimpan."), "success")
            return redirect(url_for("agencies.detail", agency_id=saved.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=_("Ubah instansi") if agency else _("Instansi baru"),
                           cancel_url=url_for("agencies.index"))


@bp.route("/agencies/new", methods=["GET", "POST"])
@role_required(permissions.can_manage_agencies_and_users)
def new():
    return _agency_form(None)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_manage_agencies_and_users)
def edit(agency_id: int):
    return _agency_form(get_or_404(Agency, agency_id))
