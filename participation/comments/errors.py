"""Domain errors of comments and reports (the hierarchy's root: ``participation.errors``)."""

from flask_babel import lazy_gettext as _l

from ..errors import Invalid, ParticipationError
from ..i18n import ngettext

COMMENT_MIN, COMMENT_MAX = 2, 3000


class CommentsClosed(ParticipationError):
    message = _l("This proposal no longer accepts comments.")


class CommentLength(Invalid):
    message = _l("A comment must have between 2 and 3,000 characters.")
    field = "body"


class CommentDeleted(ParticipationError):
    message = _l("This comment has been deleted.")


class CommentHidden(ParticipationError):
    message = _l("This has been hidden by moderation.")


class EditWindowOver(ParticipationError):
    def __init__(self, minutes: int):
        # Built when raised, in the language of the request (extracted as a plural form).
        super().__init__(
            ngettext(
                "A comment can be edited only during the %(num)s minute after it is posted.",
                "A comment can be edited only during the %(num)s minutes after it is posted.",
                minutes,
            )
        )
