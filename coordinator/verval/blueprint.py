from flask import Blueprint

bp = Blueprint("verval", __name__, url_prefix="/verval")


@bp.after_request
def _not_kept(response):  # type: ignore[no-untyped-def]
    # Children's data must not stay in browser or proxy caches of shared office and village phones.
    response.headers["Cache-Control"] = "no-store"
    return response
