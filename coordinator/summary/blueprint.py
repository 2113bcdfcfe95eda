from flask import Blueprint

bp = Blueprint("summary", __name__)
