from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from ..forms import Form
from ..models import ActionReview, CarrierKind, MasterplanStatus


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class TrackingForm(Form):
    """The one control of where an action stands."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(s.value, s.title) for s in MasterplanStatus]
    )
    carrier_id = SelectField(
        _l("Carried by"),
        coerce=_optional_int,
        validators=[DataRequired(_l("Choose a carrier."))],
        # A list whose every choice is a carrier always holds one: HTML's ``required`` is only
        # for a list that starts with an empty choice.
        render_kw={"required": False},
    )
    planned_on = DateField(_l("Planned for (optional)"), validators=[Optional()])
    started_on = DateField(_l("Started on (optional)"), validators=[Optional()])
    done_on = DateField(_l("Done on (optional)"), validators=[Optional()])
    percent = IntegerField(
        _l("Percentage done (optional)"),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("From 0 to 100."))],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )

    def set_carriers(self, carriers) -> None:
        self.carrier_id.choices = [SelectChoice(c.id, c.name) for c in carriers]


class NoteForm(Form):
    noted_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    body = TextAreaField(
        _l("What has happened"),
        filters=[_strip],
        validators=[DataRequired(_l("Write what has happened.")), Length(max=5000)],
        render_kw={"rows": 4},
    )


class ActionForm(Form):
    title = StringField(
        _l("Title of the action"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the action a title.")), Length(max=500)],
    )
    description = TextAreaField(
        _l("What it is"),
        filters=[_strip],
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 5},
    )
    pillar_id = SelectField(
        _l("Pillar"), coerce=_optional_int, validators=[DataRequired(_l("Choose a pillar."))]
    )
    planned_on = DateField(_l("Planned for (optional)"), validators=[Optional()])

    def set_pillars(self, pillars) -> None:
        self.pillar_id.choices = [SelectChoice("", _l("Choose"))] + [
            SelectChoice(p.id, p.name) for p in pillars
        ]


class ReviewForm(Form):
    answer = SelectField(
        _l("The city's answer"),
        choices=[SelectChoice("", _l("Choose"))]
        + [
            SelectChoice(a.value, a.title)
            for a in (ActionReview.ACCEPTED, ActionReview.CHANGES_REQUESTED, ActionReview.DECLINED)
        ],
        validators=[DataRequired(_l("Choose an answer."))],
    )
    reason = TextAreaField(
        _l("Reason, for the partner (required unless accepted)"),
        filters=[_strip],
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class CarrierForm(Form):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(_l("Give the carrier's name.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("Choose"))]
        + [SelectChoice(k.value, k.title) for k in CarrierKind],
        validators=[DataRequired(_l("Choose the kind of carrier."))],
    )
    description = TextAreaField(
        _l("Short description (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    website = StringField(
        _l("Website (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=300),
            URL(message=_l("Give a full address (https://…).")),
        ],
    )


class InviteForm(Form):
    email = StringField(
        _l("E-mail address of the partner"),
        filters=[_strip],
        validators=[DataRequired(_l("Give an e-mail address.")), Length(max=254)],
    )
