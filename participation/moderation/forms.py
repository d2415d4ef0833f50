from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..models import ProposalStatus


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
    target = SelectField(_l("Decision"), validators=[DataRequired(_l("Choose a decision."))])
    reason = reason_field(_l("Public answer"), required=False)

    def set_targets(self, targets):
        self.target.choices = [SelectChoice(t.value, t.title) for t in targets]


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
            SelectChoice(ProposalStatus.RETAINED.value, _l("Retain")),
            SelectChoice(ProposalStatus.NOT_RETAINED.value, _l("Do not retain")),
        ],
    )
    reason = reason_field(_l("Public answer (required to not retain)"), required=False)


class MergeForm(Form):
    kept = RadioField(
        _l("Proposal to keep"),
        coerce=int,
        validators=[DataRequired(_l("Choose the proposal to keep."))],
    )
    note = reason_field(_l("Public note"), required=False)
