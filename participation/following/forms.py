from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from ..forms import Form
from ..models import Delivery, NotificationType


def _delivery_field(kind: NotificationType) -> RadioField:
    return RadioField(
        kind.title,
        choices=[SelectChoice(d.value, d.title) for d in Delivery],
        default=Delivery.IMMEDIATE.value,
    )


class PreferencesForm(Form):
    """One choice of mail per kind of news."""

    answer = _delivery_field(NotificationType.ANSWER)
    action = _delivery_field(NotificationType.ACTION)
    comment = _delivery_field(NotificationType.COMMENT)

    def choices(self) -> dict[NotificationType, Delivery]:
        return {kind: Delivery(getattr(self, kind.value).data) for kind in NotificationType}


# The page's only other form: "mark as read" buttons carry nothing but the token.
class ReadForm(Form):
    pass
