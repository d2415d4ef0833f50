from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from .services import BODY_MAX, TITLE_MAX, ProposalInput


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ProposalForm(Form):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give your proposal a title.")),
            Length(
                min=5,
                max=TITLE_MAX,
                message=_l("The title must have between 5 and %(max)d characters.", max=TITLE_MAX),
            ),
        ],
    )
    body = TextAreaField(
        _l("Your proposal"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Describe your proposal.")),
            Length(
                min=20,
                max=BODY_MAX,
                message=_l("The text must have between 20 and %(max)d characters.", max=BODY_MAX),
            ),
        ],
        render_kw={"rows": 10},
    )
    pillar_id = SelectField(
        _l("Pillar"), coerce=_optional_int, validators=[DataRequired(_l("Choose a pillar."))]
    )
    neighbourhood_id = SelectField(
        _l("Neighbourhood (optional)"), coerce=_optional_int, validators=[Optional()]
    )
    # Set once the similar proposals have been shown, so the second submit creates it.
    similar_checked = HiddenField()

    def to_input(self) -> ProposalInput:
        return ProposalInput(
            self.title.data, self.body.data, self.pillar_id.data, self.neighbourhood_id.data
        )

    def set_choices(self, pillars, neighbourhoods):
        self.pillar_id.choices = [SelectChoice("", _l("Choose a pillar"))] + [
            SelectChoice(p.id, p.name) for p in pillars
        ]
        self.neighbourhood_id.choices = [SelectChoice("", _l("The whole city"))] + [
            SelectChoice(value, label) for value, label in neighbourhoods
        ]


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("Why do you withdraw it?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give a short reason: it is shown in the proposal's public history.")),
            Length(max=1000, message=_l("At most 1,000 characters.")),
        ],
        render_kw={"rows": 4},
    )
