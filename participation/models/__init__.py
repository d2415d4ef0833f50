"""All models, imported here so that Alembic's autogenerate and the drift test see them."""

from .answer import AnswerLanguage, AnswerTemplate
from .audit import AuditEntry
from .base import utcnow
from .comment import Comment, Report
from .deliberation import CouncilSession, Deliberation
from .follow import (
    Delivery,
    Follow,
    Notification,
    NotificationPreference,
    NotificationType,
)
from .mail import DailyRun, MailStatus, OutboxMessage
from .masterplan import (
    Action,
    ActionReview,
    Carrier,
    CarrierKind,
    MasterplanStatus,
    ProgressNote,
    carrier_partners,
)
from .neighbourhood import Neighbourhood
from .pillar import Pillar
from .proposal import (
    SHUFFLE_KEYS,
    EventKind,
    Origin,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    ProposalStatus,
    Support,
)
from .round import Round, RoundPhase, round_pillars
from .user import RecoveryCode, Role, User, UserSession
from .workshop import (
    PaperCorrection,
    PaperItem,
    PaperSupport,
    Workshop,
    WorkshopState,
    workshop_facilitators,
    workshop_pillars,
)

__all__ = [
    "Action",
    "ActionReview",
    "Carrier",
    "CarrierKind",
    "carrier_partners",
    "Delivery",
    "Follow",
    "Notification",
    "NotificationPreference",
    "NotificationType",
    "AnswerLanguage",
    "AnswerTemplate",
    "AuditEntry",
    "EventKind",
    "PaperItem",
    "ProposalRevision",
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
    "SHUFFLE_KEYS",
    "ProposalEvent",
    "ProposalStatus",
    "Report",
    "Support",
    "CouncilSession",
    "Deliberation",
    "MasterplanStatus",
    "DailyRun",
    "MailStatus",
    "Neighbourhood",
    "OutboxMessage",
    "Pillar",
    "RecoveryCode",
    "Role",
    "Round",
    "RoundPhase",
    "User",
    "UserSession",
    "round_pillars",
    "utcnow",
]
