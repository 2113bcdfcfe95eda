"""The RAD matrix in Excel: its pages sit under /plan, beside the plan they fill."""
from flask import Blueprint

bp = Blueprint("rad_matrix", __name__)
