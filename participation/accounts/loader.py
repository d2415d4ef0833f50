"""How Flask-Login finds the signed-in user: from the server-side session the cookie names."""

from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from ..models import User
from . import sessions

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    # An ended or expired session opens nothing, whatever copy of the cookie is shown.
    record = sessions.current(token)
    if record is None or not record.user.is_active:
        return None
    return record.user
