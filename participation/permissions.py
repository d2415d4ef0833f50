"""Route guards. Rules about *what* a role may do live in services and model methods."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def role_required(role: Role):
    """Sign-in first (redirect), then 403 unless the user has ``role`` or a higher one."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
