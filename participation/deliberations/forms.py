from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import MasterplanStatus


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def status_choices(empty=None):
    choices = [SelectChoice(s.value, s.title) for s in MasterplanStatus]
    return ([SelectChoice("", empty)] if empty else []) + choices


class CouncilSessionForm(FlaskForm):
    held_on = DateField(
        _l("Date of the council"), validators=[DataRequired(_l("Enter the date of the council."))]
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the session a title.")), Length(max=200)],
        default="Conseil municipal",
    )
    round_id = SelectField(
        _l("Consultation (optional)"), coerce=_optional_int, validators=[Optional()]
    )


class PromoteForm(FlaskForm):
    council_session_id = SelectField(
        _l("Council session"),
        coerce=_optional_int,
        validators=[DataRequired(_l("Choose the council session."))],
    )
    number = IntegerField(
        _l("Number"),
        validators=[
            DataRequired(_l("Give the deliberation's number.")),
            NumberRange(min=1, message=_l("A positive number.")),
        ],
    )
    pillar_id = SelectField(
        _l("Pillar"), coerce=_optional_int, validators=[DataRequired(_l("Choose a pillar."))]
    )
    title = StringField(
        _l("Title of the deliberation"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the deliberation a title.")), Length(max=500)],
    )
    body = TextAreaField(
        _l("Text (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 5},
    )
    carrier = StringField(
        _l("Carried by"), filters=[_strip], default="Ville de Béthune", validators=[Length(max=200)]
    )


class TrackingForm(FlaskForm):
    status = SelectField(_l("Status"), choices=status_choices())
    carrier = StringField(
        _l("Carried by"),
        filters=[_strip],
        validators=[DataRequired(_l("Say who carries the action.")), Length(max=200)],
    )


class NoteForm(FlaskForm):
    noted_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    body = TextAreaField(
        _l("What has happened"),
        filters=[_strip],
        validators=[DataRequired(_l("Write what has happened.")), Length(max=5000)],
        render_kw={"rows": 4},
    )
    status = SelectField(
        _l("New status (optional)"),
        choices=status_choices(_l("Unchanged")),
        validators=[Optional()],
    )
