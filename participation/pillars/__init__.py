from flask import Blueprint

bp = Blueprint("pillars", __name__, url_prefix="/pillars")

from . import routes  # noqa: E402,F401
