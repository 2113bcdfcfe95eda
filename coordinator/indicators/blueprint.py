from flask import Blueprint

bp = Blueprint("indicators", __name__)
