# Placeholder while the indicators feature is being written (replaced in the same change).
from flask import render_template_string
from flask_login import login_required

from . import bp


@bp.route("/indicators")
@login_required
def index():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>Indikator</h1>{% endblock %}")
