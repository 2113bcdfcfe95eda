"""/plan/revisions: plan revisions (RAD perubahan), each listing the changes made while it was open. Everyone who
reads the plan reads its revisions; coordinators open and adopt them."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.core.formatting import roman
from coordinator.extensions import db
from coordinator.models import PlanRevision
from coordinator.plan import revisions
from coordinator.plan.blueprint import bp
from coordinator.plan.editing import current_plan
from coordinator.plan.forms import RevisionForm
from coordinator.web.routing import apply_domain_error, get_or_404, role_required


def _list(form: RevisionForm | None):
    return render_template("plan/revisions.html", rows=revisions.revision_list(db.session),
                           open_revision=revisions.open_revision(db.session), form=form,
                           has_plan=current_plan(db.session) is not None)


@bp.route("/plan/revisions")
@login_required
def revision_index():
    return _list(RevisionForm(formdata=None) if permissions.can_edit_plan(current_user) else None)


@bp.route("/plan/revisions/new", methods=["POST"])
@role_required(permissions.can_edit_plan)
def revision_new():
    form = RevisionForm()
    plan = current_plan(db.session)
    if form.validate_on_submit() and plan is not None:
        try:
            revision = revisions.start_revision(db.session, plan, form.legal_basis.data or "", form.reason.data or "",
                                                current_user.id, utcnow())
            db.session.commit()
            flash(_("Perubahan RAD %(n)s dibuka: perubahan rencana sejak sekarang dicatat di dalamnya.",
                    n=roman(revision.number)), "success")
            return redirect(url_for("plan.revision_detail", revision_id=revision.id))
        except DomainError as err:
            db.session.rollback()
            if err.field is None:
                form.form_errors.append(_(err.message, **err.params))
            else:
                apply_domain_error(form, err)
    return _list(form)


@bp.route("/plan/revisions/<int:revision_id>")
@login_required
def revision_detail(revision_id: int):
    revision = get_or_404(PlanRevision, revision_id)
    return render_template("plan/revision.html", revision=revision,
                           changes=revisions.revision_changes(db.session, revision))


@bp.route("/plan/revisions/<int:revision_id>/adopt", methods=["POST"])
@role_required(permissions.can_edit_plan)
def revision_adopt(revision_id: int):
    revision = get_or_404(PlanRevision, revision_id)
    try:
        revisions.adopt_revision(db.session, revision, current_user.id, utcnow())
        db.session.commit()
        flash(_("Perubahan RAD %(n)s ditetapkan.", n=roman(revision.number)), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(url_for("plan.revision_detail", revision_id=revision.id))
