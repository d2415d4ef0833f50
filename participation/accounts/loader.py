"""How Flask-Login finds the signed-in user from the session."""

from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..models import User

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # A changed nonce (password changed or reset elsewhere) signs this session out.
    if user is None or user.session_nonce != nonce or not user.is_active:
        return None
    return user
