"""All models, imported here so that Alembic's autogenerate and the drift test see them."""

from .base import utcnow
from .comment import Comment, Report
from .deliberation import CouncilSession, Deliberation, MasterplanStatus
from .neighbourhood import Neighbourhood
from .pillar import Pillar
from .proposal import Origin, Proposal, ProposalEvent, ProposalStatus, Support
from .round import Round, RoundPhase, round_pillars
from .user import Role, User

__all__ = [
    "Comment",
    "Origin",
    "Proposal",
    "ProposalEvent",
    "ProposalStatus",
    "Report",
    "Support",
    "CouncilSession",
    "Deliberation",
    "MasterplanStatus",
    "Neighbourhood",
    "Pillar",
    "Role",
    "Round",
    "RoundPhase",
    "User",
    "round_pillars",
    "utcnow",
]
