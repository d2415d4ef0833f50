from flask import Blueprint

bp = Blueprint("comments", __name__)

# Defaults a deployment may override in its configuration.
DEFAULT_SETTINGS = {
    # Unresolved reports that hide a comment or a proposal until a moderator looks at it.
    "REPORT_HIDE_THRESHOLD": 3,
    # Only reports from accounts whose address was confirmed this many days ago count towards
    # it; and how many reports one account sends a day.
    "REPORT_ACCOUNT_MIN_DAYS": 3,
    "REPORTS_PER_DAY": 10,
    # How long after posting its author may still correct a comment.
    "COMMENT_EDIT_MINUTES": 15,
    "COMMENTS_PER_PAGE": 20,
}


@bp.record_once
def _set_defaults(state) -> None:
    for key, value in DEFAULT_SETTINGS.items():
        state.app.config.setdefault(key, value)


from . import routes  # noqa: E402,F401
