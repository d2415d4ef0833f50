from flask import Blueprint

bp = Blueprint("masterplan", __name__, url_prefix="/masterplan")

from . import routes  # noqa: E402,F401
