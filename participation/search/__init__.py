"""Search across proposals and framework deliberations, in French, on both databases."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from . import routes  # noqa: E402,F401
