from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form, optional_id
from ..moderation.errors import REASON_MAX, REASON_MIN
from .errors import COMMENT_MAX, COMMENT_MIN


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write your comment.")),
            Length(
                min=COMMENT_MIN,
                max=COMMENT_MAX,
                message=_l("A comment must have between 2 and 3,000 characters."),
            ),
        ],
        render_kw={"rows": 5, "maxlength": COMMENT_MAX},
    )
    # The comment answered, for a reply.
    parent_id = HiddenField(filters=[optional_id])


def _own_ids(form: Form, prefix: str) -> Form:
    """Give the fields ids of their own: a proposal page holds many comment forms."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form


def new_comment_form() -> CommentForm:
    """The empty form under a proposal's comments."""
    return _own_ids(CommentForm(formdata=None), "comment")


# The ids of the one reply form a proposal page holds, in a <template>, and those of a reply to
# comment {id}: the reply page's form has them, and reply.js gives them to each copy (the
# template tells it both, in its data-ids and data-reply-ids).
REPLY_TEMPLATE_PREFIX = "reply-template"
REPLY_PREFIX = "reply-{id}"


def reply_form(parent=None) -> CommentForm:
    """The empty reply form to the comment ``parent``; without it, the page's template of one."""
    form = CommentForm(formdata=None, parent_id=parent.id if parent else None)
    form.body.label.text = _l("Your reply")
    form.id_prefix = REPLY_PREFIX.format(id=parent.id) if parent else REPLY_TEMPLATE_PREFIX
    form.reply_prefix = REPLY_PREFIX
    return _own_ids(form, form.id_prefix)


class ReportForm(Form):
    reason = TextAreaField(
        _l("Why should a moderator look at it?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Give the reason for your report.")),
            Length(
                min=REASON_MIN,
                max=REASON_MAX,
                message=_l("Give a reason of between 5 and 1,000 characters."),
            ),
        ],
        render_kw={"rows": 4, "maxlength": REASON_MAX},
    )
