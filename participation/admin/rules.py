"""What administrators may do with the mail outbox: read it, and put back in the queue a message
that was not delivered (one that is waiting or already sent has nothing to retry)."""

from flask_babel import lazy_gettext as _l

from ..errors import ParticipationError
from ..models import MailStatus, OutboxMessage, User
from ..policy import Verdict, can_administer, check, first


class MailNotDead(ParticipationError):
    message = _l("This message is not waiting for a retry: it is queued or already sent.")


can_read_outbox = can_administer


def can_retry_mail(user: User | None, message: OutboxMessage) -> Verdict:
    return first(can_administer(user), check((message.status == MailStatus.DEAD, MailNotDead)))
