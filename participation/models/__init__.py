"""All models, imported here so that Alembic's autogenerate and the drift test see them."""

from .audit import AuditEntry
from .base import utcnow
from .comment import Comment, Report
from .deliberation import CouncilSession, Deliberation, MasterplanStatus, ProgressNote
from .neighbourhood import Neighbourhood
from .pillar import Pillar
from .proposal import Origin, Proposal, ProposalEvent, ProposalStatus, Support
from .round import Round, RoundPhase, round_pillars
from .user import Role, User
from .workshop import (
    PaperCorrection,
    PaperSupport,
    Workshop,
    WorkshopState,
    workshop_facilitators,
    workshop_pillars,
)

__all__ = [
    "AuditEntry",
    "PaperCorrection",
    "PaperSupport",
    "ProgressNote",
    "Workshop",
    "WorkshopState",
    "workshop_facilitators",
    "workshop_pillars",
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
