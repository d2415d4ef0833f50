"""Following proposals, the notifications page and the choice of mail for each kind of news."""

from flask import Blueprint

bp = Blueprint("following", __name__)

from . import routes  # noqa: E402,F401
