from flask import Blueprint

bp = Blueprint("ats", __name__)
