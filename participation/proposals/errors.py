"""Domain errors of proposals and supports (the hierarchy's root: ``participation.errors``)."""

from flask_babel import lazy_gettext as _l

from ..errors import Invalid, NotAllowed, ParticipationError


class TransitionNotAllowed(ParticipationError):
    message = _l("This change of status is not allowed.")


class NotEditable(ParticipationError):
    message = _l(
        "This proposal can no longer be edited: it has received support or a moderator has acted on it."
    )


class NotOwnProposal(NotAllowed):
    message = _l("Only its author can do this.")


class SupportCapReached(ParticipationError):
    message = _l("You have reached the number of proposals you can support in this consultation.")


class OwnProposal(ParticipationError):
    message = _l("You cannot support your own proposal.")


class NotSupportable(ParticipationError):
    message = _l("This proposal no longer receives supports.")


class PillarNotInRound(Invalid):
    message = _l("Choose a pillar of this consultation.")
    field = "pillar_id"
