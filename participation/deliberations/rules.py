"""Who records council sessions, promotes retained proposals and tracks the masterplan.

The city's Smart City service does: active moderators and administrators. Which proposals can
become a framework deliberation is the state machine's (``retained → promoted``), among those
the public sees: a proposal hidden by moderation is not promoted.
"""

from flask_babel import lazy_gettext as _l

from ..errors import ParticipationError
from ..models import Proposal, ProposalStatus, User
from ..policy import Verdict, can_moderate, check
from ..proposals import state

# Sessions, promotion and tracking are the moderators' work.
can_manage = can_moderate


class PromotionNotPossible(ParticipationError):
    message = _l("Only retained proposals of the same round can be promoted together.")
    field = "proposal_ids"


def can_promote(user: User | None, proposal: Proposal) -> Verdict:
    verdict = can_manage(user)
    if not verdict:
        return verdict
    return check(
        (
            proposal.is_visible and state.can_transition(proposal, ProposalStatus.PROMOTED, user),
            PromotionNotPossible,
        ),
    )


def promotable_statuses() -> list[ProposalStatus]:
    """For the list of candidates: the statuses from which promotion is possible."""
    return state.sources_of(ProposalStatus.PROMOTED)
