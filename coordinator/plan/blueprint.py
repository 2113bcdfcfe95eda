from flask import Blueprint

bp = Blueprint("plan", __name__)
