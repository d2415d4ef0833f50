"""Domain errors of proposals, supports and comments: each carries a translated message."""

from flask_babel import lazy_gettext as _l


class ParticipationError(Exception):
    message = _l("This action is not possible.")

    def __init__(self, message=None):
        self.text = message or self.message
        super().__init__(str(self.text))


class TransitionNotAllowed(ParticipationError):
    message = _l("This change of status is not allowed.")


class ReasonRequired(ParticipationError):
    message = _l("A public reason is required for this decision.")


class PhaseClosed(ParticipationError):
    message = _l("This phase of the consultation is closed.")


class NotAllowed(ParticipationError):
    message = _l("You are not allowed to do this.")


class AccountBlocked(ParticipationError):
    message = _l("Your account is blocked: you can read, but not post.")


class EmailNotConfirmed(ParticipationError):
    message = _l("Please confirm your e-mail address first: follow the link we sent you.")


class NotEditable(ParticipationError):
    message = _l(
        "This proposal can no longer be edited: it has received support or a moderator has acted on it."
    )


class SupportCapReached(ParticipationError):
    message = _l("You have reached the number of proposals you can support in this consultation.")


class AlreadySupported(ParticipationError):
    message = _l("You already support this proposal.")


class OwnProposal(ParticipationError):
    message = _l("You cannot support your own proposal.")
