from flask import Blueprint

bp = Blueprint("discussion", __name__)
