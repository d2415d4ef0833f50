from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from ..accounts.forms import PASSWORD_REQUIRED
from ..forms import Form


class EraseAccountForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account will be erased and that this cannot be undone."),
        validators=[
            DataRequired(_l("Tick this box to confirm that you want to erase your account."))
        ],
    )
