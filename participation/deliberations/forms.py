from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..templating import localdate
from .rules import PromotionNotPossible


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class CouncilSessionForm(Form):
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

    def set_rounds(self, rounds) -> None:
        self.round_id.choices = [SelectChoice("", _l("No consultation"))] + [
            SelectChoice(r.id, r.title) for r in rounds
        ]


class PromoteForm(Form):
    proposal_ids = SelectMultipleField(
        _l("Retained proposals"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one retained proposal."))],
        # A proposal promoted or decided otherwise meanwhile is no longer offered.
        invalid_value_message=PromotionNotPossible.message,
        invalid_choice_message=PromotionNotPossible.message,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
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
        render_kw={"min": 1, "inputmode": "numeric"},
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

    def set_choices(self, candidates, sessions, pillars) -> None:
        self.proposal_ids.choices = [
            SelectChoice(p.id, f"{p.code} · {p.title} ({p.round.title}, {p.pillar.name})")
            for p in candidates
        ]
        self.council_session_id.choices = [SelectChoice("", _l("Choose"))] + [
            SelectChoice(s.id, f"{s.title} ({localdate(s.held_on, 'medium')})") for s in sessions
        ]
        self.pillar_id.choices = [SelectChoice("", _l("Choose"))] + [
            SelectChoice(p.id, p.name) for p in pillars
        ]
