# Placeholder while the admin feature is being written (replaced in the same change).
from flask import render_template_string
from flask_login import login_required

from . import bp


@bp.route("/admin/users")
@login_required
def users():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>Users</h1>{% endblock %}")


@bp.route("/admin/areas")
@login_required
def areas():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>Areas</h1>{% endblock %}")


@bp.route("/admin/reference")
@login_required
def reference():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>Ref</h1>{% endblock %}")
