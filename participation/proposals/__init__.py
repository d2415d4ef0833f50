from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/rounds/<slug>/proposals")

from . import routes  # noqa: E402,F401
