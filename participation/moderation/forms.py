from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..models import AnswerLanguage, ProposalStatus


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def reason_field(label=None, required=True):
    validators = [Length(max=2000, message=_l("At most 2,000 characters."))]
    validators.insert(
        0, DataRequired(_l("Give a reason: it is shown publicly.")) if required else Optional()
    )
    return TextAreaField(
        label or _l("Public reason"), filters=[_strip], validators=validators, render_kw={"rows": 3}
    )


class DecisionForm(Form):
    # No decision is chosen in advance: the moderator picks one, or is asked to.
    target = SelectField(
        _l("Decision"),
        validators=[DataRequired(_l("Choose a decision: under study, retained or not retained."))],
    )
    # Picking a template fills the answer (at once with JavaScript, with "use" without).
    answer = SelectField(_l("Start from an answer template"), validate_choice=False)
    reason = reason_field(_l("Public answer"), required=False)

    def set_targets(self, targets):
        self.target.choices = [SelectChoice("", _l("Choose a decision"))] + [
            SelectChoice(t.value, t.title) for t in targets
        ]

    def set_answers(self, templates):
        self.answer.choices = [SelectChoice("", _l("No template"))] + [
            SelectChoice(
                str(t.id), f"{t.title} ({t.language.title})", render_kw={"data-answer": t.body}
            )
            for t in templates
        ]


class AnswerTemplateForm(Form):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the template a title.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(language.value, language.title) for language in AnswerLanguage],
        default=AnswerLanguage.FRENCH.value,
    )
    body = TextAreaField(
        _l("Answer"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write the answer.")),
            Length(max=2000, message=_l("At most 2,000 characters.")),
        ],
        render_kw={"rows": 5},
    )


class ReasonForm(Form):
    reason = reason_field(_l("Reason"))


class RefuseChangeForm(Form):
    # Not public, unlike the other reasons: it goes to the author alone.
    reason = TextAreaField(
        _l("Reason sent to the author"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the reason: it is sent to the author.")),
            Length(max=2000, message=_l("At most 2,000 characters.")),
        ],
        render_kw={"rows": 3},
    )


class OptionalReasonForm(Form):
    reason = reason_field(_l("Note (optional)"), required=False)


class BulkForm(Form):
    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("publish", _l("Publish")),
            SelectChoice(ProposalStatus.UNDER_STUDY.value, _l("Put under study")),
            SelectChoice(ProposalStatus.RETAINED.value, _l("Retain")),
            SelectChoice(ProposalStatus.NOT_RETAINED.value, _l("Do not retain")),
        ],
    )
    reason = reason_field(
        _l("Public answer (required to not retain or to put under study)"), required=False
    )


class MergeForm(Form):
    kept = RadioField(
        _l("Proposal to keep"),
        coerce=int,
        validators=[DataRequired(_l("Choose the proposal to keep."))],
    )
    note = reason_field(_l("Public note"), required=False)
