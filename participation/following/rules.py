"""Who follows what, and whose notifications are whose: the rulebook's chapter on following.

Anyone active follows a proposal they can see and that the public sees; anyone signed in but its
author stops following; everyone reads their own notifications and chooses their mail.
"""

from ..errors import NotAllowed, NotFound
from ..models import Proposal, User
from ..policy import Verdict, active, check, first, signed_in
from ..proposals.rules import can_view


def can_follow(user: User | None, proposal: Proposal) -> Verdict:
    return first(active(user), can_view(user, proposal), check((proposal.is_visible, NotFound)))


def can_unfollow(user: User | None, proposal: Proposal) -> Verdict:
    """Stopping is possible even once the proposal is no longer public; its author always hears
    what becomes of it."""
    verdict = signed_in(user)
    if not verdict:
        return verdict
    return check((proposal.author_id != user.id, NotAllowed))


def can_read_notifications(user: User | None, _thing=None) -> Verdict:
    return signed_in(user)
