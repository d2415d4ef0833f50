from flask import Blueprint

bp = Blueprint("deliberations", __name__, url_prefix="/deliberations")

from . import routes  # noqa: E402,F401
