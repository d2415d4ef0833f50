from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..forms import Form
from ..models import Role


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, r.title) for r in Role])
