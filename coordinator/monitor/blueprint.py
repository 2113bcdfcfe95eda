from flask import Blueprint

bp = Blueprint("monitor", __name__)
