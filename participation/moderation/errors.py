"""Domain errors of moderation and reporting (the hierarchy's root: ``participation.errors``)."""

from flask_babel import lazy_gettext as _l

from ..errors import Invalid, NotAllowed, ParticipationError

REASON_MIN, REASON_MAX = 5, 1000


class OwnContent(NotAllowed):
    message = _l("Moderators do not moderate their own contributions: ask another moderator.")


class MergeNotPossible(ParticipationError):
    message = _l("These proposals cannot be merged.")
    field = "kept"


class BlockNotAllowed(NotAllowed):
    message = _l("You cannot block this account.")


class OwnContribution(ParticipationError):
    message = _l("You cannot report what you wrote yourself.")


class AlreadyReported(ParticipationError):
    message = _l("You have already reported this. Thank you: a moderator will look at it.")


class AlreadyHidden(ParticipationError):
    message = _l("This has been hidden by moderation.")


class ReasonReserved(Invalid):
    message = _l("Give the reason in words of your own: this one is the platform's.")


class NotHidden(ParticipationError):
    message = _l("This is not hidden.")


class ReasonLength(Invalid):
    message = _l("Give a reason of between 5 and 1,000 characters.")
    field = "reason"


class NoPendingChange(ParticipationError):
    message = _l("No change of this proposal awaits moderation.")


class AnswerTitleTaken(Invalid):
    message = _l("An answer template of this language already has this title.")
    field = "title"
