"""Posting to an action's discussion, and correcting one's own comment (the thread is on the action page)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.core.formatting import fmt_month
from coordinator.discussion import service
from coordinator.discussion.blueprint import bp
from coordinator.discussion.forms import CommentForm, CorrectionForm
from coordinator.extensions import db
from coordinator.models import Action, Comment, ProgressUpdate
from coordinator.web.routing import apply_domain_error, get_or_404, require


def comment_form(action: Action) -> CommentForm:
    form = CommentForm()
    form.update_id.choices = [(0, _("Aksi ini"))] + [
        (uid, _("Laporan %(agency)s %(month)s", agency=agency, month=fmt_month(period)))
        for uid, agency, period in service.report_choices(db.session, action.id)]
    return form


def _visible(action_id: int) -> Action:
    action = get_or_404(Action, action_id)
    require(permissions.can_comment(current_user, action))
    return action


def _save(action: Action, form: CommentForm | CorrectionForm, title: str, submit_label: str, **about: Any):
    """Post the comment (on the action, a report, or as a correction) and go back to it in the thread; refused,
    the form again with the reason."""
    if form.validate_on_submit():
        try:
            comment, mentions = service.post_comment(db.session, action, current_user, form.body.data or "",
                                                     utcnow(), **about)
            db.session.commit()
            flash(_("Komentar terkirim."), "success")
            if mentions.unknown:
                flash(_("Tidak dikenal, tidak ada yang diberi tahu: %(names)s", names=", ".join(
                    "@" + n for n in mentions.unknown)), "warning")
            return redirect(url_for("actions.detail", action_id=action.id, _anchor=f"comment-{comment.id}"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("form_page.html", form=form, title=title,
                           cancel_url=url_for("actions.detail", action_id=action.id), submit_label=submit_label)


@bp.route("/actions/<int:action_id>/comments", methods=["POST"])
@login_required
def post(action_id: int):
    action = _visible(action_id)
    form = comment_form(action)
    # Only one of the offered reports is looked up; anything else the form refuses as it validates.
    offered = {uid for uid, _label in form.update_id.choices if uid}
    update = db.session.get(ProgressUpdate, form.update_id.data) if form.update_id.data in offered else None
    return _save(action, form, _("Komentar pada %(code)s", code=action.code), _("Kirim"), update=update)


@bp.route("/comments/<int:comment_id>/correct", methods=["GET", "POST"])
@login_required
def correct(comment_id: int):
    original = get_or_404(Comment, comment_id)
    action = _visible(original.action_id)
    if original.author_id != current_user.id:
        abort(403)
    form = CorrectionForm()
    if not form.is_submitted():
        form.body.data = original.body
    return _save(action, form, _("Koreksi komentar pada %(code)s", code=action.code), _("Kirim koreksi"),
                 corrects=original)
