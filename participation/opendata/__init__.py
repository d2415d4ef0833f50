from flask import Blueprint

bp = Blueprint("opendata", __name__)

from . import routes  # noqa: E402,F401
