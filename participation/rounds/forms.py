from dataclasses import fields

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .services import (
    DESCRIPTION_MAX,
    GRACE_DAYS_MAX,
    SLUG_MAX,
    STICKERS_PER_PERSON_MAX,
    STICKERS_PER_PERSON_MIN,
    SUMMARY_MAX,
    TITLE_MAX,
    RoundInput,
    round_problems,
)

# <input type="datetime-local"> sends and shows minutes; seconds are accepted too.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
INVALID_MOMENT = _l("Enter a date and a time.")
_STICKERS_RANGE = _l(
    "Enter a number of stickers between %(min)d and %(max)d.",
    min=STICKERS_PER_PERSON_MIN,
    max=STICKERS_PER_PERSON_MAX,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _moment(label, required: bool):
    validators = [InputRequired(INVALID_MOMENT)] if required else [Optional()]
    return DateTimeLocalField(
        label, validators=validators, format=LOCAL_FORMATS, invalid_value_message=INVALID_MOMENT
    )


class RoundForm(Form):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give the round a title.")),
            Length(
                max=TITLE_MAX,
                message=_l("The title has at most %(max)d characters.", max=TITLE_MAX),
            ),
        ],
    )
    slug = StringField(
        _l("Address (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=SLUG_MAX,
                message=_l("The address has at most %(max)d characters.", max=SLUG_MAX),
            ),
        ],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    summary = TextAreaField(
        _l("Summary (optional)"),
        filters=[_strip],
        validators=[
            Length(
                max=SUMMARY_MAX,
                message=_l("The summary has at most %(max)d characters.", max=SUMMARY_MAX),
            )
        ],
        render_kw={"rows": 3, "maxlength": SUMMARY_MAX},
    )
    description = TextAreaField(
        _l("Description (optional)"),
        filters=[_strip],
        validators=[
            Length(
                max=DESCRIPTION_MAX,
                message=_l("The description has at most %(max)d characters.", max=DESCRIPTION_MAX),
            )
        ],
        render_kw={"rows": 10},
    )
    collect_starts_at = _moment(_l("Collecting proposals: opens on"), required=True)
    collect_ends_at = _moment(_l("Collecting proposals: closes on"), required=True)
    vote_starts_at = _moment(_l("Voting: opens on (optional)"), required=False)
    vote_ends_at = _moment(_l("Voting: closes on (optional)"), required=False)
    deliberation_ends_at = _moment(_l("Deliberation: ends on (optional)"), required=False)
    pillar_ids = SelectMultipleField(
        _l("Pillars covered"),
        coerce=int,
        invalid_value_message=_l("Choose pillars from the list."),
        invalid_choice_message=_l("Choose pillars from the list."),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    support_cap = IntegerField(
        _l("Supports per resident (optional)"),
        validators=[Optional()],
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    premoderation = BooleanField(_l("Pre-moderation: a moderator checks each new proposal first"))
    paper_grace_days = IntegerField(
        _l("Days to type in paper after a workshop"),
        default=14,
        validators=[
            InputRequired(_l("Enter a number of days between 0 and %(max)d.", max=GRACE_DAYS_MAX)),
            NumberRange(
                min=0,
                max=GRACE_DAYS_MAX,
                message=_l("Enter a number of days between 0 and %(max)d.", max=GRACE_DAYS_MAX),
            ),
        ],
        render_kw={"min": 0, "max": GRACE_DAYS_MAX, "inputmode": "numeric"},
    )
    stickers_per_person = IntegerField(
        _l("Stickers per workshop participant"),
        default=5,
        validators=[
            InputRequired(_STICKERS_RANGE),
            NumberRange(
                min=STICKERS_PER_PERSON_MIN, max=STICKERS_PER_PERSON_MAX, message=_STICKERS_RANGE
            ),
        ],
        render_kw={
            "min": STICKERS_PER_PERSON_MIN,
            "max": STICKERS_PER_PERSON_MAX,
            "inputmode": "numeric",
        },
    )

    def set_pillars(self, pillars) -> None:
        self.pillar_ids.choices = [SelectChoice(p.id, p.name) for p in pillars]

    def to_input(self) -> RoundInput:
        data = RoundInput(**{f.name: self[f.name].data for f in fields(RoundInput)})
        data.pillar_ids = data.pillar_ids or []
        return data

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The service's rules, asked here too so that every mistake shows at once.
        self.add_problems(round_problems(self.to_input()))
        return valid and not self.errors

    def add_problems(self, problems: dict[str, str]) -> None:
        """Put each of the service's messages next to its field (unless it already has one)."""
        for name, message in problems.items():
            field = self[name]
            if not field.errors:
                field.errors = [message]
