from flask import Blueprint

bp = Blueprint("workshops", __name__)

from . import routes  # noqa: E402,F401
