from dataclasses import fields

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form, Subform
from ..proposals.services import BODY_MAX, TITLE_MAX
from . import paper, services
from .services import WorkshopInput, workshop_problems

# <input type="datetime-local"> sends and shows minutes; seconds are accepted too.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
INVALID_MOMENT = _l("Enter a date and a time.")
# Lines of the sticker form: shown at first, and at most (a "more lines" button adds some).
LINES = 10
LINES_MAX = 300
# Empty lines after a sheet's printed proposals.
EXTRA_LINES = 3


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _moment(label):
    return DateTimeLocalField(
        label,
        validators=[InputRequired(INVALID_MOMENT)],
        format=LOCAL_FORMATS,
        invalid_value_message=INVALID_MOMENT,
    )


def _checkboxes(label, message):
    return SelectMultipleField(
        label,
        coerce=int,
        invalid_value_message=message,
        invalid_choice_message=message,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ProblemsMixin:
    def add_problems(self, problems: dict[str, str]) -> None:
        """Put each of the service's messages next to its field (unless it already has one)."""
        for name, message in problems.items():
            field = self[name]
            if not field.errors:
                field.errors = [message]


class WorkshopForm(ProblemsMixin, Form):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give the workshop a title.")),
            Length(
                max=services.TITLE_MAX,
                message=_l("The title has at most %(max)d characters.", max=services.TITLE_MAX),
            ),
        ],
    )
    starts_at = _moment(_l("Starts on"))
    ends_at = _moment(_l("Ends on"))
    place = StringField(
        _l("Place"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Say where the workshop takes place.")),
            Length(
                max=services.PLACE_MAX,
                message=_l("The place has at most %(max)d characters.", max=services.PLACE_MAX),
            ),
        ],
        render_kw={"autocomplete": "off"},
    )
    description = TextAreaField(
        _l("Description (optional)"),
        filters=[_strip],
        validators=[Length(max=services.DESCRIPTION_MAX)],
        render_kw={"rows": 5},
    )
    pillar_ids = _checkboxes(_l("Pillars discussed"), _l("Choose pillars from the list."))
    facilitator_ids = _checkboxes(_l("Facilitators"), _l("Choose facilitators from the list."))
    expected_attendance = IntegerField(
        _l("Expected attendance (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=services.ATTENDANCE_MAX,
                message=_l("Enter a number between 0 and %(max)d.", max=services.ATTENDANCE_MAX),
            ),
        ],
        render_kw={"min": 0, "inputmode": "numeric"},
    )

    def set_choices(self, pillars, facilitators) -> None:
        self.pillar_ids.choices = [SelectChoice(p.id, p.name) for p in pillars]
        self.facilitator_ids.choices = [SelectChoice(value, label) for value, label in facilitators]

    def to_input(self) -> WorkshopInput:
        data = WorkshopInput(**{f.name: self[f.name].data for f in fields(WorkshopInput)})
        data.pillar_ids = data.pillar_ids or []
        data.facilitator_ids = data.facilitator_ids or []
        return data

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The service's rules, asked here too so that every mistake shows at once.
        self.add_problems(workshop_problems(self.to_input()))
        return valid and not self.errors


class CardCorrectionForm(ProblemsMixin, Form):
    """A paper card: corrected as it was typed in."""

    pillar_id = SelectField(
        _l("Pillar"),
        coerce=_optional_int,
        validators=[InputRequired(_l("Choose the card's pillar."))],
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give the card a title.")),
            Length(
                min=paper.TITLE_MIN,
                max=TITLE_MAX,
                message=_l(
                    "The title must have between %(min)d and %(max)d characters.",
                    min=paper.TITLE_MIN,
                    max=TITLE_MAX,
                ),
            ),
        ],
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    body = TextAreaField(
        _l("Text of the card"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Type the text written on the card.")),
            Length(
                min=paper.BODY_MIN,
                max=BODY_MAX,
                message=_l(
                    "The text must have between %(min)d and %(max)d characters.",
                    min=paper.BODY_MIN,
                    max=BODY_MAX,
                ),
            ),
        ],
        render_kw={"rows": 6},
    )
    neighbourhood_id = SelectField(
        _l("Neighbourhood (optional)"), coerce=_optional_int, validators=[Optional()]
    )

    def set_choices(self, pillars, neighbourhoods) -> None:
        self.pillar_id.choices = [SelectChoice("", _l("Choose a pillar"))] + [
            SelectChoice(p.id, p.name) for p in pillars
        ]
        self.neighbourhood_id.choices = [SelectChoice("", _l("Not given"))] + [
            SelectChoice(value, label) for value, label in neighbourhoods
        ]

    def to_card(self) -> paper.CardInput:
        return paper.CardInput(
            title=self.title.data or "",
            body=self.body.data or "",
            pillar_id=self.pillar_id.data,
            neighbourhood_id=self.neighbourhood_id.data,
        )


class CardForm(CardCorrectionForm):
    """One card on the entry screen. The CSRF token is checked by the view (see ``drafts``), so
    that a refused token keeps what was typed."""

    class Meta:
        csrf = False

    # Set once the similar proposals have been shown, so that the next "new" creates the card.
    similar_checked = HiddenField()


class StickerLineForm(Subform):
    code = StringField(
        _l("Proposal code"),
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    count = StringField(
        _l("Stickers"), filters=[_strip], render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )


class StickerSheetForm(Form):
    """Sticker counts typed from a vote sheet, one line per proposal code. The CSRF token is
    checked by the view, as for cards."""

    class Meta:
        csrf = False

    lines = FieldList(FormField(StickerLineForm), min_entries=LINES, max_entries=LINES_MAX)

    @classmethod
    def prefilled(cls, proposals, counts: dict[int, int]) -> "StickerSheetForm":
        """The printed sheet's proposals, in its order, each with the count already read from
        it (if any), then a few empty lines for codes written in by hand."""
        lines = [
            {"code": p.code, "count": str(counts[p.id]) if p.id in counts else ""}
            for p in proposals[:LINES_MAX]
        ]
        blank = min(EXTRA_LINES, LINES_MAX - len(lines))
        return cls(formdata=None, data={"lines": lines + [{}] * blank})

    def to_lines(self) -> list[paper.StickerLine]:
        return [
            paper.StickerLine(
                row=index + 1, code=entry.code.data or "", count=entry.count.data or ""
            )
            for index, entry in enumerate(self.lines.entries)
        ]


class AttendanceForm(Form):
    attendance = IntegerField(
        _l("Number of participants"),
        validators=[
            InputRequired(_l("Enter how many people took part.")),
            NumberRange(
                min=0,
                max=services.ATTENDANCE_MAX,
                message=_l("Enter a number between 0 and %(max)d.", max=services.ATTENDANCE_MAX),
            ),
        ],
        render_kw={"min": 0, "inputmode": "numeric"},
    )


class ImportForm(Form):
    spreadsheet = FileField(
        _l("Transcription spreadsheet (CSV)"),
        validators=[FileRequired(_l("Choose the CSV file to import."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class StateForm(Form):
    """A change of a workshop's state; the target is the button pressed."""
