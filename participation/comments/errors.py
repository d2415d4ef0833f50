"""Domain errors of comments and reports, on top of those shared with proposals."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..proposals.errors import ParticipationError

COMMENT_MIN, COMMENT_MAX = 2, 3000
REASON_MIN, REASON_MAX = 5, 1000


class CommentsClosed(ParticipationError):
    message = _l("This proposal no longer accepts comments.")


class CommentLength(ParticipationError):
    message = _l("A comment must have between 2 and 3,000 characters.")


class CommentDeleted(ParticipationError):
    message = _l("This comment has been deleted.")


class CommentHidden(ParticipationError):
    message = _l("This has been hidden by moderation.")


class EditWindowOver(ParticipationError):
    def __init__(self, minutes: int):
        # Built when raised, in the language of the request (extracted as a plural form).
        super().__init__(
            ngettext(
                "A comment can be edited only during the %(num)d minute after it is posted.",
                "A comment can be edited only during the %(num)d minutes after it is posted.",
                minutes,
            )
        )


class OwnContribution(ParticipationError):
    message = _l("You cannot report what you wrote yourself.")


class AlreadyReported(ParticipationError):
    message = _l("You have already reported this. Thank you: a moderator will look at it.")


class ReasonLength(ParticipationError):
    message = _l("Give a reason of between 5 and 1,000 characters.")
